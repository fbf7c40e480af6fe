"""The platform view: disputes per merchant and supplier, the arbitration queue's age, and
the suppliers slowest to answer (candidates to lose verification). Read only."""

from django.contrib import admin, messages
from django.template.response import TemplateResponse

from core.errors import ValidationFailed
from insights import selectors
from insights.models import PlatformInsight
from insights.period import period_parse


@admin.register(PlatformInsight)
class PlatformInsightAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        params = request.GET
        try:
            period = period_parse(
                organization=None, first=params.get("from"), last=params.get("to")
            )
        except ValidationFailed as error:
            messages.error(
                request, " ".join(str(m) for v in error.field_errors.values() for m in v)
            )
            period = period_parse(organization=None, first=None, last=None)
        context = {
            **self.admin_site.each_context(request),
            "title": self.model._meta.verbose_name_plural.capitalize(),
            "opts": self.model._meta,
            "figures": selectors.platform_overview(period=period),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/insights/platform.html", context)
