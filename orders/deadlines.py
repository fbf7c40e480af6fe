"""The orders' deadline rules (orders.deadline_rules) and their actions: ship-reminder,
ship-overdue, customs-hold.

Registered with the engine, actions attached, when the app starts (OrdersConfig.ready
imports this module). The sweep runs each action once per deadline row, in the merchant's
scope, inside its transaction; an action re-reads its rows, does nothing when the deadline
no longer applies (the lines shipped, the order was cancelled, the parcel left customs),
and calls one service of orders.services.shipping_deadlines.
"""

from deadlines.registry import register_rule, rule_action
from orders.deadline_rules import CUSTOMS_HOLD, RULES, SHIP_OVERDUE, SHIP_REMINDER
from orders.models import Order, OrderLine, OrderStatus, Shipment, ShipmentStatus
from orders.services import shipping_deadlines

for rule in RULES:
    register_rule(rule)


def _lines_to_ship(deadline, *, lock: bool):
    """(order, supplier, lines) still to ship for a ship deadline, or None."""
    orders = Order.objects.select_related("merchant")
    if lock:
        # NOWAIT: the sweep already holds this deadline's row, and a writer of the order
        # (a parcel being recorded) holds the order while it withdraws this deadline. Waiting
        # here would deadlock; failing lets the engine retry the action a minute later.
        orders = orders.select_for_update(nowait=True, of=("self",))
    order = orders.filter(pk=deadline.subject_id).first()
    if order is None or order.status == OrderStatus.CANCELLED:
        return None
    lines = list(
        OrderLine.objects.filter(order=order, supplier_id=deadline.key, shipped_at__isnull=True)
        .select_related("supplier")
        .order_by("sku", "variant", "id")
    )
    if not lines:
        return None
    return order, lines[0].supplier, lines


@rule_action(SHIP_REMINDER)
def ship_reminder_due(deadline) -> None:
    # Writes nothing but notices: no lock, so a parcel being recorded is never held up.
    found = _lines_to_ship(deadline, lock=False)
    if found is None:
        return
    order, supplier, lines = found
    shipping_deadlines.ship_reminder_send(
        deadline=deadline, order=order, supplier=supplier, lines=lines
    )


@rule_action(SHIP_OVERDUE)
def ship_overdue_due(deadline) -> None:
    # Locked: it flags the lines and may open a refund request; a parcel recorded at the
    # same moment must come before or after, not in between.
    found = _lines_to_ship(deadline, lock=True)
    if found is None:
        return
    order, supplier, lines = found
    shipping_deadlines.ship_overdue_handle(
        deadline=deadline, order=order, supplier=supplier, lines=lines
    )


@rule_action(CUSTOMS_HOLD)
def customs_hold_due(deadline) -> None:
    shipment = (
        Shipment.objects.select_related("order", "order__merchant")
        .filter(pk=deadline.subject_id)
        .first()
    )
    if shipment is None or shipment.status != ShipmentStatus.CUSTOMS_HOLD:
        return
    shipping_deadlines.customs_hold_remind(deadline=deadline, shipment=shipment)
