from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, OrganizationKind
from core.ids import new_id
from core.tenancy import TenantModel


class SupplierLink(TenantModel):
    """A merchant works with a supplier: its orders' lines may name that supplier."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    supplier = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="merchant_links",
        limit_choices_to={"kind": OrganizationKind.SUPPLIER},
    )
    created_at = models.DateTimeField(_("linked at"), default=timezone.now)

    class Meta:
        verbose_name = _("supplier link")
        verbose_name_plural = _("supplier links")
        constraints = [
            models.UniqueConstraint(fields=["merchant", "supplier"], name="supplier_link_unique")
        ]

    def __str__(self):
        return f"{self.merchant} ↔ {self.supplier}"
