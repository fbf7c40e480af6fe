from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.actors import Actor
from accounts.models import ApiToken, AuditEntry, Membership, Organization, User
from core.admin import CappedCountPaginator


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user", "organization"]


class AuditedMembershipsMixin:
    """Membership changes made by an operator in an inline go to the audit log."""

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        roles_before = {f.instance.pk: f.initial.get("role") for f in formset.initial_forms}
        super().save_formset(request, form, formset, change)
        actor = Actor.platform(user=request.user)
        for membership in formset.new_objects:
            services.membership_audit(actor=actor, membership=membership, role_before=None)
        for membership, _fields in formset.changed_objects:
            services.membership_audit(
                actor=actor, membership=membership, role_before=roles_before.get(membership.pk)
            )
        for membership in formset.deleted_objects:
            services.membership_audit(
                actor=actor, membership=membership, role_before=None, removed=True
            )


@admin.register(User)
class UserAdmin(AuditedMembershipsMixin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "language", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "language"]
    search_fields = ["email", "name"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["name", "language", "time_zone"]}),
        (
            _("Platform access"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "name", "password1", "password2"]}),
    ]


class OrganizationAdminForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["kind", "slug", "name", "country", "time_zone", "verified"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance._state.adding:
            # Empty on a new organization: its country's main time zone.
            self.fields["time_zone"].required = False
            self.fields["time_zone"].initial = ""
            self.fields["time_zone"].help_text = _(
                "Empty: the main time zone of its country (e.g. Asia/Shanghai for CN)."
            )


@admin.register(Organization)
class OrganizationAdmin(AuditedMembershipsMixin, admin.ModelAdmin):
    form = OrganizationAdminForm
    list_display = ["name", "slug", "kind", "country", "time_zone", "verified", "created_at"]
    list_filter = ["kind", "verified", "country"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["verified_at", "created_at"]
    inlines = [MembershipInline]
    actions = ["verify", "unverify"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.time_zone = services.organization_time_zone_for_new(
                country=obj.country, time_zone=form.cleaned_data.get("time_zone", "")
            )
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Mark the selected suppliers as verified"))
    def verify(self, request, queryset):
        count = self._each_supplier(queryset, services.organization_verify)
        self.message_user(
            request, _("%(count)d supplier(s) verified.") % {"count": count}, messages.SUCCESS
        )

    @admin.action(description=_("Withdraw verification from the selected suppliers"))
    def unverify(self, request, queryset):
        count = self._each_supplier(queryset, services.organization_unverify)
        self.message_user(
            request,
            _("%(count)d supplier(s) no longer verified.") % {"count": count},
            messages.SUCCESS,
        )

    @staticmethod
    def _each_supplier(queryset, service) -> int:
        # Merchants in the selection are left alone: only suppliers are verified.
        suppliers = list(queryset.filter(kind="supplier"))
        for organization in suppliers:
            service(organization=organization)
        return len(suppliers)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role", "organization__kind"]
    search_fields = ["user__email", "organization__name", "organization__slug"]
    autocomplete_fields = ["user", "organization"]
    list_select_related = ["user", "organization"]

    def save_model(self, request, obj, form, change):
        role_before = form.initial.get("role") if change else None
        super().save_model(request, obj, form, change)
        services.membership_audit(
            actor=Actor.platform(user=request.user), membership=obj, role_before=role_before
        )

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.membership_audit(
            actor=Actor.platform(user=request.user), membership=obj, role_before=None, removed=True
        )

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("user", "organization"):
            self.delete_model(request, membership)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "key_prefix",
        "user",
        "organization",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["key_prefix", "user__email", "organization__slug"]
    list_select_related = ["user", "organization"]
    readonly_fields = [
        "key_prefix",
        "user",
        "organization",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    actions = ["revoke"]

    def has_add_permission(self, request):
        # Tokens are issued through the API so that the key is shown once, to its owner.
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        actor = Actor.platform(user=request.user)
        for token in queryset.select_related("user", "organization"):
            services.api_token_revoke(token=token, actor=actor, request=request)
        self.message_user(request, _("Tokens revoked."), messages.SUCCESS)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The operators' read-only view of every organization's audit log."""

    list_display = ["at", "action", "organization", "actor_email", "target", "ip_address"]
    list_filter = ["action", "actor_party"]
    search_fields = ["=actor_email", "=target", "organization__slug"]
    list_select_related = ["organization"]
    ordering = ["-id"]
    show_full_result_count = False
    paginator = CappedCountPaginator

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
