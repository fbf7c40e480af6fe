"""The base of every API view: authentication, membership, role, and the tenant scope.

A view that does not inherit `ScopedAPIView` is caught by a test that walks the URLs;
the few public ones (token issue, schema, health) are listed there by name.
"""

from zoneinfo import ZoneInfo

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from rest_framework import generics, permissions, viewsets
from rest_framework.exceptions import MethodNotAllowed, PermissionDenied
from rest_framework.views import APIView

from core import tenancy
from core.api.idempotency import idempotent

MERCHANT = "merchant"
# A router's lookup that only matches ids: anything else is a 404 before any query.
UUID_PATTERN = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
SUPPLIER = "supplier"


class OrganizationRolePermission(permissions.BasePermission):
    """The token's organization must be of a kind the view serves, and its role allowed."""

    def has_permission(self, request, view) -> bool:
        token = request.auth
        if token is None or request.user is None:
            return False
        organization = token.organization
        if organization.kind not in view.organization_kinds:
            raise PermissionDenied(view.wrong_kind_message())
        roles = view.required_roles(request)
        if roles is not None and token.role not in roles:
            raise PermissionDenied()
        return True


class ScopedAPIView(APIView):
    """Sets the tenant scope to the token's organization for the whole request."""

    permission_classes = [OrganizationRolePermission]
    organization_kinds: tuple[str, ...] = (MERCHANT, SUPPLIER)
    # Roles that may call unsafe methods; None lets every member write.
    write_roles: frozenset[str] | None = None
    read_roles: frozenset[str] | None = None

    def required_roles(self, request):
        if request.method in permissions.SAFE_METHODS:
            return self.read_roles
        return self.write_roles

    def wrong_kind_message(self) -> str:
        if self.organization_kinds == (MERCHANT,):
            return _("This endpoint is for merchant organizations.")
        return _("This endpoint is for supplier organizations.")

    @property
    def organization(self):
        return self.request.auth.organization

    @property
    def actor(self):
        """The caller as services expect it (see accounts.actors.Actor)."""
        return self.request.auth.actor

    def perform_authentication(self, request):
        super().perform_authentication(request)
        language = getattr(request.user, "language", "")
        if language:
            # The caller's own language wins over Accept-Language, as on the pages,
            # for every answer after authentication, refusals included.
            translation.activate(language)
            request.LANGUAGE_CODE = language
        time_zone = getattr(request.user, "time_zone", "")
        if time_zone:
            # Texts that state a time (timeline notices) read in the caller's zone, as on the
            # pages; the middleware deactivates it when the request ends.
            timezone.activate(ZoneInfo(time_zone))

    def initial(self, request, *args, **kwargs):
        if not hasattr(self, request.method.lower()):
            # Whoever asks, a method the path does not serve is a 405, not a 401 or 403.
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)
        self._tenant_scope_token = tenancy.activate(tenancy.Scope(request.auth.organization))
        if request.method == "POST":
            # Every POST honours Idempotency-Key (API.md, "General"): the handler runs once.
            self.post = idempotent(self.post)

    def finalize_response(self, request, response, *args, **kwargs):
        scope_token = getattr(self, "_tenant_scope_token", None)
        if scope_token is not None:
            tenancy.deactivate(scope_token)
            self._tenant_scope_token = None
        return super().finalize_response(request, response, *args, **kwargs)


class ScopedGenericAPIView(ScopedAPIView, generics.GenericAPIView):
    pass


class ScopedViewSet(ScopedAPIView, viewsets.GenericViewSet):
    pass
