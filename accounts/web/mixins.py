"""What every dashboard (/app/) and portal (/portal/) page inherits."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from accounts.actors import Actor
from accounts.models import MERCHANT_OWNERS, MERCHANT_WORKERS, SUPPLIER_WORKERS, OrganizationKind


class OrganizationPageMixin(LoginRequiredMixin):
    organization_kind: str = ""
    # Roles that may POST on this page; everyone in the organization may read it.
    write_roles: frozenset = frozenset()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        organization = request.organization
        if organization is None or organization.kind != self.organization_kind:
            # A supplier who follows a dashboard link lands in its own home, and vice versa.
            return redirect("home")
        if request.method not in ("GET", "HEAD", "OPTIONS") and (
            request.membership.role not in self.write_roles
        ):
            raise PermissionDenied
        self.actor = Actor.member(
            user=request.user, organization=organization, role=request.membership.role
        )
        return super().dispatch(request, *args, **kwargs)


class MerchantPageMixin(OrganizationPageMixin):
    organization_kind = OrganizationKind.MERCHANT
    write_roles = MERCHANT_WORKERS
    base_template = "app/base.html"


class SupplierPageMixin(OrganizationPageMixin):
    organization_kind = OrganizationKind.SUPPLIER
    write_roles = SUPPLIER_WORKERS
    base_template = "portal/base.html"


class MerchantOwnerPageMixin(MerchantPageMixin):
    """A page only the shop's owner may read or use."""

    write_roles = MERCHANT_OWNERS

    def dispatch(self, request, *args, **kwargs):
        membership = getattr(request, "membership", None)
        if (
            request.user.is_authenticated
            and membership is not None
            and request.organization.is_merchant
            and membership.role not in MERCHANT_OWNERS
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
