"""Seed cases with their own handling: several parcels with one still moving, and the
delivered-but-not-received wait told in the reader's time zone."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from core.tenancy import cross_tenant_scope
from disputes.models import TimelineEvent
from disputes.wording import describe
from orders.models import Shipment, ShipmentStatus

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def add_parcel(order, supplier, lines, number, status):
    with cross_tenant_scope(reason="test"):
        shipment = Shipment.cross_tenant_objects.create(
            merchant=order.merchant,
            order=order,
            supplier=supplier,
            carrier="upu",
            tracking_number=number,
            tracking_valid=True,
            shipped_at=NOW - timedelta(days=6),
            status=status,
            delivered_at=NOW - timedelta(days=1) if status == ShipmentStatus.DELIVERED else None,
        )
        shipment.lines.set(lines)
    return shipment


def notice(dispute, code):
    with cross_tenant_scope(reason="test"):
        return TimelineEvent.cross_tenant_objects.filter(dispute=dispute, data__code=code).first()


@pytest.fixture
def two_parcel_order(disputes, world):
    """An order in two parcels: the first delivered, the second still in transit."""
    order = disputes.order(lines=(("shenzhen", 1, "10.00"), ("shenzhen", 1, "12.00")))
    first, second = disputes.lines(order)
    add_parcel(order, world.shenzhen, [first], "RR123456785CN", ShipmentStatus.DELIVERED)
    add_parcel(order, world.shenzhen, [second], "EE123456785CN", ShipmentStatus.IN_TRANSIT)
    return order


@pytest.mark.parametrize("kind", ["problem", "refund"])
def test_not_received_with_another_parcel_in_transit_says_the_rest_may_come(
    disputes, two_parcel_order, kind
):
    dispute = disputes.open(order=two_parcel_order, kind=kind, reason="not_received")
    event = notice(dispute, "parcels_still_in_transit")
    assert event is not None
    assert event.data["tracking_numbers"] == ["EE123456785CN"]
    assert "EE123456785CN is still on its way" in describe(event)


def test_one_parcel_or_none_moving_gives_no_such_notice(disputes, world):
    single = disputes.order()
    add_parcel(single, world.shenzhen, disputes.lines(single), "RR123456785CN", "in_transit")
    assert notice(disputes.open(order=single), "parcels_still_in_transit") is None
    arrived = disputes.order(lines=(("shenzhen", 1, "10.00"), ("shenzhen", 1, "12.00")))
    for line, number in zip(
        disputes.lines(arrived), ["RR123456785CN", "EE123456785CN"], strict=True
    ):
        add_parcel(arrived, world.shenzhen, [line], number, ShipmentStatus.DELIVERED)
    assert notice(disputes.open(order=arrived), "parcels_still_in_transit") is None


def test_other_reasons_give_no_such_notice(disputes, two_parcel_order):
    dispute = disputes.open(order=two_parcel_order, kind="problem", reason="wrong_item")
    assert notice(dispute, "parcels_still_in_transit") is None


def test_api_the_timeline_tells_both_parties_the_rest_may_come(disputes, two_parcel_order, world):
    dispute = disputes.open(order=two_parcel_order, reason="not_received")
    for caller in ("acme_agent", "shenzhen_agent"):
        events = world.client(caller).get(f"/api/v1/disputes/{dispute.pk}/timeline/").json()
        bodies = [event["body"] for event in events["results"]]
        assert any("the rest of the order may still arrive" in body for body in bodies), bodies


@pytest.fixture
def delivered_dispute(disputes, world):
    order = disputes.order()
    add_parcel(order, world.shenzhen, disputes.lines(order), "RR123456785CN", "delivered")
    return disputes.open(order=order, kind="problem", reason="not_received")


def test_the_delivered_wait_is_told_in_the_readers_time_zone(delivered_dispute):
    event = notice(delivered_dispute, "delivered_check_address")
    assert event.data["until"] == (NOW + timedelta(hours=24)).isoformat()
    with timezone.override("Asia/Shanghai"):
        # 3 March 10:00 UTC is 18:00 in Shanghai.
        assert "March 3, 2026, 6 p.m. (Asia/Shanghai)" in describe(event)
    with timezone.override("America/New_York"):
        assert "March 3, 2026, 5 a.m. (America/New_York)" in describe(event)


def test_api_the_delivered_wait_reads_in_the_callers_time_zone(delivered_dispute, world):
    user = world.users["acme_agent"]
    user.time_zone = "Asia/Shanghai"
    user.save(update_fields=["time_zone"])
    events = (
        world.client("acme_agent").get(f"/api/v1/disputes/{delivered_dispute.pk}/timeline/").json()
    )
    bodies = [event["body"] for event in events["results"]]
    assert any("wait until March 3, 2026, 6 p.m. (Asia/Shanghai)" in body for body in bodies)
    assert not any("2026-03-03T10:00:00+00:00" in body for body in bodies)


def test_the_dispute_page_states_the_wait_in_the_readers_time_zone(
    client, delivered_dispute, world
):
    user = world.users["acme_agent"]
    user.time_zone = "America/New_York"
    user.save(update_fields=["time_zone"])
    client.force_login(user)
    page = client.get(f"/app/disputes/{delivered_dispute.pk}/").content.decode()
    assert "March 3, 2026, 5 a.m. (America/New_York)" in page
