"""The shipping deadlines of orders: ship-reminder, ship-overdue and customs-hold."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone

from accounts.actors import Actor
from accounts.models import Role
from core.tenancy import cross_tenant_scope, organization_scope
from deadlines.models import Deadline, DeadlineState
from deadlines.services import deadline_sweep, rule_setting_update
from notifications.models import EmailDelivery, Notification, NotificationEvent, WebhookDelivery
from notifications.tasks import email_delivery_send_task
from orders import hooks, services
from orders.models import Order, OrderLine, OrderStatus, ShipmentStatus
from orders.tests.factories import OrderFactory, OrderLineFactory, csv_bytes, csv_row, order_body

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
UPS = "1Z999AA10123456784"
OTHER_UPS = "1Z999AA10123456793"
SHIP_RULES = {"ship-reminder", "ship-overdue"}


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def overdue_calls(monkeypatch):
    """The ship-overdue hook with only this test's handler (not the disputes app's)."""
    calls = []
    monkeypatch.setattr(hooks.ship_overdue_handlers, "_handlers", [])
    hooks.ship_overdue_handlers.register(lambda **call: calls.append(call))
    return calls


def pending(rule=None):
    deadlines = Deadline.cross_tenant_objects.filter(state=DeadlineState.PENDING)
    if rule is not None:
        deadlines = deadlines.filter(rule=rule)
    return deadlines


def ship_deadlines(order) -> set[tuple[str, str, str]]:
    """(rule, supplier slug, state) of the order's ship deadlines."""
    slugs = {str(line.supplier_id): line.supplier.slug for line in lines_of(order)}
    return {
        (deadline.rule, slugs[deadline.key], deadline.state)
        for deadline in Deadline.cross_tenant_objects.filter(
            subject_id=str(order.pk), rule__in=SHIP_RULES
        )
    }


def lines_of(order, supplier=None) -> list[OrderLine]:
    with cross_tenant_scope(reason="test"):
        lines = OrderLine.objects.filter(order=order).select_related("supplier").order_by("sku")
        if supplier is not None:
            lines = lines.filter(supplier=supplier)
        return list(lines)


def sweep_at(moment) -> int:
    return deadline_sweep(now=moment)


def owner(world, merchant="acme"):
    return Actor.member(
        user=world.users[f"{merchant}_owner"],
        organization=world.organization(merchant),
        role=Role.OWNER,
    )


def two_supplier_body(**overrides):
    """Two shenzhen lines and one yiwu line, placed at NOW."""
    body = order_body(placed_at=NOW.isoformat(), **overrides)
    body["lines"].append({**body["lines"][0], "sku": "MAT", "title": "Sleeping mat"})
    return body


def received(rule=None) -> set[tuple[str, str]]:
    """(reader, organization slug) of the in-app notifications (of one event type)."""
    notifications = Notification.cross_tenant_objects.select_related("user", "organization")
    if rule is not None:
        notifications = notifications.filter(type=rule)
    return {(n.user.email.split("@")[0], n.organization.slug) for n in notifications}


# ---------------------------------------------------------------------------------------
# Scheduling


def test_creating_an_order_schedules_one_of_each_per_supplier_not_per_line(world, actor_for, clock):
    order = services.order_create(actor=actor_for("acme_agent"), **two_supplier_body())
    assert ship_deadlines(order) == {
        ("ship-reminder", "shenzhen-supply", DeadlineState.PENDING),
        ("ship-overdue", "shenzhen-supply", DeadlineState.PENDING),
        ("ship-reminder", "yiwu-goods", DeadlineState.PENDING),
        ("ship-overdue", "yiwu-goods", DeadlineState.PENDING),
    }
    due = {(d.rule, d.key): d.due_at for d in pending()}
    assert due[("ship-reminder", str(world.shenzhen.pk))] == NOW + timedelta(days=2)
    assert due[("ship-overdue", str(world.yiwu.pk))] == NOW + timedelta(days=4)
    assert {d.merchant_id for d in pending()} == {world.acme.pk}


def test_due_times_count_from_placed_at_with_the_merchants_numbers(world, actor_for, clock):
    rule_setting_update(actor=owner(world), code="ship-reminder", numbers={"after_days": 1})
    placed = NOW - timedelta(hours=5)
    services.order_create(actor=actor_for("acme_agent"), **order_body(placed_at=placed.isoformat()))
    assert {d.due_at for d in pending("ship-reminder")} == {placed + timedelta(days=1)}
    assert {d.due_at for d in pending("ship-overdue")} == {placed + timedelta(days=4)}


def test_the_deadlines_count_in_the_merchants_country(world, actor_for, clock):
    services.order_create(actor=actor_for("acme_agent"), **order_body())
    body = order_body()
    for line in body["lines"]:
        line["supplier"] = "shenzhen-supply"
    services.order_create(actor=actor_for("globex_owner"), **body)
    countries = {(d.merchant_id, d.country) for d in pending()}
    assert countries == {(world.acme.pk, "US"), (world.globex.pk, "DE")}


def test_bulk_upsert_schedules_new_orders_and_new_suppliers_only(world, actor_for, clock):
    actor = actor_for("acme_owner")
    first = order_body(external_id="#1", placed_at=NOW.isoformat())
    first["lines"] = first["lines"][:1]  # shenzhen only
    second = two_supplier_body(external_id="#2")
    result = services.order_bulk_upsert(actor=actor, orders=[first, second])
    assert (result.created, result.errors) == (2, [])
    assert pending().count() == 2 + 4
    # Re-sending the same orders, and a new line of a supplier already there, add nothing.
    more = two_supplier_body(external_id="#2")
    more["lines"].append({**more["lines"][0], "sku": "LAMP"})
    services.order_bulk_upsert(actor=actor, orders=[first, more])
    assert pending().count() == 6
    # A line of a new supplier on an existing order schedules that supplier's pair.
    first["lines"].append(order_body()["lines"][1])  # yiwu
    services.order_bulk_upsert(actor=actor, orders=[first])
    with cross_tenant_scope(reason="test"):
        order = Order.objects.get(external_id="#1")
    assert {(rule, slug) for rule, slug, _state in ship_deadlines(order)} == {
        ("ship-reminder", "shenzhen-supply"),
        ("ship-overdue", "shenzhen-supply"),
        ("ship-reminder", "yiwu-goods"),
        ("ship-overdue", "yiwu-goods"),
    }


def test_csv_import_schedules_one_pair_per_order_and_supplier(world, actor_for, clock):
    rows = [
        csv_row("#1", placed_at=NOW.isoformat()),
        csv_row("#1", sku="MAT", placed_at=NOW.isoformat()),
        csv_row("#2", placed_at=NOW.isoformat(), supplier="yiwu-goods"),
        # The rest of #1, further down the file.
        csv_row("#1", sku="STOVE", supplier="yiwu-goods", placed_at=NOW.isoformat()),
    ]
    job = services.order_import_start(
        actor=actor_for("acme_agent"),
        file=SimpleUploadedFile("orders.csv", csv_bytes(rows), content_type="text/csv"),
    )
    job = services.order_import_run(order_import=job)
    assert (job.created, job.error_count) == (2, 0)
    assert pending("ship-reminder").count() == 3
    assert pending("ship-overdue").count() == 3


def test_a_rule_the_merchant_switched_off_schedules_nothing(world, actor_for, clock):
    rule_setting_update(actor=owner(world), code="ship-reminder", enabled=False)
    services.order_create(actor=actor_for("acme_agent"), **order_body())
    assert pending("ship-reminder").count() == 0
    assert pending("ship-overdue").count() == 2
    # Another merchant's setting is its own.
    body = order_body()
    for line in body["lines"]:
        line["supplier"] = "shenzhen-supply"
    services.order_create(actor=actor_for("globex_owner"), **body)
    assert pending("ship-reminder").count() == 1


def test_correcting_placed_at_moves_the_pending_deadlines(world, actor_for, clock):
    actor = actor_for("acme_owner")
    services.order_bulk_upsert(actor=actor, orders=[order_body(placed_at=NOW.isoformat())])
    earlier = NOW - timedelta(days=1)
    services.order_bulk_upsert(actor=actor, orders=[order_body(placed_at=earlier.isoformat())])
    assert {d.due_at for d in pending("ship-reminder")} == {earlier + timedelta(days=2)}
    assert pending().count() == 4
    assert Deadline.cross_tenant_objects.filter(state=DeadlineState.CANCELLED).count() == 4


# ---------------------------------------------------------------------------------------
# Withdrawing


def test_shipping_a_suppliers_last_line_withdraws_its_deadlines(world, actor_for, clock):
    order = services.order_create(actor=actor_for("acme_agent"), **two_supplier_body())
    tent, mat = lines_of(order, world.shenzhen)[1], lines_of(order, world.shenzhen)[0]
    supplier = actor_for("shenzhen_agent")
    with organization_scope(world.shenzhen):
        services.shipment_create(actor=supplier, order=order, lines=[tent], tracking_number=UPS)
    # One of its two lines is still to ship: nothing changes yet.
    assert pending().count() == 4
    with organization_scope(world.shenzhen):
        services.shipment_create(
            actor=supplier, order=order, lines=[mat], tracking_number=OTHER_UPS
        )
    assert ship_deadlines(order) == {
        ("ship-reminder", "shenzhen-supply", DeadlineState.CANCELLED),
        ("ship-overdue", "shenzhen-supply", DeadlineState.CANCELLED),
        ("ship-reminder", "yiwu-goods", DeadlineState.PENDING),
        ("ship-overdue", "yiwu-goods", DeadlineState.PENDING),
    }
    # Nothing fires for the supplier that shipped.
    assert sweep_at(NOW + timedelta(days=5)) == 2
    assert ("shenzhen_admin", "shenzhen-supply") not in received()


def test_removing_a_suppliers_lines_by_upsert_withdraws_its_deadlines(world, actor_for, clock):
    actor = actor_for("acme_owner")
    services.order_bulk_upsert(actor=actor, orders=[order_body()])
    tent_only = order_body()
    tent_only["lines"] = tent_only["lines"][:1]
    result = services.order_bulk_upsert(actor=actor, orders=[tent_only])
    assert result.errors == []
    assert {(d.rule, d.key) for d in pending()} == {
        ("ship-reminder", str(world.shenzhen.pk)),
        ("ship-overdue", str(world.shenzhen.pk)),
    }


def test_a_cancelled_order_fires_nothing(world, actor_for, clock):
    order = services.order_create(actor=actor_for("acme_agent"), **order_body())
    Order.cross_tenant_objects.filter(pk=order.pk).update(status=OrderStatus.CANCELLED)
    assert sweep_at(NOW + timedelta(days=5)) == 4
    assert not NotificationEvent.cross_tenant_objects.exists()


# ---------------------------------------------------------------------------------------
# Firing


def test_an_order_placed_long_ago_falls_due_at_the_next_sweep(world, actor_for, clock):
    placed = NOW - timedelta(days=10)
    services.order_create(actor=actor_for("acme_agent"), **order_body(placed_at=placed.isoformat()))
    assert {d.due_at for d in pending("ship-overdue")} == {placed + timedelta(days=4)}
    assert sweep_at(NOW) == 4
    assert not pending().exists()
    types = NotificationEvent.cross_tenant_objects.values_list("type", flat=True)
    assert sorted(types) == ["deadline.fired"] * 4 + ["order.overdue"] * 2


def test_the_reminder_urges_the_supplier_and_tells_the_merchant(world, actor_for, clock):
    from notifications.models import WebhookEndpoint

    WebhookEndpoint.cross_tenant_objects.create(
        merchant=world.acme, url="http://127.0.0.1:9/hook", events=["*"], secret="s"
    )
    order = services.order_create(actor=actor_for("acme_agent"), **two_supplier_body())
    Order.cross_tenant_objects.filter(pk=order.pk).update(status=OrderStatus.PARTIALLY_SHIPPED)
    OrderLine.cross_tenant_objects.filter(order=order, supplier=world.yiwu).update(shipped_at=NOW)

    # Not yet due the day before; due two days after the order was placed.
    assert sweep_at(NOW + timedelta(days=1)) == 0
    clock.move_to(NOW + timedelta(days=2), tick=False)
    assert sweep_at(timezone.now()) == 2  # shenzhen's, and yiwu's which finds nothing to do
    assert received() == {
        ("shenzhen_admin", "shenzhen-supply"),
        ("shenzhen_agent", "shenzhen-supply"),
        ("acme_owner", "acme"),
        ("acme_manager", "acme"),
        ("acme_agent", "acme"),
    }
    by_reader = {
        n.user.email.split("@")[0]: n for n in Notification.cross_tenant_objects.select_related()
    }
    to_supplier, to_merchant = by_reader["shenzhen_agent"], by_reader["acme_agent"]
    assert to_supplier.title == "Please ship order #5001 of Acme Outdoor"
    assert "lines to ship: MAT (Olive) x 2, TENT-2P (Olive) x 2." in to_supplier.body
    assert "STOVE" not in to_supplier.body
    assert to_supplier.url == f"/portal/orders/#order-{order.pk}"
    assert to_merchant.title == "Order #5001 is not shipped yet by Shenzhen Supply"
    assert to_merchant.url == f"/app/orders/{order.pk}/"
    # One webhook per firing, from the merchant's notice: deadline.fired, with the lines.
    delivery = WebhookDelivery.cross_tenant_objects.select_related("event").get()
    assert delivery.event.type == "deadline.fired"
    assert delivery.event.data["deadline"]["rule"] == "ship-reminder"
    assert delivery.event.data["order"]["external_id"] == "#5001"
    assert {line["sku"] for line in delivery.event.data["lines"]} == {"MAT", "TENT-2P"}

    # E-mail: the outbox task, run here synchronously, sends each in the reader's language.
    for delivery_id in EmailDelivery.cross_tenant_objects.values_list("pk", flat=True):
        email_delivery_send_task.apply(args=[str(delivery_id)])
    assert len(mail.outbox) == 5
    message = next(m for m in mail.outbox if m.to == ["shenzhen_admin@example.test"])
    assert message.subject == "[Redress] Please ship order #5001 of Acme Outdoor"
    assert f"/portal/orders/#order-{order.pk}" in message.body


def test_a_second_sweep_sends_nothing_again(world, actor_for, clock):
    services.order_create(actor=actor_for("acme_agent"), **order_body())
    assert sweep_at(NOW + timedelta(days=2)) == 2
    count = Notification.cross_tenant_objects.count()
    assert sweep_at(NOW + timedelta(days=2)) == 0
    assert Notification.cross_tenant_objects.count() == count


def test_overdue_flags_a_stock_problem_suggests_suppliers_and_calls_the_hook(
    world, actor_for, clock, overdue_calls
):
    # Given acme bought STOVE from yiwu and from ali-market before, and globex from shenzhen
    with organization_scope(world.acme):
        for supplier in (world.yiwu, world.ali):
            OrderLineFactory(
                order=OrderFactory(merchant=world.acme), supplier=supplier, sku="STOVE"
            )
    OrderLineFactory(order=OrderFactory(merchant=world.globex), supplier=world.shenzhen, sku="LAMP")
    body = order_body(placed_at=NOW.isoformat())
    body["lines"] = [
        {**body["lines"][1], "supplier": "shenzhen-supply"},  # STOVE
        {**body["lines"][1], "sku": "LAMP", "supplier": "shenzhen-supply"},
    ]
    order = services.order_create(actor=actor_for("acme_agent"), **body)

    # When shenzhen has shipped nothing four days later
    assert sweep_at(NOW + timedelta(days=4)) == 2

    # Then its lines are flagged, the merchant is told with suggestions, and the hook ran
    flagged = {line.sku: line.stock_problem_flagged_at for line in lines_of(order)}
    assert flagged == {"LAMP": NOW, "STOVE": NOW}
    event = NotificationEvent.cross_tenant_objects.get(type="order.overdue")
    assert event.data["supplier"]["slug"] == "shenzhen-supply"
    assert event.data["suggested_suppliers"] == [
        {
            "sku": "STOVE",
            "suppliers": [  # verified first; globex's history of LAMP is not acme's
                {
                    "id": str(world.yiwu.pk),
                    "slug": "yiwu-goods",
                    "name": "Yiwu Goods",
                    "verified": True,
                },
                {
                    "id": str(world.ali.pk),
                    "slug": "ali-market",
                    "name": "Ali Market",
                    "verified": False,
                },
            ],
        }
    ]
    assert received("order.overdue") == {
        ("acme_owner", "acme"),
        ("acme_manager", "acme"),
        ("acme_agent", "acme"),
    }
    notice = Notification.cross_tenant_objects.filter(type="order.overdue").first()
    assert notice.title == "Order #5001 is overdue at Shenzhen Supply"
    assert "STOVE: Yiwu Goods, Ali Market" in notice.body
    [call] = overdue_calls
    assert call["order"] == order
    assert call["supplier"] == world.shenzhen
    assert {line.sku for line in call["lines"]} == {"LAMP", "STOVE"}
    assert call["options"] == {"open_refund_request": False}


def test_overdue_passes_the_merchants_refund_option_to_the_hook(
    world, actor_for, clock, overdue_calls
):
    rule_setting_update(
        actor=owner(world), code="ship-overdue", options={"open_refund_request": True}
    )
    services.order_create(actor=actor_for("acme_agent"), **order_body())
    # The option as it was when the deadline was made, even if changed since.
    rule_setting_update(actor=owner(world), code="ship-overdue")
    sweep_at(NOW + timedelta(days=4))
    assert [call["options"] for call in overdue_calls] == [{"open_refund_request": True}] * 2


def test_overdue_without_another_supplier_suggests_none(world, actor_for, clock, overdue_calls):
    services.order_create(actor=actor_for("acme_agent"), **order_body())
    sweep_at(NOW + timedelta(days=4))
    events = NotificationEvent.cross_tenant_objects.filter(type="order.overdue")
    assert [event.data["suggested_suppliers"] for event in events] == [[], []]


def test_a_failing_hook_rolls_back_the_overdue_action(world, actor_for, clock, monkeypatch):
    def broken(**call):
        raise RuntimeError("disputes is down")

    monkeypatch.setattr(hooks.ship_overdue_handlers, "_handlers", [broken])
    order = services.order_create(actor=actor_for("acme_agent"), **order_body())
    assert sweep_at(NOW + timedelta(days=4)) == 2  # the two reminders
    assert not NotificationEvent.cross_tenant_objects.filter(type="order.overdue").exists()
    assert {line.stock_problem_flagged_at for line in lines_of(order)} == {None}
    assert pending("ship-overdue").count() == 2  # retried later by the engine
    assert {d.attempts for d in pending("ship-overdue")} == {1}


# ---------------------------------------------------------------------------------------
# Customs hold


@pytest.fixture
def parcel(world, actor_for, clock):
    """A parcel of yiwu's only line, on an order of yiwu alone (no ship deadline left)."""
    body = order_body()
    body["lines"] = body["lines"][1:]
    order = services.order_create(actor=actor_for("acme_agent"), **body)
    with organization_scope(world.acme):
        return services.shipment_create(
            actor=actor_for("acme_agent"), order=order, lines=lines_of(order), tracking_number=UPS
        )


def customs(world, parcel, status, at=None):
    actor = Actor.platform(user=world.users["acme_owner"])
    return services.shipment_update_status(actor=actor, shipment=parcel, status=status, at=at)


def test_a_parcel_held_at_customs_reminds_the_merchant(world, parcel):
    held_at = NOW + timedelta(hours=1)
    customs(world, parcel, ShipmentStatus.CUSTOMS_HOLD, at=held_at)
    [deadline] = pending("customs-hold")
    assert deadline.subject == parcel
    assert deadline.due_at == held_at + timedelta(days=2)
    # The carrier says "held" again: still one deadline.
    customs(world, parcel, ShipmentStatus.CUSTOMS_HOLD)
    assert pending("customs-hold").count() == 1

    assert sweep_at(held_at + timedelta(days=2)) == 1
    assert received("deadline.fired") == {
        ("acme_owner", "acme"),
        ("acme_manager", "acme"),
        ("acme_agent", "acme"),
    }
    notice = Notification.cross_tenant_objects.filter(type="deadline.fired").first()
    assert notice.title == f"Parcel {UPS} of order #5001 is held at customs"
    assert "Hello Ada Lovelace, your parcel" in notice.body
    event = NotificationEvent.cross_tenant_objects.get(type="deadline.fired")
    assert event.data["deadline"]["rule"] == "customs-hold"
    assert event.data["shipment"]["tracking_number"] == UPS


def test_a_parcel_leaving_customs_withdraws_the_reminder(world, parcel):
    customs(world, parcel, ShipmentStatus.CUSTOMS_HOLD)
    customs(world, parcel, ShipmentStatus.IN_TRANSIT)
    assert not pending("customs-hold").exists()
    assert sweep_at(NOW + timedelta(days=3)) == 0
    # Held a second time: a new reminder.
    customs(world, parcel, ShipmentStatus.CUSTOMS_HOLD)
    assert pending("customs-hold").count() == 1


def test_customs_hold_switched_off_schedules_nothing(world, parcel):
    rule_setting_update(actor=owner(world), code="customs-hold", enabled=False)
    customs(world, parcel, ShipmentStatus.CUSTOMS_HOLD)
    assert not pending("customs-hold").exists()


# ---------------------------------------------------------------------------------------
# Concurrency


@pytest.mark.django_db(transaction=True)
def test_overdue_does_not_wait_for_an_order_being_written_and_is_retried(
    world, actor_for, overdue_calls
):
    # Given overdue deadlines, and another transaction holding the order (a parcel being
    # recorded, which will withdraw those deadlines: waiting for it could deadlock)
    placed = timezone.now() - timedelta(days=5)
    order = services.order_create(
        actor=actor_for("acme_agent"), **order_body(placed_at=placed.isoformat())
    )
    locked, release = threading.Event(), threading.Event()

    def writer():
        try:
            # A thread starts with no scope: it writes as the order's merchant.
            with organization_scope(order.merchant), transaction.atomic():
                Order.cross_tenant_objects.select_for_update().get(pk=order.pk)
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    assert locked.wait(10)
    try:
        # When the sweep runs meanwhile
        started = time.monotonic()
        fired = deadline_sweep(now=timezone.now())
        seconds = time.monotonic() - started
    finally:
        release.set()
        thread.join(30)

    # Then the reminders (which lock nothing) fired, the overdue actions gave up at once
    assert fired == 2
    assert seconds < 5
    assert overdue_calls == []
    retried = list(pending("ship-overdue"))
    assert [deadline.attempts for deadline in retried] == [1, 1]
    assert all("lock" in deadline.last_error for deadline in retried)
    # And they run at the sweep after their backoff
    assert deadline_sweep(now=timezone.now() + timedelta(hours=1)) == 2
    assert len(overdue_calls) == 2


@pytest.mark.django_db(transaction=True)
def test_an_order_placed_in_year_one_stops_no_other_merchants_deadlines(world, actor_for, clock):
    # Given a globex order whose placed_at (and so its ship deadlines) were written in
    # year 1 behind the services' back, which is year 0 once in UTC
    body = order_body()
    for line in body["lines"]:
        line["supplier"] = "shenzhen-supply"
    poisoned = services.order_create(actor=actor_for("globex_owner"), **body)
    services.order_create(actor=actor_for("acme_agent"), **order_body())
    year_one = "0001-01-01T00:00:00+01:00"
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE orders_order SET placed_at = %s WHERE id = %s", [year_one, poisoned.pk]
        )
        cursor.execute(
            "UPDATE deadlines_deadline SET start_at = %s, due_at = %s, run_at = %s "
            "WHERE subject_id = %s",
            [year_one, year_one, year_one, str(poisoned.pk)],
        )

    # When the sweep runs once the acme deadlines are due
    fired = sweep_at(NOW + timedelta(days=5))

    # Then every deadline fired: out-of-range times are read as the nearest day Python
    # can hold (core.db), so the poisoned rows neither fail nor stop acme's
    assert fired == 6  # reminder and overdue for acme's two suppliers and globex's one
    with cross_tenant_scope(reason="test"):
        states = set(Deadline.cross_tenant_objects.values_list("merchant__slug", "state"))
    assert states == {("acme", DeadlineState.FIRED), ("globex", DeadlineState.FIRED)}
    assert ("shenzhen_admin", "shenzhen-supply") in received()
    # And a second sweep has nothing left to do
    assert sweep_at(NOW + timedelta(days=5)) == 0
