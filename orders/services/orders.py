"""Writes of orders and their lines: one order (API), many orders (bulk API, CSV import).

Every order is written whole or not at all: its lines never land without it, and a bad
order in a batch is reported by its index while the others land.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, ProtectedError, RestrictedError, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.actors import Actor
from accounts.models import Organization
from core.bulk import InstanceMaker, copy_insert
from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from core.tenancy import organization_scope
from orders.models import Order, OrderLine, OrderStatus, ShipmentStatus
from orders.services.line_days import line_days_changed
from orders.services.shipping_deadlines import (
    ship_deadlines_cancel,
    ship_deadlines_cancel_when_done,
    ship_deadlines_move,
    ship_deadlines_schedule,
)
from orders.validation import OrderData, parse_order
from suppliers.selectors import supplier_list_for_merchant

MAX_BULK_ORDERS = 1000
# The columns an upsert may change on an existing order.
ORDER_UPDATE_FIELDS = [
    "placed_at",
    "currency",
    "total",
    "customer_name",
    "customer_email",
    "ship_line1",
    "ship_line2",
    "ship_city",
    "ship_region",
    "ship_postal_code",
    "ship_country",
    "is_international",
    "status",
]
LINE_UPDATE_FIELDS = ["title", "quantity", "unit_price"]


@dataclass
class BulkResult:
    created: int = 0
    updated: int = 0
    # [{"index": <position in the request>, "errors": {field: [messages]}}], by index.
    errors: list[dict] = field(default_factory=list)


def merchant_for_writing(actor: Actor) -> Organization:
    """The merchant whose orders `actor` may change, or PermissionDenied."""
    if not actor.is_merchant or actor.organization is None:
        raise PermissionDenied(_("Only a merchant's staff can write its orders."))
    if not actor.can_work:
        raise PermissionDenied()
    return actor.organization


def order_create(
    *,
    actor: Actor,
    external_id,
    placed_at,
    currency,
    customer: dict,
    shipping_address: dict,
    lines: list[dict],
    now: datetime | None = None,
) -> Order:
    """Create one order with its lines; Conflict if the shop's `external_id` exists."""
    merchant = merchant_for_writing(actor)
    body = {
        "external_id": external_id,
        "placed_at": placed_at,
        "currency": currency,
        "customer": customer,
        "shipping_address": shipping_address,
        "lines": lines,
    }
    data = parse_order(body, now=now)
    # The actor's organization is the scope, whatever scope the caller runs in (a command
    # running cross-tenant must not resolve another merchant's suppliers).
    with organization_scope(merchant):
        suppliers = _linked_suppliers([data])
        errors = _supplier_errors(data, suppliers)
        if errors:
            raise ValidationFailed(field_errors=errors)
        conflict = Conflict(
            _("An order with the external id “%(id)s” already exists.") % {"id": data.external_id},
            field_errors={"external_id": [_("An order with this external id already exists.")]},
        )
        plan = _plan_new(merchant, 0, data, suppliers)
        try:
            with transaction.atomic():
                if Order.objects.filter(merchant=merchant, external_id=data.external_id).exists():
                    raise conflict
                _write(merchant, [plan])
        except IntegrityError as error:
            # Another request created the same external id between the check and the insert.
            raise conflict from error
    return plan.order


def order_bulk_upsert(*, actor: Actor, orders: list, now: datetime | None = None) -> BulkResult:
    """Create or update up to 1,000 orders by `external_id`; bad ones are reported by index."""
    merchant = merchant_for_writing(actor)
    if not isinstance(orders, list) or not orders:
        raise ValidationFailed(field_errors={"orders": [_("Send a non-empty list of orders.")]})
    if len(orders) > MAX_BULK_ORDERS:
        raise ValidationFailed(
            field_errors={
                "orders": [_("At most %(max)d orders per call.") % {"max": MAX_BULK_ORDERS}]
            }
        )
    with organization_scope(merchant):
        return order_upsert_many(merchant=merchant, bodies=dict(enumerate(orders)), now=now)


def order_upsert_many(
    *,
    merchant: Organization,
    bodies: dict[int, object],
    merge_lines: frozenset[int] = frozenset(),
    now: datetime | None = None,
) -> BulkResult:
    """The upsert behind the bulk API and the CSV import; runs in the merchant's scope.

    `bodies` maps an index (position in the request, or an import's group number) to an
    order body. An existing order takes the body's fields; its lines are matched by supplier,
    sku and variant: matched lines are updated, new ones added, and lines missing from the
    body removed unless they have shipped. The indexes in `merge_lines` keep their missing
    lines instead (the CSV import uses it when rows of one order are not consecutive).
    """
    errors: dict[int, dict] = {}
    parsed: dict[int, OrderData] = {}
    first_index: dict[str, int] = {}
    for index, body in bodies.items():
        try:
            data = parse_order(body, now=now)
        except ValidationFailed as error:
            errors[index] = error.field_errors
            continue
        if data.external_id in first_index:
            errors[index] = {
                "external_id": [
                    _("The same external id is sent at index %(index)d.")
                    % {"index": first_index[data.external_id]}
                ]
            }
            continue
        first_index[data.external_id] = index
        parsed[index] = data

    suppliers = _linked_suppliers(parsed.values())
    for index in list(parsed):
        supplier_errors = _supplier_errors(parsed[index], suppliers)
        if supplier_errors:
            errors[index] = supplier_errors
            del parsed[index]

    plans: list[_Plan] = []
    with transaction.atomic():
        existing = _existing_orders(merchant, [data.external_id for data in parsed.values()])
        for index, data in parsed.items():
            order = existing.get(data.external_id)
            try:
                if order is None:
                    plans.append(_plan_new(merchant, index, data, suppliers))
                else:
                    plans.append(
                        _plan_update(
                            merchant, order, index, data, suppliers, merge=index in merge_lines
                        )
                    )
            except ValidationFailed as error:
                errors[index] = error.field_errors
        errors.update(_write_each_on_failure(merchant, plans))

    result = BulkResult()
    for plan in plans:
        if plan.index in errors:
            continue
        if plan.created:
            result.created += 1
        else:
            result.updated += 1
    result.errors = [{"index": index, "errors": errors[index]} for index in sorted(errors)]
    return result


def order_cancel(*, actor: Actor, order: Order, at: datetime | None = None) -> Order:
    """The customer or the shop cancelled the order: nothing of it ships any more.

    Idempotent (a shop repeats its cancellation); parcels already recorded stay, and so do
    the disputes about them. Its pending ship deadlines are withdrawn.
    """
    if not actor.can_work:
        raise PermissionDenied()
    if actor.is_merchant and actor.organization.pk != order.merchant_id:
        raise NotFound()
    with transaction.atomic():
        locked = Order.cross_tenant_objects.select_for_update().get(pk=order.pk)
        if locked.status == OrderStatus.CANCELLED:
            return locked
        locked.status = OrderStatus.CANCELLED
        locked.cancelled_at = at or timezone.now()
        locked.save(update_fields=["status", "cancelled_at", "updated_at"])
        with organization_scope(locked.merchant):
            ship_deadlines_cancel(order=locked)
    return locked


def order_unassigned_lines_set(*, merchant: Organization, external_id: str, lines: list[dict]):
    """Record the shop's lines that no supplier is known for yet (a connector's import).

    They are not order lines (a line needs its supplier); the order page lists them until a
    supplier mapping covers them and the shop's order is imported again.
    """
    return Order.cross_tenant_objects.filter(merchant=merchant, external_id=external_id).update(
        unassigned_lines=lines, updated_at=timezone.now()
    )


def order_status_for(current: str, lines, shipments) -> str:
    """An order's status from its lines' shipped times and its parcels' states."""
    if current == OrderStatus.CANCELLED:
        return OrderStatus.CANCELLED
    shipped = [line.shipped_at is not None for line in lines]
    if not any(shipped):
        return OrderStatus.UNSHIPPED
    if not all(shipped):
        return OrderStatus.PARTIALLY_SHIPPED
    if shipments and all(shipment.status == ShipmentStatus.DELIVERED for shipment in shipments):
        return OrderStatus.DELIVERED
    return OrderStatus.SHIPPED


@dataclass
class _Plan:
    index: int
    order: Order
    created: bool
    order_changed: bool = False
    # The shop corrected when the order was placed: its ship deadlines count from it.
    placed_at_moved: bool = False
    # When it was placed before this write (an existing order): that day changes too.
    previous_placed_at: datetime | None = None
    new_lines: list[OrderLine] = field(default_factory=list)
    changed_lines: list[OrderLine] = field(default_factory=list)
    removed_lines: list[OrderLine] = field(default_factory=list)


def _linked_suppliers(orders) -> dict[str, Organization]:
    slugs = {line.supplier_slug for data in orders for line in data.lines}
    if not slugs:
        return {}
    # Resolved in the merchant's scope: another merchant's suppliers are simply unknown.
    return {s.slug: s for s in supplier_list_for_merchant().filter(slug__in=slugs)}


def _supplier_errors(data: OrderData, suppliers: dict[str, Organization]) -> dict:
    line_errors = [
        {}
        if line.supplier_slug in suppliers
        else {
            "supplier": [
                _("No supplier linked to this shop has the slug “%(slug)s”.")
                % {"slug": line.supplier_slug}
            ]
        }
        for line in data.lines
    ]
    return {"lines": line_errors} if any(line_errors) else {}


def _existing_orders(merchant: Organization, external_ids: list[str]) -> dict[str, Order]:
    if not external_ids:
        return {}
    # Locked, in id order so two batches touching the same orders cannot deadlock, so that
    # two writers of one order cannot interleave their line changes.
    orders = (
        Order.objects.select_for_update()
        .filter(merchant=merchant, external_id__in=external_ids)
        .order_by("id")
        .prefetch_related("lines", "shipments")
    )
    return {order.external_id: order for order in orders}


def _order_values(data: OrderData, merchant: Organization) -> dict:
    return {
        "placed_at": data.placed_at,
        "currency": data.currency,
        "customer_name": data.customer_name,
        "customer_email": data.customer_email,
        "ship_line1": data.ship_line1,
        "ship_line2": data.ship_line2,
        "ship_city": data.ship_city,
        "ship_region": data.ship_region,
        "ship_postal_code": data.ship_postal_code,
        "ship_country": data.ship_country,
        # An unknown shop country counts as international: the cautious answer, since an
        # international parcel cannot be intercepted.
        "is_international": merchant.country != data.ship_country,
    }


_new_order = InstanceMaker(Order)
_new_line = InstanceMaker(OrderLine)
_order_merchant = Order._meta.get_field("merchant")
_line_order = OrderLine._meta.get_field("order")
_line_supplier = OrderLine._meta.get_field("supplier")


def _plan_new(merchant, index: int, data: OrderData, suppliers) -> _Plan:
    # Built from the checked values directly (an import plans thousands of these).
    order = _new_order(
        merchant_id=merchant.pk,
        external_id=data.external_id,
        total=data.total,
        status=OrderStatus.UNSHIPPED,
        **_order_values(data, merchant),
    )
    lines = [
        _new_line(
            merchant_id=merchant.pk,
            order_id=order.pk,
            supplier_id=suppliers[line.supplier_slug].pk,
            sku=line.sku,
            title=line.title,
            variant=line.variant,
            quantity=line.quantity,
            unit_price=line.unit_price,
            placed_at=data.placed_at,
        )
        for line in data.lines
    ]
    # The related rows at hand, as `Order(merchant=…)` would hold them.
    _order_merchant.set_cached_value(order, merchant)
    for line, line_data in zip(lines, data.lines, strict=True):
        _line_order.set_cached_value(line, order)
        _line_supplier.set_cached_value(line, suppliers[line_data.supplier_slug])
    return _Plan(index=index, order=order, created=True, new_lines=lines)


def _plan_update(
    merchant: Organization, order: Order, index: int, data: OrderData, suppliers, *, merge: bool
) -> _Plan:
    plan = _Plan(index=index, order=order, created=False, previous_placed_at=order.placed_at)
    stored: dict[tuple, list[OrderLine]] = defaultdict(list)
    for line in sorted(order.lines.all(), key=lambda line: line.pk):
        stored[(line.supplier_id, line.sku, line.variant)].append(line)
    final_lines = []
    for line_data in data.lines:
        supplier = suppliers[line_data.supplier_slug]
        candidates = stored[(supplier.pk, line_data.sku, line_data.variant)]
        if candidates:
            # The n-th line with a key matches the n-th stored one, so repeated lines work.
            line = candidates.pop(0)
            values = {
                "title": line_data.title,
                "quantity": line_data.quantity,
                "unit_price": line_data.unit_price,
            }
            if any(getattr(line, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(line, name, value)
                plan.changed_lines.append(line)
        else:
            line = OrderLine(
                merchant_id=order.merchant_id,
                order=order,
                supplier=supplier,
                sku=line_data.sku,
                title=line_data.title,
                variant=line_data.variant,
                quantity=line_data.quantity,
                unit_price=line_data.unit_price,
                placed_at=data.placed_at,
            )
            plan.new_lines.append(line)
        final_lines.append(line)
    for leftovers in stored.values():
        for line in leftovers:
            if merge:
                final_lines.append(line)
            elif line.shipped_at is not None:
                raise ValidationFailed(
                    field_errors={
                        "lines": [
                            _("The line %(sku)s has shipped, so it cannot be removed.")
                            % {"sku": line.sku}
                        ]
                    }
                )
            else:
                plan.removed_lines.append(line)

    values = _order_values(data, merchant)
    values["total"] = sum((line.unit_price * line.quantity for line in final_lines), 0)
    values["status"] = order_status_for(order.status, final_lines, list(order.shipments.all()))
    if any(getattr(order, name) != value for name, value in values.items()):
        plan.placed_at_moved = order.placed_at != values["placed_at"]
        for name, value in values.items():
            setattr(order, name, value)
        plan.order_changed = True
    return plan


def _write(merchant: Organization, plans: list[_Plan]) -> None:
    new_orders = [plan.order for plan in plans if plan.created]
    changed_orders = [plan.order for plan in plans if not plan.created and plan.order_changed]
    now = timezone.now()
    for order in changed_orders:
        order.updated_at = now
    # COPY, not INSERT: an import writes thousands of rows per batch (see core.bulk).
    copy_insert(Order, new_orders)
    if changed_orders:
        Order.objects.bulk_update(changed_orders, [*ORDER_UPDATE_FIELDS, "updated_at"])
    removed = [line.pk for plan in plans for line in plan.removed_lines]
    if removed:
        # Lines a dispute still points to are protected by the disputes app's foreign key.
        OrderLine.objects.filter(pk__in=removed).delete()
    new_lines = [line for plan in plans for line in plan.new_lines]
    copy_insert(OrderLine, new_lines)
    changed_lines = [line for plan in plans for line in plan.changed_lines]
    if changed_lines:
        OrderLine.objects.bulk_update(changed_lines, LINE_UPDATE_FIELDS, batch_size=1000)
    moved = [plan.order.pk for plan in plans if plan.placed_at_moved]
    if moved:
        # The lines' copy of `placed_at` follows the order's, in one statement.
        OrderLine.objects.filter(order_id__in=moved).update(
            placed_at=Subquery(Order.objects.filter(pk=OuterRef("order_id")).values("placed_at"))
        )
    _update_ship_deadlines(merchant, plans, new_lines)
    line_days_changed(
        merchant_id=merchant.pk,
        moments=[
            moment
            for plan in plans
            if plan.created
            or plan.order_changed
            or plan.new_lines
            or plan.changed_lines
            or plan.removed_lines
            for moment in (plan.previous_placed_at, plan.order.placed_at)
        ],
    )


def _update_ship_deadlines(merchant: Organization, plans: list[_Plan], new_lines) -> None:
    """Every line is created here, whichever way it came: its ship deadlines follow it, in
    the same transaction, so a batch that rolls back leaves no deadline behind."""
    moved = [plan.order for plan in plans if plan.placed_at_moved]
    if moved:
        ship_deadlines_move(merchant=merchant, orders=moved)
    if new_lines:
        ship_deadlines_schedule(
            merchant=merchant,
            pairs=[(plan.order, line.supplier_id) for plan in plans for line in plan.new_lines],
        )
    removed = [(plan.order, line.supplier_id) for plan in plans for line in plan.removed_lines]
    if removed:
        ship_deadlines_cancel_when_done(pairs=removed)


def _write_each_on_failure(merchant: Organization, plans: list[_Plan]) -> dict[int, dict]:
    """Write the batch at once; if the database refuses it, order by order to find the culprit."""
    if not plans:
        return {}
    try:
        with transaction.atomic():
            _write(merchant, plans)
        return {}
    except (IntegrityError, ProtectedError, RestrictedError):
        pass
    failures = {}
    for plan in plans:
        try:
            with transaction.atomic():
                _write(merchant, [plan])
        except IntegrityError:
            failures[plan.index] = {
                "external_id": [
                    _("Another request wrote this order at the same time; send it again.")
                ]
            }
        except (ProtectedError, RestrictedError):
            failures[plan.index] = {
                "lines": [_("A line missing from this order is used by a dispute; keep it.")]
            }
    return failures
