"""Times outside a sane range are refused at every entry point, and a row that slipped in
before this rule existed (year 1 BC, which Python cannot represent) breaks no page."""

import pytest
from django.db import connection
from django.test import Client

from accounts.tests.factories import UserFactory
from core.tenancy import cross_tenant_scope
from orders import services
from orders.models import ImportStatus, Order
from orders.tests.factories import csv_bytes, csv_row, order_body
from orders.tests.test_imports import run_import

TOO_EARLY = ["0001-01-01T00:00:00+01:00", "1999-12-31T23:59:59Z", "1970-01-01T00:00:00Z"]


def order_count() -> int:
    with cross_tenant_scope(reason="test"):
        return Order.objects.count()


@pytest.mark.parametrize("placed_at", TOO_EARLY)
def test_an_order_placed_before_2000_is_refused_and_nothing_is_written(world, placed_at):
    response = world.client("acme_owner").post(
        "/api/v1/orders/", order_body(placed_at=placed_at), format="json"
    )
    assert response.status_code == 400
    assert "placed_at" in response.json()
    assert order_count() == 0


def test_the_bulk_upsert_refuses_the_one_order_from_year_one(world):
    orders = [
        order_body(external_id="#1", placed_at="0001-01-01T00:00:00+01:00"),
        order_body(external_id="#2"),
    ]
    response = world.client("acme_owner").post(
        "/api/v1/orders/bulk/", {"orders": orders}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["created"] == 1
    assert [error["index"] for error in body["errors"]] == [0]
    assert "placed_at" in body["errors"][0]["errors"]
    with cross_tenant_scope(reason="test"):
        assert list(Order.objects.values_list("external_id", flat=True)) == ["#2"]


def test_a_csv_row_from_year_one_is_a_row_error(world, actor_for):
    rows = [csv_row("#1", placed_at="0001-01-01T00:00:00+01:00"), csv_row("#2")]
    job = run_import(actor_for("acme_owner"), csv_bytes(rows))
    assert job.status == ImportStatus.DONE
    assert [error["line"] for error in job.errors] == [2]
    assert "placed_at" in job.errors[0]["errors"]
    assert job.created == 1


def test_a_parcel_shipped_before_2000_is_refused(world, actor_for):
    order = services.order_create(actor=actor_for("acme_owner"), **order_body())
    with cross_tenant_scope(reason="test"):
        line = order.lines.get(sku="TENT-2P")
    response = world.client("acme_owner").post(
        f"/api/v1/orders/{order.pk}/shipments/",
        {"tracking_number": "RR123456785CN", "lines": [str(line.pk)], "shipped_at": TOO_EARLY[0]},
        format="json",
    )
    assert response.status_code == 400
    assert "shipped_at" in response.json()


@pytest.mark.parametrize(
    "query",
    [
        "placed_before=0001-01-01",
        "placed_after=0001-01-01",
        "placed_after=1899-12-31",
        "placed_before=0001-01-01T00:00:00%2B01:00",
        "placed_after=0001-01-01T00:00:00-12:00",
    ],
)
@pytest.mark.parametrize("caller", ["acme_owner", "shenzhen_admin"])
def test_date_filters_before_1900_are_a_400(world, caller, query):
    response = world.client(caller).get(f"/api/v1/orders/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    field = query.split("=")[0]
    assert field in response.json()


@pytest.mark.parametrize("query", ["placed_before=9999-12-31", "placed_after=1900-01-01"])
def test_date_filters_at_the_edges_of_the_calendar_answer(world, query):
    assert world.client("acme_owner").get(f"/api/v1/orders/?{query}").status_code == 200


@pytest.fixture
def poisoned_order(world, actor_for):
    """An order whose placed_at was stored as year 1 BC before the range was checked."""
    order = services.order_create(actor=actor_for("acme_owner"), **order_body())
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE orders_order SET placed_at = '0001-01-01T00:00:00+01:00' WHERE id = %s",
            [order.pk],
        )
    return order


@pytest.mark.parametrize("caller", ["acme_owner", "shenzhen_admin"])
def test_a_stored_order_from_year_one_breaks_no_api_answer(world, poisoned_order, caller):
    client = world.client(caller)
    listed = client.get("/api/v1/orders/")
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [str(poisoned_order.pk)]
    assert client.get(f"/api/v1/orders/{poisoned_order.pk}/").status_code == 200


def test_a_stored_order_from_year_one_breaks_no_page_export_or_admin(world, poisoned_order):
    world.users["acme_owner"].time_zone = "America/Los_Angeles"
    world.users["acme_owner"].save()
    browser = Client()
    browser.force_login(world.users["acme_owner"])
    assert browser.get("/app/orders/").status_code == 200
    assert browser.get(f"/app/orders/{poisoned_order.pk}/").status_code == 200
    export = browser.get("/app/orders/export.csv")
    assert export.status_code == 200
    assert b"#5001" in b"".join(export.streaming_content)
    operator = Client()
    operator.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert operator.get("/admin/orders/order/").status_code == 200
    assert operator.get(f"/admin/orders/order/{poisoned_order.pk}/change/").status_code == 200
