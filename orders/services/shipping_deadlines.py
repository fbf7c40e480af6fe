"""The shipping deadlines of orders (DESIGN.md, "Deadlines"): scheduled and withdrawn as
orders, lines and parcels change, and what they do when they fall due.

- ship-reminder and ship-overdue: one deadline of each per (order, supplier), not per line.
  The subject is the order and the key the supplier's id; both count from the order's
  `placed_at`, so an order imported long after it was placed falls due at the next sweep.
  They are withdrawn once none of that supplier's lines of the order is left to ship.
- customs-hold: one per parcel, counted from the moment it was held; withdrawn when the
  parcel's status moves away from customs_hold.

The deadline engine computes the due time from the merchant's setting of the rule (and
skips a rule the merchant switched off). orders.deadlines attaches the actions below.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.utils import timezone

from deadlines import registry
from deadlines.selectors import deadline_list_for_subject
from deadlines.services import deadline_cancel, deadline_schedule, deadline_schedule_many
from notifications.services import notify
from orders import hooks
from orders import notifications as notices
from orders.deadline_rules import CUSTOMS_HOLD, SHIP_OVERDUE, SHIP_REMINDER
from orders.models import Order, OrderLine, OrderStatus, Shipment
from orders.selectors import alternative_supplier_list_for_skus

SHIP_RULES = (SHIP_REMINDER, SHIP_OVERDUE)


def ship_deadlines_schedule(*, merchant, pairs: Iterable[tuple[Order, Any]]) -> None:
    """Schedule the ship deadlines of these (order, supplier id) pairs, from `placed_at`.

    Harmless for a pair that already has pending ones (the engine keeps those).
    """
    items = [
        (order, str(supplier_id), order.placed_at)
        for order, supplier_id in dict.fromkeys(pairs)
        if order.status != OrderStatus.CANCELLED
    ]
    if not items:
        return
    for rule in SHIP_RULES:
        _schedule_many(merchant=merchant, rule=rule, items=items)


def _schedule_many(*, merchant, rule: str, items: list[tuple[Any, str, datetime]]) -> None:
    # In bulk: a 1,000-order upsert must not cost thousands of queries.
    deadline_schedule_many(merchant=merchant, rule=rule, items=items)


def ship_deadlines_cancel(*, order: Order, supplier_ids: Iterable | None = None) -> None:
    """Withdraw the order's pending ship deadlines: of these suppliers, or of all."""
    supplier_ids = None if supplier_ids is None else list(supplier_ids)
    for rule in SHIP_RULES:
        if supplier_ids is None:
            deadline_cancel(subject=order, rule=rule)
        else:
            for supplier_id in supplier_ids:
                deadline_cancel(subject=order, rule=rule, key=str(supplier_id))


def ship_deadlines_cancel_when_done(*, pairs: Iterable[tuple[Order, Any]]) -> None:
    """Withdraw the ship deadlines of the pairs whose supplier has no line left to ship.

    Runs in the merchant's scope, after the lines were shipped or removed.
    """
    pairs = set(pairs)
    if not pairs:
        return
    waiting = set(
        OrderLine.objects.filter(
            order_id__in={order.pk for order, _supplier_id in pairs}, shipped_at__isnull=True
        )
        .order_by()
        .values_list("order_id", "supplier_id")
        .distinct()
    )
    for order, supplier_id in pairs:
        if (order.pk, supplier_id) not in waiting:
            ship_deadlines_cancel(order=order, supplier_ids=[supplier_id])


def ship_deadlines_move(*, merchant, orders: Iterable[Order]) -> None:
    """The shop corrected `placed_at`: count the order's pending ship deadlines again.

    Deadlines that already fired stay fired: a reminder is not sent twice for one delay.
    """
    for order in orders:
        pending = deadline_list_for_subject(order).filter(rule__in=SHIP_RULES)
        keys = set(pending.values_list("key", flat=True))
        if not keys:
            continue
        ship_deadlines_cancel(order=order, supplier_ids=keys)
        ship_deadlines_schedule(merchant=merchant, pairs=[(order, key) for key in keys])


def customs_hold_deadline_schedule(*, shipment: Shipment, merchant, held_at: datetime) -> None:
    deadline_schedule(merchant=merchant, rule=CUSTOMS_HOLD, subject=shipment, start_at=held_at)


def customs_hold_deadline_cancel(*, shipment: Shipment) -> None:
    deadline_cancel(subject=shipment, rule=CUSTOMS_HOLD)


# ---------------------------------------------------------------------------------------
# What the deadlines do when they fall due (called by the actions in orders.deadlines,
# which re-read and check the rows first).


def ship_reminder_send(*, deadline, order: Order, supplier, lines: list[OrderLine]) -> None:
    """Urge the supplier to ship the lines; tell the merchant."""
    for event in notices.ship_reminder_events(
        deadline=deadline, order=order, supplier=supplier, lines=lines
    ):
        notify(event=event)


def ship_overdue_handle(
    *, deadline, order: Order, supplier, lines: list[OrderLine], now: datetime | None = None
) -> None:
    """Flag a likely stock problem on the lines, suggest other suppliers, tell the merchant,
    and let the apps above (disputes) act through `hooks.ship_overdue_handlers`.

    The caller holds the order's row lock.
    """
    now = now or timezone.now()
    OrderLine.objects.filter(
        pk__in=[line.pk for line in lines], stock_problem_flagged_at__isnull=True
    ).update(stock_problem_flagged_at=now)
    for line in lines:
        line.stock_problem_flagged_at = line.stock_problem_flagged_at or now
    alternatives = alternative_supplier_list_for_skus(
        skus=[line.sku for line in lines], exclude_supplier_id=supplier.pk
    )
    notify(
        event=notices.ship_overdue_event(
            deadline=deadline,
            order=order,
            supplier=supplier,
            lines=lines,
            flagged_at=now,
            alternatives=alternatives,
        )
    )
    # The options the merchant had when the deadline was scheduled (the engine keeps them
    # with the row), over the rule's defaults for an option added since.
    options = {
        **registry.rule_get(SHIP_OVERDUE).defaults().options,
        **deadline.settings.get("options", {}),
    }
    hooks.ship_overdue_handlers.run(order=order, supplier=supplier, lines=lines, options=options)


def customs_hold_remind(*, deadline, shipment: Shipment) -> None:
    """Send the merchant a clearance reminder to forward to the buyer."""
    notify(event=notices.customs_hold_event(deadline=deadline, shipment=shipment))
