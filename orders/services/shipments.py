"""Parcels: recorded by the merchant or by the supplier whose lines they carry."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.actors import Actor
from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from core.tenancy import organization_scope
from orders.models import Order, OrderLine, OrderStatus, Shipment, ShipmentStatus
from orders.services.orders import order_status_for
from orders.services.shipping_deadlines import (
    customs_hold_deadline_cancel,
    customs_hold_deadline_schedule,
    ship_deadlines_cancel_when_done,
)
from orders.tracking import check_tracking_number, normalise_tracking_number
from orders.validation import parse_aware_datetime

TRACKING_NUMBER_MAX_LENGTH = Shipment._meta.get_field("tracking_number").max_length
CARRIER_MAX_LENGTH = Shipment._meta.get_field("carrier").max_length


def shipment_create(
    *,
    actor: Actor,
    order: Order,
    lines: list[OrderLine],
    tracking_number: str,
    carrier: str | None = None,
    shipped_at: datetime | str | None = None,
    now: datetime | None = None,
) -> Shipment:
    """Record a parcel carrying `lines` (all of one supplier) of `order`.

    The tracking number is checked but never refused for looking wrong: an invalid number is
    stored with `tracking_valid` False and the reason, so the merchant sees it on the order
    and can open a "tracking code looks invalid" dispute.
    """
    now = now or timezone.now()
    supplier_id = _check_parcel_party(actor, order, lines)
    number, carrier = _check_tracking_input(tracking_number, carrier)
    moment = _check_shipped_at(order, shipped_at, now)
    check = check_tracking_number(number, carrier)

    with transaction.atomic():
        locked = _lock_order(order)
        # The parcel belongs to the merchant's order whoever records it: written in its scope.
        with organization_scope(locked.merchant):
            return _record_parcel(locked, supplier_id, lines, number, check, moment)


def _record_parcel(locked: Order, supplier_id, lines, number, check, moment) -> Shipment:
    if locked.status == OrderStatus.CANCELLED:
        raise Conflict(_("This order is cancelled; it cannot ship."))
    duplicate = Conflict(
        _("This tracking number is already recorded on this order."),
        field_errors={"tracking_number": [_("Already recorded on this order.")]},
    )
    if Shipment.objects.filter(order=locked, tracking_number=number).exists():
        raise duplicate
    try:
        with transaction.atomic():
            shipment = Shipment.objects.create(
                merchant_id=locked.merchant_id,
                order=locked,
                supplier_id=supplier_id,
                carrier=check.carrier or "",
                tracking_number=number,
                tracking_valid=check.valid,
                tracking_problem=(check.problem or "")[:200],
                shipped_at=moment,
            )
    except IntegrityError as error:
        raise duplicate from error
    shipment.lines.set(lines)
    # A reshipped line keeps the time it first left: the shipping deadlines watch that.
    OrderLine.objects.filter(pk__in=[line.pk for line in lines], shipped_at__isnull=True).update(
        shipped_at=moment
    )
    _refresh_order_status(locked)
    # The supplier's last line to ship has left: nothing to remind it of any more.
    ship_deadlines_cancel_when_done(pairs=[(locked, supplier_id)])
    return shipment


def shipment_update_status(
    *,
    actor: Actor,
    shipment: Shipment,
    status: str,
    at: datetime | None = None,
) -> Shipment:
    """A parcel's carrier state changed (in transit, customs hold, delivered, ...)."""
    if status not in ShipmentStatus.values:
        raise ValidationFailed(field_errors={"status": [_("Unknown shipment status.")]})
    if not actor.can_work:
        raise PermissionDenied()
    if actor.organization is not None and actor.organization.pk not in (
        shipment.merchant_id,
        shipment.supplier_id,
    ):
        raise NotFound()
    with transaction.atomic():
        locked_order = _lock_order(shipment.order)
        with organization_scope(locked_order.merchant):
            shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
            previous = shipment.status
            moment = at or timezone.now()
            shipment.status = status
            delivered = status == ShipmentStatus.DELIVERED
            shipment.delivered_at = moment if delivered else None
            shipment.save(update_fields=["status", "delivered_at"])
            _refresh_order_status(locked_order)
            _update_customs_deadline(shipment, locked_order.merchant, previous, moment)
    return shipment


def _update_customs_deadline(shipment: Shipment, merchant, previous: str, moment) -> None:
    held = ShipmentStatus.CUSTOMS_HOLD
    # On entering the hold only: a carrier repeating "held" must not remind a second time.
    if shipment.status == held and previous != held:
        customs_hold_deadline_schedule(shipment=shipment, merchant=merchant, held_at=moment)
    elif shipment.status != held and previous == held:
        customs_hold_deadline_cancel(shipment=shipment)


def _check_parcel_party(actor: Actor, order: Order, lines: list[OrderLine]):
    """The supplier whose lines the parcel carries, if `actor` may record it."""
    if not actor.can_work:
        raise PermissionDenied()
    if actor.is_merchant and order.merchant_id != actor.organization.pk:
        raise NotFound()
    if not lines:
        raise ValidationFailed(field_errors={"lines": [_("Choose at least one line.")]})
    if any(line.order_id != order.pk for line in lines):
        raise ValidationFailed(field_errors={"lines": [_("Every line must belong to this order.")]})
    suppliers = {line.supplier_id for line in lines}
    if len(suppliers) > 1:
        raise ValidationFailed(
            field_errors={"lines": [_("A parcel carries the lines of one supplier only.")]}
        )
    supplier_id = suppliers.pop()
    if actor.is_supplier and supplier_id != actor.organization.pk:
        # Another supplier's lines are not visible to this one: answer as for unknown lines.
        raise ValidationFailed(field_errors={"lines": [_("Unknown line.")]})
    return supplier_id


def _check_tracking_input(tracking_number, carrier) -> tuple[str, str | None]:
    if not isinstance(tracking_number, str) or not tracking_number.strip():
        raise ValidationFailed(field_errors={"tracking_number": [_("This field is required.")]})
    number = normalise_tracking_number(tracking_number)
    if len(number) > TRACKING_NUMBER_MAX_LENGTH:
        raise ValidationFailed(
            field_errors={
                "tracking_number": [
                    _("At most %(limit)d characters.") % {"limit": TRACKING_NUMBER_MAX_LENGTH}
                ]
            }
        )
    if carrier is not None:
        if not isinstance(carrier, str):
            raise ValidationFailed(field_errors={"carrier": [_("Must be a string.")]})
        carrier = carrier.strip() or None
        if carrier and len(carrier) > CARRIER_MAX_LENGTH:
            raise ValidationFailed(
                field_errors={
                    "carrier": [_("At most %(limit)d characters.") % {"limit": CARRIER_MAX_LENGTH}]
                }
            )
    return number, carrier


def _check_shipped_at(order: Order, shipped_at, now: datetime) -> datetime:
    if shipped_at is None or shipped_at == "":
        return now
    try:
        moment = parse_aware_datetime(shipped_at, now=now)
    except ValueError as error:
        raise ValidationFailed(field_errors={"shipped_at": [str(error)]}) from error
    if moment < order.placed_at:
        raise ValidationFailed(
            field_errors={"shipped_at": [_("A parcel cannot leave before the order was placed.")]}
        )
    return moment


def _lock_order(order: Order) -> Order:
    # Re-read by primary key across tenants: the caller already found this order in its own
    # scope (a supplier sees it through its lines), and the status below must count every
    # line of the order, including other suppliers' lines that the caller cannot see.
    return (
        Order.cross_tenant_objects.select_for_update(of=("self",))
        .select_related("merchant")
        .get(pk=order.pk)
    )


def _refresh_order_status(order: Order) -> None:
    """Recount in the merchant's scope: every line of the order, whoever asked."""
    lines = list(OrderLine.objects.filter(order=order).only("shipped_at"))
    shipments = list(Shipment.objects.filter(order=order).only("status"))
    status = order_status_for(order.status, lines, shipments)
    if status != order.status:
        order.status = status
        order.save(update_fields=["status", "updated_at"])
