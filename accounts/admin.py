from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import ApiToken, Membership, Organization, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user", "organization"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
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


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "country", "time_zone", "verified", "created_at"]
    list_filter = ["kind", "verified", "country"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["verified_at", "created_at"]
    inlines = [MembershipInline]
    actions = ["verify", "unverify"]

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
        for token in queryset:
            services.api_token_revoke(token=token)
        self.message_user(request, _("Tokens revoked."), messages.SUCCESS)
