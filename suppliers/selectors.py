"""Reads scoped to the active organization (the tenant scope does the filtering)."""

from django.db.models import Exists, OuterRef, QuerySet

from accounts.models import Organization, OrganizationKind
from suppliers.models import SupplierLink


def supplier_list_for_merchant() -> QuerySet[Organization]:
    """The suppliers the active merchant is linked to."""
    linked = SupplierLink.objects.filter(supplier_id=OuterRef("pk"))
    return Organization.objects.filter(Exists(linked), kind=OrganizationKind.SUPPLIER)


def merchant_list_for_supplier() -> QuerySet[Organization]:
    """The merchants the active supplier serves."""
    linked = SupplierLink.objects.filter(merchant_id=OuterRef("pk"))
    return Organization.objects.filter(Exists(linked), kind=OrganizationKind.MERCHANT)


def supplier_get_for_merchant(*, slug: str) -> Organization | None:
    return supplier_list_for_merchant().filter(slug=slug).first()
