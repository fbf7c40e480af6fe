"""The platform's view of the deadline queue: filter by state and rule, search by subject.

Tables grow to millions of rows: no full COUNT (show_full_result_count=False, and a
capped count), related rows joined once (list_select_related).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import CappedCountPaginator
from deadlines import registry
from deadlines.models import Deadline, RuleSetting, RuleSettingChange


class RuleFilter(admin.SimpleListFilter):
    # From the registry, not a DISTINCT over millions of rows.
    title = _("rule")
    parameter_name = "rule"

    def lookups(self, request, model_admin):
        return [(rule.code, rule.label) for rule in registry.rule_list()]

    def queryset(self, request, queryset):
        return queryset.filter(rule=self.value()) if self.value() else queryset


@admin.register(Deadline)
class DeadlineAdmin(admin.ModelAdmin):
    list_display = ["rule", "state", "due_at", "run_at", "merchant", "subject_id", "attempts"]
    list_filter = ["state", RuleFilter]
    search_fields = ["=subject_id", "=id"]
    list_select_related = ["merchant"]
    show_full_result_count = False
    paginator = CappedCountPaginator
    ordering = ["-run_at"]
    raw_id_fields = ["merchant"]
    readonly_fields = [field.name for field in Deadline._meta.fields]


@admin.register(RuleSetting)
class RuleSettingAdmin(admin.ModelAdmin):
    list_display = ["merchant", "rule", "enabled", "updated_at", "updated_by"]
    list_filter = [RuleFilter, "enabled"]
    search_fields = ["merchant__slug", "merchant__name"]
    list_select_related = ["merchant", "updated_by"]
    readonly_fields = [field.name for field in RuleSetting._meta.fields]


@admin.register(RuleSettingChange)
class RuleSettingChangeAdmin(admin.ModelAdmin):
    list_display = ["changed_at", "merchant", "rule", "changed_by"]
    list_filter = [RuleFilter]
    search_fields = ["merchant__slug", "changed_by__email"]
    list_select_related = ["merchant", "changed_by"]
    show_full_result_count = False
    readonly_fields = [field.name for field in RuleSettingChange._meta.fields]
