"""Lines carry their order's `placed_at`, and every write of lines notes the days it
changed (orders.LineDayChange), for the figures kept per day."""

from datetime import UTC, datetime

from core.tenancy import cross_tenant_scope
from orders import services
from orders.models import LineDayChange, OrderLine
from orders.tests.factories import order_body

FIRST = datetime(2026, 3, 4, 23, 30, tzinfo=UTC)
MOVED = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)


def noted_days() -> list:
    with cross_tenant_scope(reason="test"):
        return sorted(set(LineDayChange.objects.values_list("day", flat=True)))


def line_moments(order) -> set:
    with cross_tenant_scope(reason="test"):
        return set(OrderLine.objects.filter(order=order).values_list("placed_at", flat=True))


def test_new_lines_take_the_orders_placed_at_and_note_its_day(world, actor_for):
    order = services.order_create(
        actor=actor_for("acme_owner"), **order_body(placed_at=FIRST.isoformat())
    )
    assert line_moments(order) == {FIRST}
    assert noted_days() == [FIRST.date()]


def test_moving_an_order_moves_its_lines_and_notes_both_days(world, actor_for):
    actor = actor_for("acme_owner")
    order = services.order_create(actor=actor, **order_body(placed_at=FIRST.isoformat()))
    with cross_tenant_scope(reason="test"):
        LineDayChange.objects.all().delete()
    result = services.order_bulk_upsert(
        actor=actor, orders=[order_body(placed_at=MOVED.isoformat())]
    )
    assert result.errors == []
    assert line_moments(order) == {MOVED}
    assert noted_days() == [FIRST.date(), MOVED.date()]


def test_an_unchanged_order_notes_nothing(world, actor_for):
    actor = actor_for("acme_owner")
    services.order_create(actor=actor, **order_body(placed_at=FIRST.isoformat()))
    with cross_tenant_scope(reason="test"):
        LineDayChange.objects.all().delete()
    services.order_bulk_upsert(actor=actor, orders=[order_body(placed_at=FIRST.isoformat())])
    assert noted_days() == []
