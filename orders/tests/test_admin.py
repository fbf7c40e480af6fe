import pytest
from django.test import Client

from accounts.tests.factories import UserFactory
from core.tenancy import cross_tenant_scope
from notifications.models import NotificationEvent
from orders.models import OrderStatus, ShipmentStatus
from orders.tests.factories import OrderFactory, OrderLineFactory, ShipmentFactory

ADMIN_PAGES = [
    "/admin/orders/order/",
    "/admin/orders/order/?q=%231000",
    "/admin/orders/order/?status__exact=unshipped",
    "/admin/orders/orderline/",
    "/admin/orders/shipment/",
    "/admin/orders/shipment/?q=rr00000001+0cn",
    "/admin/orders/orderimport/",
]


@pytest.fixture
def operator() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def make_orders(world, count: int):
    for _ in range(count):
        order = OrderFactory(merchant=world.acme)
        line = OrderLineFactory(order=order, supplier=world.shenzhen)
        ShipmentFactory(order=order, supplier=world.shenzhen).lines.add(line)


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_admin_lists_cost_the_same_queries_at_any_size(world, operator, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for rows in (5, 40):
        make_orders(world, rows)
        with CaptureQueriesContext(connection) as queries:
            response = operator.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
        assert not any(
            "COUNT(*)" in query["sql"] and "LIMIT" not in query["sql"]
            for query in queries.captured_queries
        ), "an uncapped COUNT(*) scans the whole table"
    assert counts[0] == counts[1]


def test_order_page_shows_lines_and_parcels_read_only(world, operator):
    order = OrderFactory(merchant=world.acme)
    OrderLineFactory(order=order, supplier=world.shenzhen, sku="TENT")
    ShipmentFactory(order=order, supplier=world.shenzhen, tracking_number="RR123456785CN")
    response = operator.get(f"/admin/orders/order/{order.pk}/change/")
    assert response.status_code == 200
    assert b"TENT" in response.content
    assert b"RR123456785CN" in response.content
    assert b'name="_save"' not in response.content


def test_operator_marks_a_parcel_delivered_through_the_service(world, operator):
    order = OrderFactory(merchant=world.acme, status=OrderStatus.SHIPPED)
    line = OrderLineFactory(order=order, supplier=world.shenzhen, shipped_at=order.placed_at)
    parcel = ShipmentFactory(order=order, supplier=world.shenzhen)
    parcel.lines.add(line)
    response = operator.post(
        "/admin/orders/shipment/",
        {"action": "mark_delivered", "_selected_action": [str(parcel.pk)]},
    )
    assert response.status_code == 302
    parcel.refresh_from_db()
    order.refresh_from_db()
    assert parcel.status == ShipmentStatus.DELIVERED
    assert parcel.delivered_at is not None
    assert order.status == OrderStatus.DELIVERED


def test_operator_marks_a_parcel_returned_and_the_merchant_is_told(world, operator):
    order = OrderFactory(merchant=world.acme, status=OrderStatus.SHIPPED)
    line = OrderLineFactory(order=order, supplier=world.shenzhen, shipped_at=order.placed_at)
    parcel = ShipmentFactory(order=order, supplier=world.shenzhen)
    voided = ShipmentFactory(order=order, supplier=world.shenzhen, status=ShipmentStatus.VOIDED)
    parcel.lines.add(line)
    response = operator.post(
        "/admin/orders/shipment/",
        {"action": "mark_returned", "_selected_action": [str(parcel.pk), str(voided.pk)]},
    )
    assert response.status_code == 302
    parcel.refresh_from_db()
    voided.refresh_from_db()
    assert (parcel.status, voided.status) == (ShipmentStatus.RETURNED, ShipmentStatus.VOIDED)
    with cross_tenant_scope(reason="test"):
        assert NotificationEvent.objects.filter(type="shipment.returned").count() == 1


def test_merchant_staff_cannot_open_the_admin(world):
    client = Client()
    client.force_login(world.users["acme_owner"])
    assert client.get("/admin/orders/order/").status_code == 302
