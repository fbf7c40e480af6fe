from django.utils.translation import gettext as _

from accounts.models import Organization
from core.errors import ValidationFailed
from suppliers.models import SupplierLink


def supplier_link_create(*, merchant: Organization, supplier: Organization) -> SupplierLink:
    if not merchant.is_merchant or not supplier.is_supplier:
        raise ValidationFailed(_("A link joins a merchant to a supplier."))
    link, _created = SupplierLink.cross_tenant_objects.get_or_create(
        merchant=merchant, supplier=supplier
    )
    return link
