"""Reads of orders, scoped by the active tenant (a merchant sees its orders; a supplier sees
the orders it fulfils lines of, and only those lines and parcels).

The related rows each page needs are decided here, once, so that a page costs the same
number of queries whatever its size.
"""

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.db.models import Case, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.models import Organization
from core import tenancy
from core.errors import NotFound
from core.replicas import on_replica
from deadlines.selectors import rule_values_for_merchants
from orders.deadline_rules import RULES as SHIP_RULES_DEFINED
from orders.deadline_rules import SHIP_REMINDER
from orders.models import (
    Order,
    OrderImport,
    OrderLine,
    OrderStatus,
    Shipment,
    ShipmentStatus,
)
from suppliers.selectors import supplier_list_for_merchant

EXPORT_BATCH_SIZE = 2000


def _lines() -> QuerySet[OrderLine]:
    return OrderLine.objects.select_related("supplier").order_by("id")


def order_list_for_merchant() -> QuerySet[Order]:
    """The active merchant's orders, newest first, with their lines (on the replica, when
    there is one: core.replicas)."""
    return on_replica(
        Order.objects.prefetch_related(Prefetch("lines", queryset=_lines())).order_by(
            "-placed_at", "-id"
        )
    )


def supplier_status(supplier_id) -> Case:
    """An order's status as its supplier sees it: over that supplier's lines and parcels only.

    The order's own status would tell a supplier how the other suppliers are doing.
    """
    own_lines = OrderLine.objects.filter(order_id=OuterRef("pk"), supplier_id=supplier_id)
    own_parcels = Shipment.objects.filter(order_id=OuterRef("pk"), supplier_id=supplier_id)
    return Case(
        When(status=OrderStatus.CANCELLED, then=Value(OrderStatus.CANCELLED)),
        When(
            ~Exists(own_lines.filter(shipped_at__isnull=False)),
            then=Value(OrderStatus.UNSHIPPED),
        ),
        When(
            Exists(own_lines.filter(shipped_at__isnull=True)),
            then=Value(OrderStatus.PARTIALLY_SHIPPED),
        ),
        When(
            Exists(
                own_parcels.exclude(status__in=(ShipmentStatus.DELIVERED, ShipmentStatus.VOIDED))
            ),
            then=Value(OrderStatus.SHIPPED),
        ),
        default=Value(OrderStatus.DELIVERED),
    )


def order_list_for_supplier() -> QuerySet[Order]:
    """The orders the active supplier fulfils lines of, across merchants, with those lines."""
    supplier = tenancy.current_organization()
    return on_replica(
        Order.objects.select_related("merchant")
        .annotate(supplier_status=supplier_status(supplier.pk))
        .prefetch_related(Prefetch("lines", queryset=_lines()))
        .order_by("-placed_at", "-id")
    )


def order_list() -> QuerySet[Order]:
    """The order list of whoever the active scope is."""
    organization = tenancy.current_organization()
    if organization is not None and organization.is_supplier:
        return order_list_for_supplier()
    return order_list_for_merchant()


# What a row of the order list shows, read as plain values: a page of model instances with
# their lines (and the lines' suppliers) cost more to build than the rows cost to read.
_ADDRESS_FIELDS = (
    "ship_line1",
    "ship_line2",
    "ship_city",
    "ship_region",
    "ship_postal_code",
    "ship_country",
)
ORDER_ROW_FIELDS = (
    "id",
    "external_id",
    "placed_at",
    "currency",
    "total",
    "status",
    "is_international",
    "customer_name",
    "customer_email",
    *_ADDRESS_FIELDS,
    "created_at",
    "updated_at",
)
# A supplier's row: no e-mail, currency or total; the status over its own lines.
SUPPLIER_ORDER_ROW_FIELDS = (
    "id",
    "external_id",
    "placed_at",
    "supplier_status",
    "is_international",
    "customer_name",
    *_ADDRESS_FIELDS,
)
ORDER_LINE_ROW_FIELDS = (
    "order_id",
    "id",
    "sku",
    "title",
    "variant",
    "quantity",
    "unit_price",
    "shipped_at",
)


def order_row_list() -> QuerySet[dict]:
    """order_list() as rows of what the list shows, in its order, without lines (see
    order_line_rows_for_orders); a supplier's rows carry `supplier_status` and the
    merchant's `merchant_slug` and `merchant_name`."""
    organization = tenancy.current_organization()
    if organization is not None and organization.is_supplier:
        rows = Order.objects.annotate(supplier_status=supplier_status(organization.pk)).values(
            *SUPPLIER_ORDER_ROW_FIELDS,
            merchant_slug=F("merchant__slug"),
            merchant_name=F("merchant__name"),
        )
    else:
        rows = Order.objects.values(*ORDER_ROW_FIELDS)
    return on_replica(rows.order_by("-placed_at", "-id"))


def order_line_rows_for_orders(*, order_ids) -> dict[uuid.UUID, list[dict]]:
    """{order id: its lines the active scope sees (a supplier: its own), by id, as rows with
    the supplier's `supplier_slug`}, in one query (none for no orders)."""
    lines: dict[uuid.UUID, list[dict]] = {order_id: [] for order_id in order_ids}
    if not lines:
        return lines
    rows = (
        on_replica(OrderLine.objects.filter(order_id__in=list(lines)))
        .order_by("id")
        .values(*ORDER_LINE_ROW_FIELDS, supplier_slug=F("supplier__slug"))
    )
    for row in rows:
        lines[row.pop("order_id")].append(row)
    return lines


def order_get(*, order_id) -> Order:
    """One order with its lines and parcels, as the active scope may see it; else NotFound."""
    try:
        order_id = uuid.UUID(str(order_id))
    except ValueError as error:
        raise NotFound() from error
    parcels = Shipment.objects.select_related("supplier").order_by("shipped_at", "id")
    order = (
        order_list()
        .prefetch_related(
            Prefetch("shipments", queryset=parcels.prefetch_related(Prefetch("lines", _lines())))
        )
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise NotFound()
    return order


def order_line_list_for_order(*, order: Order, line_ids) -> list[OrderLine] | None:
    """The order's lines with these ids that the active scope sees, with their supplier;
    None if any is unknown."""
    try:
        wanted = {uuid.UUID(str(line_id)) for line_id in line_ids}
    except ValueError:
        return None
    lines = OrderLine.objects.filter(order=order, pk__in=wanted).select_related("supplier")
    lines = list(lines.order_by("id"))
    return lines if len(lines) == len(wanted) else None


def shipment_get(*, order: Order, shipment_id) -> Shipment:
    """One parcel of `order` that the active scope sees (a supplier: its own); else NotFound."""
    try:
        shipment_id = uuid.UUID(str(shipment_id))
    except ValueError as error:
        raise NotFound() from error
    shipment = (
        Shipment.objects.select_related("order", "order__merchant", "supplier")
        .filter(order=order, pk=shipment_id)
        .first()
    )
    if shipment is None:
        raise NotFound()
    return shipment


# A parcel the carrier still carries: it may yet arrive.
MOVING_STATUSES = (ShipmentStatus.IN_TRANSIT, ShipmentStatus.CUSTOMS_HOLD)


def parcel_list_for_order(*, order: Order) -> list[Shipment]:
    """The order's parcels that count (voided ones do not), first shipped first."""
    return list(
        Shipment.objects.filter(order=order)
        .exclude(status=ShipmentStatus.VOIDED)
        .order_by("shipped_at", "id")
    )


def shipment_list_to_fix_for_supplier() -> QuerySet[Shipment]:
    """The active supplier's parcels whose tracking number looks invalid, oldest first."""
    return (
        Shipment.objects.filter(status=ShipmentStatus.TRACKING_INVALID)
        .select_related("order", "order__merchant")
        .order_by("shipped_at", "id")
    )


def order_import_get(*, import_id) -> OrderImport:
    try:
        import_id = uuid.UUID(str(import_id))
    except ValueError as error:
        raise NotFound() from error
    order_import = OrderImport.objects.filter(pk=import_id).first()
    if order_import is None:
        raise NotFound()
    return order_import


def order_import_list_for_merchant(*, limit: int = 10) -> list[OrderImport]:
    return list(OrderImport.objects.defer("errors").order_by("-created_at")[:limit])


def order_lines_for_export(*, orders: QuerySet[Order]) -> Iterator[OrderLine]:
    """Every visible line of `orders`, newest order first, streamed in batches."""
    order_ids = orders.order_by().values("pk")
    return (
        on_replica(OrderLine.objects.filter(order__in=order_ids))
        .select_related("order", "supplier")
        .order_by("-order__placed_at", "-order_id", "id")
        .iterator(chunk_size=EXPORT_BATCH_SIZE)
    )


def orders_to_ship_for_supplier() -> QuerySet[Order]:
    """The active supplier's orders with at least one of its lines not shipped yet."""
    # The supplier's scope already limits OrderLine to its own lines.
    waiting = OrderLine.objects.filter(order_id=OuterRef("pk"), shipped_at__isnull=True)
    return order_list_for_supplier().filter(Exists(waiting)).exclude(status=OrderStatus.CANCELLED)


def alternative_supplier_list_for_skus(
    *, skus, exclude_supplier_id
) -> dict[str, list[Organization]]:
    """For each sku, the other suppliers linked to the active merchant that have sold it.

    "Sold" means: some order line of this merchant names that supplier for that sku. Verified
    suppliers come first (only they take part in in-app disputes), then by name.
    """
    skus = sorted(set(skus))
    if not skus:
        return {}
    # Linked suppliers are few: naming them lets the (merchant, supplier, sku) index answer
    # with equality lookups instead of scanning the merchant's whole history of lines.
    suppliers = {
        supplier.pk: supplier
        for supplier in supplier_list_for_merchant()
        .exclude(pk=exclude_supplier_id)
        .order_by("-verified", "name", "pk")
    }
    if not suppliers:
        return {}
    sold = set(
        OrderLine.objects.filter(supplier_id__in=list(suppliers), sku__in=skus)
        .order_by()
        .values_list("sku", "supplier_id")
        .distinct()
    )
    ranked = list(suppliers)
    return {
        sku: [suppliers[pk] for pk in ranked if (sku, pk) in sold]
        for sku in skus
        if any((sku, pk) in sold for pk in ranked)
    }


# The portal's shipping desk: which of the supplier's orders each view lists.
SHIPPING_VIEWS = ("to_ship", "to_fix", "shipped", "all")


def ship_reminder_days_for_merchants(*, merchant_ids) -> dict:
    """Days after `placed_at` each merchant expects its lines shipped (its ship-reminder)."""
    rule = next(rule for rule in SHIP_RULES_DEFINED if rule.code == SHIP_REMINDER)
    values = rule_values_for_merchants(merchant_ids=merchant_ids, rule=rule)
    return {merchant_id: value.numbers["after_days"] for merchant_id, value in values.items()}


def _overdue(days_by_merchant: dict, now: datetime) -> Q:
    """Placed longer ago than its merchant's ship-reminder days: a few ORs, one per setting."""
    merchants_by_days: dict[int, list] = {}
    for merchant_id, days in days_by_merchant.items():
        merchants_by_days.setdefault(days, []).append(merchant_id)
    overdue = Q(pk__in=[])
    for days, merchant_ids in merchants_by_days.items():
        overdue |= Q(merchant_id__in=merchant_ids, placed_at__lt=now - timedelta(days=days))
    return overdue


def order_list_for_shipping_desk(
    *,
    view: str = "to_ship",
    merchant: str = "",
    overdue_after_days: dict | None = None,
    now: datetime | None = None,
) -> QuerySet[Order]:
    """The active supplier's orders for one view of the shipping desk, with its own lines and
    each line's parcels that count (not voided), first shipped first.

    `overdue_after_days` (merchant id → days): only orders with a line still to ship past
    its merchant's ship-reminder days.
    """
    # The supplier's scope limits lines and parcels to its own.
    own_lines = OrderLine.objects.filter(order_id=OuterRef("pk"))
    waiting = Exists(own_lines.filter(shipped_at__isnull=True))
    parcels = Shipment.objects.exclude(status=ShipmentStatus.VOIDED).order_by("shipped_at", "id")
    lines = OrderLine.objects.order_by("sku", "id").prefetch_related(
        Prefetch("shipments", queryset=parcels, to_attr="live_parcels")
    )
    orders = (
        Order.objects.select_related("merchant")
        .prefetch_related(Prefetch("lines", queryset=lines))
        .order_by("-placed_at", "-id")
    )
    open_orders = ~Q(status=OrderStatus.CANCELLED)
    if view == "to_ship":
        orders = orders.filter(waiting, open_orders)
    elif view == "shipped":
        orders = orders.filter(~waiting, open_orders)
    elif view == "to_fix":
        invalid = Shipment.objects.filter(
            order_id=OuterRef("pk"), status=ShipmentStatus.TRACKING_INVALID
        )
        orders = orders.filter(Exists(invalid))
    if merchant:
        orders = orders.filter(merchant__slug=merchant)
    if overdue_after_days is not None:
        orders = orders.filter(
            waiting, open_orders, _overdue(overdue_after_days, now or timezone.now())
        )
    return orders


def order_line_get_for_shipping_desk(*, line_id) -> OrderLine:
    """One of the active supplier's lines with its order and parcels; else NotFound."""
    try:
        line_id = uuid.UUID(str(line_id))
    except ValueError as error:
        raise NotFound() from error
    parcels = Shipment.objects.exclude(status=ShipmentStatus.VOIDED).order_by("shipped_at", "id")
    line = (
        OrderLine.objects.select_related("order", "order__merchant")
        .prefetch_related(Prefetch("shipments", queryset=parcels, to_attr="live_parcels"))
        .filter(pk=line_id)
        .first()
    )
    if line is None:
        raise NotFound()
    return line


def order_line_list_in_parcel(*, shipment: Shipment) -> list[OrderLine]:
    """The lines a parcel carries that the active scope sees, as the desk shows them."""
    parcels = Shipment.objects.exclude(status=ShipmentStatus.VOIDED).order_by("shipped_at", "id")
    return list(
        OrderLine.objects.filter(shipments=shipment)
        .select_related("order", "order__merchant")
        .prefetch_related(Prefetch("shipments", queryset=parcels, to_attr="live_parcels"))
        .order_by("sku", "id")
    )


def shipment_get_for_line(*, line: OrderLine, shipment_id) -> Shipment:
    """A parcel that counts (not voided) carrying `line`, that the active scope sees."""
    try:
        shipment_id = uuid.UUID(str(shipment_id))
    except ValueError as error:
        raise NotFound() from error
    shipment = (
        Shipment.objects.select_related("order", "order__merchant")
        .exclude(status=ShipmentStatus.VOIDED)
        .filter(pk=shipment_id, lines=line)
        .first()
    )
    if shipment is None:
        raise NotFound()
    return shipment
