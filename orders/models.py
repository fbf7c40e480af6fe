from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, OrganizationKind
from core.ids import new_id
from core.tenancy import TenantModel
from orders.tracking import CARRIERS


class OrderStatus(models.TextChoices):
    UNSHIPPED = "unshipped", _("not shipped")  # no line has left the supplier
    PARTIALLY_SHIPPED = "partially_shipped", _("partially shipped")  # some lines in a parcel
    SHIPPED = "shipped", _("shipped")  # every line is in a parcel
    DELIVERED = "delivered", _("delivered")  # every parcel is delivered
    CANCELLED = "cancelled", _("cancelled")  # the customer or the shop cancelled it


class Order(TenantModel):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    external_id = models.CharField(_("shop order id"), max_length=100)
    placed_at = models.DateTimeField(_("placed at"))
    currency = models.CharField(_("currency"), max_length=3)
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2, default=0)
    customer_name = models.CharField(_("customer name"), max_length=200)
    customer_email = models.EmailField(_("customer e-mail"), blank=True)
    ship_line1 = models.CharField(_("address line 1"), max_length=200)
    ship_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    ship_city = models.CharField(_("city"), max_length=100)
    ship_region = models.CharField(_("region"), max_length=100, blank=True)
    ship_postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    ship_country = models.CharField(_("country"), max_length=2)
    # Derived from the merchant's country and the destination when the order is written:
    # a domestic parcel can still be intercepted, an international one cannot.
    is_international = models.BooleanField(_("international"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.UNSHIPPED
    )
    # Lines the shop sent that no supplier is known for yet ([{sku, title, variant, quantity,
    # vendor}]): not order lines until a supplier mapping covers them.
    unassigned_lines = models.JSONField(_("lines without a supplier"), default=list, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "external_id"], name="order_external_id_unique_per_merchant"
            )
        ]
        indexes = [
            # The list pages and filters of a merchant with a million orders.
            models.Index(fields=["merchant", "-placed_at", "-id"], name="order_merchant_placed"),
            models.Index(fields=["merchant", "status", "-placed_at"], name="order_merchant_status"),
            models.Index(fields=["merchant", "customer_email"], name="order_merchant_email"),
            # Across merchants: a supplier's order list, and the platform admin's date
            # hierarchy and searches by shop order id or e-mail.
            models.Index(fields=["-placed_at", "-id"], name="order_placed"),
            # The order search (filters.OrderFilter.q) compares ids case-insensitively.
            models.Index(Upper("external_id"), name="order_external_id_upper"),
            models.Index(fields=["customer_email"], name="order_customer_email"),
        ]

    def __str__(self):
        return self.external_id

    # visible_to's supplier rule for the database's row-level security (core.rls).
    row_security_also = (
        "EXISTS (SELECT 1 FROM orders_orderline AS line "
        "WHERE line.order_id = {table}.id AND line.supplier_id = {organization})"
    )

    @classmethod
    def visible_to(cls, organization) -> Q:
        if organization.is_supplier:
            # A supplier sees the orders it fulfils at least one line of, across merchants.
            return Q(
                Exists(
                    OrderLine.cross_tenant_objects.filter(
                        order_id=OuterRef("pk"), supplier_id=organization.pk
                    )
                )
            )
        return super().visible_to(organization)


class OrderLine(TenantModel):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    supplier = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": OrganizationKind.SUPPLIER},
    )
    sku = models.CharField(_("SKU"), max_length=100)
    title = models.CharField(_("title"), max_length=300)
    variant = models.CharField(_("variant"), max_length=200, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    # The order's `placed_at`, copied (the order services keep it equal): the analytics
    # count a million orders' lines by date, supplier and sku without joining the orders.
    placed_at = models.DateTimeField(_("placed at"))
    # Set when the line is first put in a parcel; the shipping deadlines watch it.
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    # Set by the ship-overdue deadline when the line is still not shipped: the supplier
    # likely ran out of stock. Kept after the line ships, as a record of the delay.
    stock_problem_flagged_at = models.DateTimeField(
        _("stock problem flagged at"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        indexes = [
            models.Index(fields=["supplier", "order"], name="orderline_supplier_order"),
            models.Index(fields=["merchant", "supplier", "sku"], name="orderline_merchant_sku"),
            # The analytics of a period: a merchant's lines, and a supplier's across its
            # merchants, read from the index alone (insights.selectors).
            models.Index(
                fields=["merchant", "placed_at"],
                include=["supplier", "sku", "order", "shipped_at"],
                name="orderline_merchant_placed",
            ),
            models.Index(
                fields=["supplier", "merchant", "placed_at"],
                include=["order", "shipped_at"],
                name="orderline_supplier_placed",
            ),
            # A supplier's lines still to ship: the portal's list and the shipping deadlines.
            models.Index(
                fields=["supplier", "order"],
                condition=Q(shipped_at__isnull=True),
                name="orderline_supplier_to_ship",
            ),
        ]

    def __str__(self):
        return f"{self.sku} x {self.quantity}"

    def save(self, *args, **kwargs):
        if self.placed_at is None and self.order_id is not None:
            self.placed_at = self.order.placed_at
        super().save(*args, **kwargs)

    @property
    def amount(self):
        return self.unit_price * self.quantity


class LineDayChange(TenantModel):
    """A day (UTC) whose order lines changed: lines added, edited, removed or shipped, or an
    order moved to or from it. Figures kept per day (insights' daily summary) count such a
    day from the lines themselves until their refresh recomputes it and deletes the row."""

    id = models.BigAutoField(primary_key=True)
    day = models.DateField(_("day"))

    class Meta:
        verbose_name = _("changed day of order lines")
        verbose_name_plural = _("changed days of order lines")
        indexes = [models.Index(fields=["merchant", "day"], name="linedaychange_merchant_day")]

    def __str__(self):
        return f"{self.merchant_id}: {self.day}"


class ShipmentStatus(models.TextChoices):
    IN_TRANSIT = "in_transit", _("in transit")  # handed to the carrier
    # Recorded with a number that fails its carrier's check: nobody can follow the parcel
    # until the number is corrected, so it is not shown as in transit.
    TRACKING_INVALID = "tracking_invalid", _("tracking number invalid")
    CUSTOMS_HOLD = "customs_hold", _("held at customs")  # the buyer may have to clear it
    DELIVERED = "delivered", _("delivered")  # the carrier says it was delivered
    RETURNED = "returned", _("returned to sender")
    LOST = "lost", _("lost")  # the carrier gave up on it
    VOIDED = "voided", _("voided")  # recorded by mistake: it carries nothing any more


# Carriers by code as people name them: brand names stay as they are; the names that are
# words are translated. A carrier Redress does not know is shown as the client wrote it.
CARRIER_NAMES = {
    **CARRIERS,
    "upu": _("International post (UPU S10)"),
    "china_post": _("China Post"),
    "ems_china": _("China EMS"),
}


def carrier_name(code: str) -> str:
    return str(CARRIER_NAMES.get(code, code))


class Shipment(TenantModel):
    """One parcel: an order may ship in several, each carrying some of its lines."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments")
    # The supplier whose lines the parcel carries (a parcel never mixes suppliers).
    supplier = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": OrganizationKind.SUPPLIER},
    )
    lines = models.ManyToManyField(OrderLine, related_name="shipments")
    carrier = models.CharField(_("carrier"), max_length=50, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=64)
    # None: "unchecked", a carrier Redress has no formats for.
    tracking_valid = models.BooleanField(_("tracking number valid"), null=True, blank=True)
    # Empty when the number is valid; the API answers null then.
    tracking_problem = models.CharField(_("tracking problem"), max_length=200, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ShipmentStatus.choices,
        default=ShipmentStatus.IN_TRANSIT,
    )
    shipped_at = models.DateTimeField(_("shipped at"))
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        indexes = [
            models.Index(fields=["merchant", "tracking_number"], name="shipment_merchant_tracking"),
            models.Index(fields=["supplier", "-shipped_at"], name="shipment_supplier_shipped"),
            # The platform admin's search by tracking number, across merchants.
            models.Index(fields=["tracking_number"], name="shipment_tracking"),
            # The merchant home's count of parcels whose number needs correcting.
            models.Index(
                fields=["merchant"],
                condition=Q(status="tracking_invalid"),
                name="shipment_merchant_tracking_bad",
            ),
        ]
        constraints = [
            # The same parcel recorded twice (a double click, a retried request) is refused.
            # A voided parcel's number may be recorded again, on the parcel meant.
            models.UniqueConstraint(
                fields=["order", "tracking_number"],
                condition=~Q(status="voided"),
                name="shipment_live_tracking_unique_per_order",
            )
        ]

    def __str__(self):
        return f"{self.carrier or '?'} {self.tracking_number}"

    @property
    def carrier_name(self) -> str:
        return carrier_name(self.carrier)


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("queued")  # waiting for a worker
    RUNNING = "running", _("running")  # a worker is reading the file
    DONE = "done", _("done")  # every row was read; some may have errors
    FAILED = "failed", _("failed")  # the file could not be read at all


class OrderImport(TenantModel):
    """A CSV file of orders being imported in the background."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    filename = models.CharField(_("file name"), max_length=255)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("rows"), default=0)
    processed = models.PositiveIntegerField(_("rows read"), default=0)
    created = models.PositiveIntegerField(_("orders created"), default=0)
    updated = models.PositiveIntegerField(_("orders updated"), default=0)
    # The first errors (row, external id, messages by column); error_count counts them all.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("order import")
        verbose_name_plural = _("order imports")
        indexes = [models.Index(fields=["merchant", "-created_at"], name="orderimport_merchant")]

    def __str__(self):
        return self.filename
