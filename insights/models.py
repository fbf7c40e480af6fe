from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from core.tenancy import TenantModel


class PlatformInsight(Organization):
    """The platform's analytics page in the admin (a proxy: it adds no table)."""

    class Meta:
        proxy = True
        verbose_name = _("platform insight")
        verbose_name_plural = _("platform insights")


class SupplierDay(TenantModel):
    """A supplier's order lines at one merchant on one day (UTC), counted once the day is
    over (insights.services.supplier_days_refresh), so that a period's supplier figures
    add up a few rows per day instead of reading every line again."""

    id = models.BigAutoField(primary_key=True)
    supplier = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"))
    # Orders with at least one line of the supplier: an order's lines share its day, so the
    # days of a period add up to the period's count.
    orders = models.PositiveIntegerField(_("orders"))
    lines = models.PositiveIntegerField(_("lines"))
    # Lines shipped within the merchant's ship-reminder days (SupplierDayState.allowed_days).
    on_time_lines = models.PositiveIntegerField(_("lines shipped on time"))

    class Meta:
        verbose_name = _("supplier day")
        verbose_name_plural = _("supplier days")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "supplier", "day"], name="supplier_day_unique"
            )
        ]
        indexes = [
            models.Index(fields=["merchant", "day"], name="supplierday_merchant_day"),
            models.Index(fields=["supplier", "merchant", "day"], name="supplierday_supplier_day"),
        ]

    def __str__(self):
        return f"{self.supplier_id} {self.day}"


class MerchantDay(TenantModel):
    """A merchant's orders placed on one day (UTC), counted with its SupplierDay rows and by
    the same rules (insights.coverage), so that the overview adds up a row per day instead
    of counting a period's orders again. (An order with several suppliers is one order: the
    supplier rows cannot be added up to this.)"""

    id = models.BigAutoField(primary_key=True)
    day = models.DateField(_("day"))
    orders = models.PositiveIntegerField(_("orders"))

    class Meta:
        verbose_name = _("merchant day")
        verbose_name_plural = _("merchant days")
        constraints = [
            models.UniqueConstraint(fields=["merchant", "day"], name="merchant_day_unique")
        ]

    def __str__(self):
        return f"{self.merchant_id} {self.day}"


class SupplierDayState(TenantModel):
    """How far a merchant's SupplierDay and MerchantDay rows go, and the allowance the
    on-time counts used: with another allowance now, none of them counts until they are
    recomputed."""

    summarized_before = models.DateField(_("summarized before"))
    allowed_days = models.PositiveIntegerField(_("ship-reminder days"))

    class Meta:
        verbose_name = _("supplier days state")
        verbose_name_plural = _("supplier days states")
        constraints = [
            models.UniqueConstraint(fields=["merchant"], name="supplier_day_state_one_per_merchant")
        ]

    def __str__(self):
        return f"{self.merchant_id}: before {self.summarized_before}"
