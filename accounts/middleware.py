import zoneinfo

from django.utils import timezone, translation

from accounts.selectors import membership_list_for_user
from core import tenancy

ACTIVE_ORGANIZATION_SESSION_KEY = "active_organization_id"


class UserPreferencesMiddleware:
    """A signed-in user's own language and time zone win over the browser's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            if user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class ActiveOrganizationMiddleware:
    """Resolves the organization a browser user works in, and scopes the request to it.

    The API sets its own scope from the token, so /api/ is left alone here; the platform
    admin reads across tenants on purpose, and only staff reach it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.memberships = []
        request.organization = None
        request.membership = None
        if request.path.startswith("/api/") or not request.user.is_authenticated:
            return self.get_response(request)
        if request.path.startswith("/admin/") and request.user.is_staff:
            # Platform admin and platform insights: logged with the operator and the page.
            reason = f"platform admin: {request.method} {request.path}"
            with tenancy.cross_tenant_scope(reason=reason, by=request.user.email):
                return self.get_response(request)
        request.memberships = membership_list_for_user(user=request.user)
        request.membership = active_membership(request)
        if request.membership is None:
            return self.get_response(request)
        request.organization = request.membership.organization
        with tenancy.organization_scope(request.organization):
            return self.get_response(request)


def active_membership(request):
    chosen = request.session.get(ACTIVE_ORGANIZATION_SESSION_KEY)
    for membership in request.memberships:
        if str(membership.organization_id) == chosen:
            return membership
    return request.memberships[0] if request.memberships else None
