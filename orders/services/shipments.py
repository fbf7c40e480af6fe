"""Parcels: recorded by the merchant or by the supplier whose lines they carry.

Either of them may correct a parcel's tracking number or void a parcel recorded by mistake;
a parcel recorded (or corrected) with an invalid number tells the merchant, and one returned
to its sender tells the merchant too. Each change reaches the disputes on the parcel's lines
through `orders.hooks.shipment_change_handlers` (orders never imports disputes).
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.actors import Actor
from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from core.tenancy import organization_scope
from notifications.services import notify
from orders import hooks
from orders import notifications as notices
from orders.models import Order, OrderLine, OrderStatus, Shipment, ShipmentStatus
from orders.services.line_days import line_days_changed
from orders.services.orders import order_status_for
from orders.services.shipping_deadlines import (
    customs_hold_deadline_cancel,
    customs_hold_deadline_schedule,
    ship_deadlines_cancel_when_done,
    ship_deadlines_schedule,
)
from orders.tracking import check_tracking_number, normalise_tracking_number
from orders.validation import parse_aware_datetime, parse_shipping_address

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
    stored with `tracking_valid` False and the reason, the parcel is "tracking number
    invalid" rather than in transit, and the merchant is told, so that either party corrects
    it (or the merchant opens a "tracking code looks invalid" dispute).
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
    if _live_parcels(locked).filter(tracking_number=number).exists():
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
                status=(
                    ShipmentStatus.TRACKING_INVALID
                    if check.valid is False
                    else ShipmentStatus.IN_TRANSIT
                ),
                shipped_at=moment,
            )
    except IntegrityError as error:
        raise duplicate from error
    shipment.lines.set(lines)
    _tell_merchant_if_invalid(shipment, locked)
    # A reshipped line keeps the time it first left: the shipping deadlines watch that.
    shipped = OrderLine.objects.filter(
        pk__in=[line.pk for line in lines], shipped_at__isnull=True
    ).update(shipped_at=moment)
    if shipped:
        line_days_changed(merchant_id=locked.merchant_id, moments=[locked.placed_at])
    _refresh_order_status(locked)
    # The supplier's last line to ship has left: nothing to remind it of any more.
    ship_deadlines_cancel_when_done(pairs=[(locked, supplier_id)])
    return shipment


class ParcelOutcome:
    """What `shipment_lines_record` did."""

    CREATED = "created"  # a new parcel now carries the lines
    ADDED = "added"  # the order's parcel with that number now carries these lines too
    UNCHANGED = "unchanged"  # that parcel already carried them: nothing to do


def shipment_lines_record(
    *,
    actor: Actor,
    order: Order,
    lines: list[OrderLine],
    tracking_number: str,
    carrier: str | None = None,
    now: datetime | None = None,
) -> tuple[Shipment, str]:
    """ "These lines left in the parcel with this number": the shipping desk's statement.

    Saying it again changes nothing, and a line said to travel in a parcel of the order that
    is already recorded joins it (lines of one order with one number are one parcel), so a
    tracking file can be uploaded twice, or a line at a time. A line that already left in
    another parcel is refused: its parcel is corrected (`shipment_correct`) instead.
    """
    now = now or timezone.now()
    supplier_id = _check_parcel_party(actor, order, lines)
    number, carrier = _check_tracking_input(tracking_number, carrier)
    check = check_tracking_number(number, carrier)
    with transaction.atomic():
        locked = _lock_order(order)
        with organization_scope(locked.merchant):
            parcel = (
                _live_parcels(locked)
                .select_for_update(of=("self",))
                .filter(tracking_number=number)
                .first()
            )
            if parcel is not None and parcel.supplier_id != supplier_id:
                raise Conflict(_("This tracking number is already recorded on this order."))
            if parcel is not None and carrier and check.carrier != parcel.carrier:
                raise Conflict(
                    _(
                        "This parcel is recorded with the carrier %(carrier)s; edit the parcel "
                        "to change it."
                    )
                    % {"carrier": parcel.carrier_name or "—"}
                )
            carried = set() if parcel is None else set(parcel.lines.values_list("pk", flat=True))
            missing = [line for line in lines if line.pk not in carried]
            if parcel is not None and not missing:
                return parcel, ParcelOutcome.UNCHANGED
            _check_not_shipped_elsewhere(missing)
            if parcel is None:
                moment = _check_shipped_at(locked, None, now)
                parcel = _record_parcel(locked, supplier_id, missing, number, check, moment)
                return parcel, ParcelOutcome.CREATED
            parcel.lines.add(*missing)
            OrderLine.objects.filter(
                pk__in=[line.pk for line in missing], shipped_at__isnull=True
            ).update(shipped_at=parcel.shipped_at)
            _refresh_order_status(locked)
            ship_deadlines_cancel_when_done(pairs=[(locked, supplier_id)])
            return parcel, ParcelOutcome.ADDED


def _check_not_shipped_elsewhere(lines: list[OrderLine]) -> None:
    shipped = (
        Shipment.objects.filter(lines__in=lines)
        .exclude(status=ShipmentStatus.VOIDED)
        .exclude(status=ShipmentStatus.RETURNED)
        .values_list("tracking_number", flat=True)
        .first()
    )
    if shipped is not None:
        raise Conflict(
            _(
                "This line already left in the parcel %(number)s; edit that parcel to correct "
                "its number."
            )
            % {"number": shipped}
        )


# What a carrier can report about a parcel; voiding is a party's act (shipment_void).
CARRIER_STATUSES = frozenset(ShipmentStatus.values) - {ShipmentStatus.VOIDED}


def shipment_update_status(
    *,
    actor: Actor,
    shipment: Shipment,
    status: str,
    at: datetime | None = None,
) -> Shipment:
    """A parcel's carrier state changed (in transit, customs hold, delivered, returned, ...).

    A parcel returned to its sender tells the merchant (who may have it reshipped to a
    corrected address) and the disputes on its lines.
    """
    if status not in CARRIER_STATUSES:
        raise ValidationFailed(field_errors={"status": [_("Unknown shipment status.")]})
    _check_parcel_actor(actor, shipment)
    with transaction.atomic():
        locked_order = _lock_order(shipment.order)
        with organization_scope(locked_order.merchant):
            shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
            if shipment.status == ShipmentStatus.VOIDED:
                raise Conflict(_("This parcel was voided."))
            previous = shipment.status
            before = _parcel_facts(shipment)
            moment = at or timezone.now()
            shipment.status = status
            delivered = status == ShipmentStatus.DELIVERED
            shipment.delivered_at = moment if delivered else None
            shipment.save(update_fields=["status", "delivered_at"])
            _refresh_order_status(locked_order)
            _update_customs_deadline(shipment, locked_order.merchant, previous, moment)
            returned = ShipmentStatus.RETURNED
            if status == returned and previous != returned:
                shipment.order = locked_order
                notify(event=notices.parcel_returned_event(shipment=shipment))
                hooks.shipment_change_handlers.run(
                    actor=actor, shipment=shipment, change="returned", previous=before
                )
    return shipment


def shipment_correct(
    *, actor: Actor, shipment: Shipment, tracking_number: str, carrier: str | None = None
) -> Shipment:
    """Replace a parcel's tracking number (and carrier), checking the new one.

    The merchant's staff or the parcel's supplier may do it, on any parcel not voided. A
    parcel that was "tracking number invalid" is in transit again once its number checks; a
    new number that is still invalid tells the merchant again.
    """
    _check_parcel_actor(actor, shipment)
    number, carrier = _check_tracking_input(tracking_number, carrier)
    check = check_tracking_number(number, carrier)
    with transaction.atomic():
        locked_order = _lock_order(shipment.order)
        with organization_scope(locked_order.merchant):
            shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
            if shipment.status == ShipmentStatus.VOIDED:
                raise Conflict(_("This parcel was voided; record a new parcel instead."))
            if (
                _live_parcels(locked_order)
                .filter(tracking_number=number)
                .exclude(pk=shipment.pk)
                .exists()
            ):
                raise Conflict(
                    _("This tracking number is already recorded on this order."),
                    field_errors={"tracking_number": [_("Already recorded on this order.")]},
                )
            before = _parcel_facts(shipment)
            shipment.carrier = check.carrier or ""
            shipment.tracking_number = number
            shipment.tracking_valid = check.valid
            shipment.tracking_problem = (check.problem or "")[:200]
            if check.valid is False and shipment.status == ShipmentStatus.IN_TRANSIT:
                shipment.status = ShipmentStatus.TRACKING_INVALID
            elif check.valid is not False and shipment.status == ShipmentStatus.TRACKING_INVALID:
                shipment.status = ShipmentStatus.IN_TRANSIT
            shipment.save(
                update_fields=[
                    "carrier",
                    "tracking_number",
                    "tracking_valid",
                    "tracking_problem",
                    "status",
                ]
            )
            shipment.order = locked_order
            _tell_merchant_if_invalid(shipment, locked_order)
            hooks.shipment_change_handlers.run(
                actor=actor, shipment=shipment, change="corrected", previous=before
            )
    return shipment


def shipment_void(*, actor: Actor, shipment: Shipment, now: datetime | None = None) -> Shipment:
    """Withdraw a parcel recorded by mistake: it carries nothing any more.

    Its lines count as shipped only by the other parcels that carry them (else they are to
    ship again, and their ship deadlines are back). A delivered parcel is a fact, not a
    mistake: it cannot be voided.
    """
    _check_parcel_actor(actor, shipment)
    now = now or timezone.now()
    with transaction.atomic():
        locked_order = _lock_order(shipment.order)
        with organization_scope(locked_order.merchant):
            shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
            if shipment.status == ShipmentStatus.VOIDED:
                raise Conflict(_("This parcel is already voided."))
            if shipment.status == ShipmentStatus.DELIVERED:
                raise Conflict(_("A delivered parcel cannot be voided."))
            before = _parcel_facts(shipment)
            shipment.status = ShipmentStatus.VOIDED
            shipment.voided_at = now
            shipment.save(update_fields=["status", "voided_at"])
            _update_customs_deadline(shipment, locked_order.merchant, before["status"], now)
            _reset_shipped_at(shipment, not_counting=(ShipmentStatus.VOIDED,))
            _refresh_order_status(locked_order)
            ship_deadlines_schedule(
                merchant=locked_order.merchant, pairs=[(locked_order, shipment.supplier_id)]
            )
            ship_deadlines_cancel_when_done(pairs=[(locked_order, shipment.supplier_id)])
            shipment.order = locked_order
            hooks.shipment_change_handlers.run(
                actor=actor, shipment=shipment, change="voided", previous=before
            )
    return shipment


def shipment_reship_to_corrected_address(
    *, actor: Actor, shipment: Shipment, shipping_address: dict
) -> Shipment:
    """After a parcel came back to its sender: correct the order's address, reship its lines.

    The merchant's staff only (the address is the shop's). The returned parcel stays as it
    is, as the record of what happened; its lines are to ship again (unless another parcel
    on its way carries them), so the supplier sees them in its list and is told.
    """
    if not actor.is_merchant:
        raise PermissionDenied(_("Only the merchant's staff can correct the address."))
    _check_parcel_actor(actor, shipment)
    address = parse_shipping_address(shipping_address)
    with transaction.atomic():
        locked_order = _lock_order(shipment.order)
        with organization_scope(locked_order.merchant):
            shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
            if shipment.status != ShipmentStatus.RETURNED:
                raise Conflict(_("Only a parcel returned to its sender is reshipped."))
            for name, value in address.items():
                setattr(locked_order, name, value)
            locked_order.is_international = (
                locked_order.merchant.country != locked_order.ship_country
            )
            locked_order.save(update_fields=[*address, "is_international", "updated_at"])
            _reset_shipped_at(
                shipment, not_counting=(ShipmentStatus.VOIDED, ShipmentStatus.RETURNED)
            )
            _refresh_order_status(locked_order)
            shipment.order = locked_order
            notify(event=notices.reship_requested_event(shipment=shipment))
            hooks.shipment_change_handlers.run(
                actor=actor,
                shipment=shipment,
                change="reship_requested",
                previous=_parcel_facts(shipment),
            )
    return shipment


def _check_parcel_actor(actor: Actor, shipment: Shipment) -> None:
    if not actor.can_work:
        raise PermissionDenied()
    if actor.organization is not None and actor.organization.pk not in (
        shipment.merchant_id,
        shipment.supplier_id,
    ):
        raise NotFound()


def _parcel_facts(shipment: Shipment) -> dict:
    return {
        "carrier": shipment.carrier,
        "tracking_number": shipment.tracking_number,
        "tracking_valid": shipment.tracking_valid,
        "status": shipment.status,
    }


def _live_parcels(order: Order):
    return Shipment.objects.filter(order=order).exclude(status=ShipmentStatus.VOIDED)


def _reset_shipped_at(parcel: Shipment, *, not_counting) -> None:
    """Each line of `parcel` shipped when its first parcel still counting left, if any."""
    for line in OrderLine.objects.filter(shipments=parcel):
        first = (
            Shipment.objects.filter(lines=line)
            .exclude(status__in=not_counting)
            .order_by("shipped_at")
            .values_list("shipped_at", flat=True)
            .first()
        )
        if line.shipped_at != first:
            line.shipped_at = first
            line.save(update_fields=["shipped_at"])
            line_days_changed(merchant_id=line.merchant_id, moments=[line.placed_at])


def _tell_merchant_if_invalid(shipment: Shipment, order: Order) -> None:
    if shipment.tracking_valid is False:
        shipment.order = order
        notify(event=notices.tracking_invalid_event(shipment=shipment))


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
    shipments = list(_live_parcels(order).only("status"))
    status = order_status_for(order.status, lines, shipments)
    if status != order.status:
        order.status = status
        order.save(update_fields=["status", "updated_at"])
