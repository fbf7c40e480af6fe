"""The HTTP contract of API.md, checked from the outside against the demo data.

Black box: every call goes through the API with tokens issued by POST /api/v1/auth/token/
to the demo users of API.md ("Demo data"). The demo is seeded once for the module, outside
the per-test transactions, so each test starts from the same data and rolls back its writes.
"""

import io
import json
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from PIL import Image
from rest_framework.test import APIClient

API = "/api/v1"
PASSWORD = "demo-pass-123"

ALLOWED_ACTIONS = {
    "message",
    "note",
    "attach",
    "propose",
    "accept",
    "reject",
    "fulfil",
    "escalate_to_refund",
    "escalate_to_arbitration",
    "close",
    "reopen",
}
PROBLEM_REASONS = [
    "tracking_invalid",
    "not_received",
    "damaged",
    "wrong_item",
    "not_as_described",
    "customs_hold",
    "other",
]
REFUND_REASONS = [
    "damaged",
    "customer_wrong_size",
    "not_as_described",
    "supplier_wrong_size",
    "not_received",
    "no_tracking",
    "out_of_stock",
    "oversized",
    "shipping_delayed",
    "supplier_unresponsive",
    "customer_cancelled",
    "wrong_address",
]
RESOLUTIONS = [
    "refund",
    "partial_refund",
    "reship",
    "replacement",
    "return_refund",
    "store_credit",
    "compensation",
]
EVENT_TYPES = [
    "dispute.opened",
    "dispute.message",
    "dispute.status_changed",
    "dispute.escalated",
    "dispute.resolved",
    "dispute.closed",
    "deadline.fired",
    "order.overdue",
]
DISPUTE_FIELDS = {
    "id",
    "number",
    "kind",
    "reason",
    "status",
    "order",
    "supplier",
    "lines",
    "description",
    "requested_amount",
    "currency",
    "opened_at",
    "respond_by",
    "resolve_by",
    "resolution",
    "allowed_actions",
}
EVENT_FIELDS = {"id", "type", "author", "body", "attachments", "created_at"}
PARTIES = {"merchant", "supplier", "platform", "system"}
EVENT_KINDS = {"message", "note", "attachment", "status", "proposal", "escalation", "deadline"}
EVENT_KINDS |= {"system"}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    # Seeded once for the module (seed_demo takes seconds); each test's own writes roll
    # back. Emptied afterwards, as a transactional test would, so that no later test in
    # this process (or in a reused test database) finds the demo rows.
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=io.StringIO())
    yield
    with django_db_blocker.unblock():
        # As a transactional test empties its tables: the sequences stay (only their owner,
        # not the application's role the tests run as, may reset them).
        call_command("flush", interactive=False, verbosity=0, reset_sequences=False)


@pytest.fixture
def api(demo, db):
    """api(email, organization=None) → an APIClient holding that demo user's token."""

    def login(email, organization=None):
        client = APIClient()
        body = {"email": email, "password": PASSWORD}
        if organization:
            body["organization"] = organization
        response = client.post(f"{API}/auth/token/", body, format="json")
        assert response.status_code == 201, response.content
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
        return client

    return login


@pytest.fixture
def acme(api):
    return api("owner@acme.test")


@pytest.fixture
def shenzhen(api):
    return api("staff@shenzhen-supply.test")


# Helpers


def assert_list(response):
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) >= {"results", "next", "previous"}
    assert isinstance(body["results"], list)
    return body["results"]


def assert_error(response, status):
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert isinstance(body, dict)
    assert body, "an error says something"
    return body


def assert_time(value):
    moment = datetime.fromisoformat(value)
    assert moment.tzinfo is not None, value


def assert_opaque_id(value):
    assert isinstance(value, str)
    assert not value.isdigit()
    uuid.UUID(value)


def all_pages(client, url):
    results = []
    while url:
        response = client.get(url)
        results += assert_list(response)
        url = response.json()["next"]
    return results


def disputes_of(client, **filters):
    query = "&".join(f"{key}={value}" for key, value in filters.items())
    return all_pages(client, f"{API}/disputes/?page_size=100&{query}")


def dispute_in(client, status, supplier=None):
    for dispute in disputes_of(client, status=status):
        if supplier is None or dispute["supplier"]["slug"] == supplier:
            return dispute
    raise AssertionError(f"the demo has no {status} dispute for this caller")


def order_body(external_id=None, lines=None, **extra):
    placed_at = (datetime.now(UTC) - timedelta(days=2)).isoformat()
    return {
        "external_id": external_id or f"CT-{uuid.uuid4().hex[:10]}",
        "placed_at": placed_at,
        "currency": "USD",
        "customer": {"name": "Contract Customer", "email": "contract@example.com"},
        "shipping_address": {
            "line1": "1 Test Street",
            "line2": "",
            "city": "Springfield",
            "region": "IL",
            "postal_code": "62704",
            "country": "US",
        },
        "lines": lines
        or [
            {
                "sku": "SKU-1",
                "title": "Tent",
                "variant": "Green",
                "quantity": 2,
                "unit_price": "12.50",
                "supplier": "shenzhen-supply",
            }
        ],
        **extra,
    }


def line(supplier="shenzhen-supply", sku="SKU-1"):
    return {
        "sku": sku,
        "title": "Item",
        "variant": "",
        "quantity": 1,
        "unit_price": "10.00",
        "supplier": supplier,
    }


def create_order(client, **kwargs):
    response = client.post(f"{API}/orders/", order_body(**kwargs), format="json")
    assert response.status_code == 201, response.content
    return response.json()


def open_dispute(client, order, kind="problem", reason="not_received", lines=None):
    body = {
        "order": order["id"],
        "lines": lines or [order["lines"][0]["id"]],
        "kind": kind,
        "reason": reason,
        "description": "Contract test",
    }
    return client.post(f"{API}/disputes/", body, format="json")


def png_bytes(size=(8, 8)):
    output = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(output, "PNG")
    return output.getvalue()


def upload(client, dispute_id, content, name="photo.png"):
    file = io.BytesIO(content)
    file.name = name
    return client.post(
        f"{API}/disputes/{dispute_id}/attachments/", {"file": file}, format="multipart"
    )


# General


@pytest.mark.django_db
def test_health_schema_and_docs():
    client = APIClient()
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path, method in [
        ("/api/v1/auth/token/", "post"),
        ("/api/v1/auth/token/", "delete"),
        ("/api/v1/me/", "get"),
        ("/api/v1/suppliers/", "get"),
        ("/api/v1/orders/", "get"),
        ("/api/v1/orders/", "post"),
        ("/api/v1/orders/bulk/", "post"),
        ("/api/v1/orders/import/", "post"),
        ("/api/v1/imports/{id}/", "get"),
        ("/api/v1/orders/{id}/", "get"),
        ("/api/v1/orders/{id}/shipments/", "post"),
        ("/api/v1/disputes/", "get"),
        ("/api/v1/disputes/", "post"),
        ("/api/v1/disputes/{id}/", "get"),
        ("/api/v1/disputes/{id}/timeline/", "get"),
        ("/api/v1/disputes/{id}/messages/", "post"),
        ("/api/v1/disputes/{id}/attachments/", "post"),
        ("/api/v1/attachments/{id}/download/", "get"),
        ("/api/v1/disputes/{id}/proposals/", "post"),
        ("/api/v1/disputes/{id}/proposals/{proposal_id}/accept/", "post"),
        ("/api/v1/disputes/{id}/proposals/{proposal_id}/reject/", "post"),
        ("/api/v1/disputes/{id}/fulfil/", "post"),
        ("/api/v1/disputes/{id}/escalate/", "post"),
        ("/api/v1/disputes/{id}/close/", "post"),
        ("/api/v1/disputes/{id}/reopen/", "post"),
        ("/api/v1/notifications/", "get"),
        ("/api/v1/notifications/{id}/read/", "post"),
        ("/api/v1/notifications/read-all/", "post"),
        ("/api/v1/webhooks/", "get"),
        ("/api/v1/webhooks/", "post"),
        ("/api/v1/webhooks/{id}/deliveries/", "get"),
    ]:
        assert path in paths, path
        assert method in paths[path], (path, method)
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"<html" in docs.content.lower()


@pytest.mark.django_db
def test_errors_are_json_never_html(acme):
    anonymous = APIClient()
    assert_error(anonymous.get(f"{API}/orders/"), 401)
    assert_error(anonymous.get(f"{API}/disputes/"), 401)
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert_error(bad.get(f"{API}/me/"), 401)
    assert_error(acme.get(f"{API}/no-such-thing/"), 404)
    assert_error(acme.get(f"{API}/disputes/not-an-id/"), 404)
    assert_error(acme.get(f"{API}/orders/not-an-id/"), 404)
    assert_error(acme.get(f"{API}/disputes/{uuid.uuid4()}/"), 404)
    assert_error(acme.get(f"{API}/orders/{uuid.uuid4()}/"), 404)
    assert_error(acme.get(f"{API}/imports/{uuid.uuid4()}/"), 404)
    broken = acme.post(f"{API}/orders/", "{not json", content_type="application/json")
    assert_error(broken, 400)
    assert_error(acme.post(f"{API}/orders/", [1, 2], format="json"), 400)
    assert_error(acme.post(f"{API}/disputes/", {"order": 5}, format="json"), 400)
    assert_error(acme.get(f"{API}/orders/?cursor=garbage"), 400)
    assert_error(acme.delete(f"{API}/me/"), 405)
    assert_error(acme.post(f"{API}/orders/", "a=b", content_type="text/plain"), 415)
    assert_error(acme.get(f"{API}/orders/?placed_after=garbage"), 400)
    supplier = APIClient()
    token = supplier.post(
        f"{API}/auth/token/",
        {"email": "staff@shenzhen-supply.test", "password": PASSWORD},
        format="json",
    ).json()["token"]
    supplier.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert_error(supplier.get(f"{API}/suppliers/"), 403)
    assert_error(supplier.get(f"{API}/webhooks/"), 403)


# Auth


@pytest.mark.django_db
def test_token_issue_revoke_and_me(demo):
    client = APIClient()
    response = client.post(
        f"{API}/auth/token/",
        {"email": "owner@acme.test", "password": PASSWORD},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert {"token", "organization"} <= set(body)
    assert body["organization"] == {"kind": "merchant", "slug": "acme", "name": "Acme Outdoor"}
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")

    me = client.get(f"{API}/me/")
    assert me.status_code == 200
    me = me.json()
    assert {"user", "organization", "role"} <= set(me)
    assert {"email", "name"} <= set(me["user"])
    assert me["user"]["email"] == "owner@acme.test"
    assert me["organization"]["slug"] == "acme"
    assert me["organization"]["kind"] == "merchant"
    assert me["role"] == "owner"

    assert client.delete(f"{API}/auth/token/").status_code == 204
    assert_error(client.get(f"{API}/me/"), 401)

    wrong = APIClient().post(
        f"{API}/auth/token/", {"email": "owner@acme.test", "password": "nope"}, format="json"
    )
    assert_error(wrong, 401)
    unknown = APIClient().post(
        f"{API}/auth/token/", {"email": "nobody@acme.test", "password": PASSWORD}, format="json"
    )
    assert_error(unknown, 401)


@pytest.mark.django_db
def test_token_for_a_member_of_several_organizations(api):
    ambiguous = APIClient().post(
        f"{API}/auth/token/", {"email": "ops@agency.test", "password": PASSWORD}, format="json"
    )
    assert_error(ambiguous, 400)
    for slug in ("acme", "globex"):
        client = api("ops@agency.test", slug)
        me = client.get(f"{API}/me/").json()
        assert me["organization"]["slug"] == slug
        assert me["role"] == "agent"
    supplier = api("staff@shenzhen-supply.test").get(f"{API}/me/").json()
    assert supplier["organization"]["kind"] == "supplier"
    assert supplier["organization"]["slug"] == "shenzhen-supply"


# Suppliers


@pytest.mark.django_db
def test_suppliers_of_each_merchant(api, acme):
    suppliers = assert_list(acme.get(f"{API}/suppliers/"))
    by_slug = {supplier["slug"]: supplier for supplier in suppliers}
    assert set(by_slug) == {"shenzhen-supply", "yiwu-goods", "ali-market"}
    for supplier in suppliers:
        assert {"id", "slug", "name", "verified", "country"} <= set(supplier)
        assert_opaque_id(supplier["id"])
    assert by_slug["ali-market"]["verified"] is False
    assert by_slug["shenzhen-supply"]["verified"] is True
    globex = assert_list(api("owner@globex.test").get(f"{API}/suppliers/"))
    assert [supplier["slug"] for supplier in globex] == ["shenzhen-supply"]


# Orders


@pytest.mark.django_db
def test_order_list_filters_and_scoping(api, acme, shenzhen):
    orders = all_pages(acme, f"{API}/orders/?page_size=100")
    assert orders
    for order in orders:
        assert_opaque_id(order["id"])
        assert_time(order["placed_at"])
        for order_line in order["lines"]:
            Decimal(order_line["unit_price"])
    first = orders[0]
    assert [o["id"] for o in assert_list(acme.get(f"{API}/orders/?q={first['external_id']}"))] == [
        first["id"]
    ]
    by_name = assert_list(acme.get(f"{API}/orders/", {"q": first["customer"]["name"]}))
    assert first["id"] in [o["id"] for o in by_name]
    by_email = assert_list(acme.get(f"{API}/orders/", {"q": first["customer"]["email"]}))
    assert first["id"] in [o["id"] for o in by_email]
    status = first["status"]
    assert all(o["status"] == status for o in all_pages(acme, f"{API}/orders/?status={status}"))
    yiwu_orders = all_pages(acme, f"{API}/orders/?supplier=yiwu-goods&page_size=100")
    assert yiwu_orders
    assert all(any(li["supplier"] == "yiwu-goods" for li in o["lines"]) for o in yiwu_orders)
    assert len(yiwu_orders) < len(orders)
    middle = sorted(o["placed_at"] for o in orders)[len(orders) // 2]
    after = all_pages(
        acme, f"{API}/orders/?page_size=100&placed_after={middle.replace('+', '%2B')}"
    )
    before = all_pages(
        acme, f"{API}/orders/?page_size=100&placed_before={middle.replace('+', '%2B')}"
    )
    assert after
    assert before
    pivot = datetime.fromisoformat(middle)
    assert all(datetime.fromisoformat(o["placed_at"]) >= pivot for o in after)
    assert all(datetime.fromisoformat(o["placed_at"]) <= pivot for o in before)

    # Another merchant's order is not found; a supplier sees only its own lines.
    assert_error(api("owner@globex.test").get(f"{API}/orders/{first['id']}/"), 404)
    supplier_orders = all_pages(shenzhen, f"{API}/orders/?page_size=100")
    assert supplier_orders
    for order in supplier_orders:
        assert all(li["supplier"] == "shenzhen-supply" for li in order["lines"])


@pytest.mark.django_db
def test_order_create_detail_and_conflicts(api, acme):
    order = create_order(acme, external_id="CT-CREATE-1")
    assert_opaque_id(order["id"])
    assert order["external_id"] == "CT-CREATE-1"
    assert_opaque_id(order["lines"][0]["id"])
    detail = acme.get(f"{API}/orders/{order['id']}/")
    assert detail.status_code == 200
    detail = detail.json()
    assert {"lines", "shipments", "disputes"} <= set(detail)
    assert detail["disputes"] == []
    assert_error(acme.post(f"{API}/orders/", order_body("CT-CREATE-1"), format="json"), 409)

    invalid = acme.post(
        f"{API}/orders/",
        order_body(shipping_address={"line1": "x", "city": "y", "country": "ZZZ"}),
        format="json",
    )
    assert_error(invalid, 400)
    missing = assert_error(acme.post(f"{API}/orders/", {}, format="json"), 400)
    assert "external_id" in json.dumps(missing)
    unlinked = acme.post(f"{API}/orders/", order_body(lines=[line("nobody")]), format="json")
    assert_error(unlinked, 400)

    viewer = api("viewer@acme.test")
    assert_error(viewer.post(f"{API}/orders/", order_body(), format="json"), 403)
    supplier = api("staff@shenzhen-supply.test")
    assert_error(supplier.post(f"{API}/orders/", order_body(), format="json"), 403)


@pytest.mark.django_db
def test_order_bulk_upsert(acme):
    existing = create_order(acme, external_id="CT-BULK-1")
    orders = [
        order_body("CT-BULK-1", customer={"name": "Renamed", "email": "r@example.com"}),
        order_body("CT-BULK-2"),
        {"external_id": "CT-BULK-BAD"},
        order_body("CT-BULK-3"),
    ]
    response = acme.post(f"{API}/orders/bulk/", {"orders": orders}, format="json")
    assert response.status_code in (200, 201), response.content
    body = response.json()
    assert {"created", "updated", "errors"} <= set(body)
    assert body["created"] == 2
    assert body["updated"] == 1
    assert len(body["errors"]) == 1
    assert body["errors"][0]["index"] == 2
    assert "errors" in body["errors"][0]
    detail = acme.get(f"{API}/orders/{existing['id']}/").json()
    assert detail["customer"]["name"] == "Renamed"
    thousand = [order_body(f"CT-BULK-K{index}") for index in range(1000)]
    response = acme.post(f"{API}/orders/bulk/", {"orders": thousand}, format="json")
    assert response.status_code in (200, 201), response.content[:300]
    assert (response.json()["created"], response.json()["errors"]) == (1000, [])
    too_many = acme.post(
        f"{API}/orders/bulk/", {"orders": [order_body() for _ in range(1001)]}, format="json"
    )
    assert_error(too_many, 400)


@pytest.mark.django_db
def test_order_csv_import(api, acme):
    header = (
        "external_id,placed_at,currency,customer_name,customer_email,ship_line1,ship_line2,"
        "ship_city,ship_region,ship_postal_code,ship_country,sku,title,variant,quantity,"
        "unit_price,supplier\n"
    )
    placed = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    row = (
        f"CT-CSV-1,{placed},USD,Ann Example,ann@example.com,1 Main St,,Springfield,IL,"
        "62704,US,SKU-9,Lamp,,1,5.00,shenzhen-supply\n"
    )
    file = io.BytesIO((header + row).encode())
    file.name = "orders.csv"
    response = acme.post(f"{API}/orders/import/", {"file": file}, format="multipart")
    assert response.status_code == 202, response.content
    job = response.json()
    assert_opaque_id(job["id"])
    progress = acme.get(f"{API}/imports/{job['id']}/")
    assert progress.status_code == 200
    assert {"status", "total", "processed", "created", "updated", "errors"} <= set(progress.json())
    assert_error(api("owner@globex.test").get(f"{API}/imports/{job['id']}/"), 404)
    not_csv = io.BytesIO(png_bytes())
    not_csv.name = "orders.csv"
    assert_error(acme.post(f"{API}/orders/import/", {"file": not_csv}, format="multipart"), 415)


@pytest.mark.django_db
def test_shipments_detect_the_carrier_and_judge_the_tracking_number(api, acme, shenzhen):
    order = create_order(acme, lines=[line("shenzhen-supply", "A"), line("yiwu-goods", "B")])
    shenzhen_line = next(li for li in order["lines"] if li["supplier"] == "shenzhen-supply")
    yiwu_line = next(li for li in order["lines"] if li["supplier"] == "yiwu-goods")
    shipped_at = (datetime.now(UTC) - timedelta(hours=3)).isoformat()
    response = shenzhen.post(
        f"{API}/orders/{order['id']}/shipments/",
        {"tracking_number": "1Z999AA10123456784", "lines": [shenzhen_line["id"]]}
        | {"shipped_at": shipped_at},
        format="json",
    )
    assert response.status_code == 201, response.content
    shipment = response.json()
    assert {"carrier", "tracking_valid", "tracking_problem"} <= set(shipment)
    assert shipment["carrier"]
    assert shipment["tracking_valid"] is True
    assert shipment["tracking_problem"] is None

    bad = acme.post(
        f"{API}/orders/{order['id']}/shipments/",
        {"tracking_number": "12", "lines": [yiwu_line["id"]], "shipped_at": shipped_at},
        format="json",
    )
    assert bad.status_code == 201, bad.content
    assert bad.json()["tracking_valid"] is False
    assert isinstance(bad.json()["tracking_problem"], str)
    assert bad.json()["tracking_problem"]

    # Shenzhen may not ship Yiwu's line; Globex does not see the order at all.
    refused = shenzhen.post(
        f"{API}/orders/{order['id']}/shipments/",
        {"tracking_number": "1Z999AA10123456784", "lines": [yiwu_line["id"]]}
        | {"shipped_at": shipped_at},
        format="json",
    )
    assert_error(refused, 400)  # another supplier's line is unknown to this one
    globex = api("owner@globex.test")
    assert_error(
        globex.post(
            f"{API}/orders/{order['id']}/shipments/",
            {"tracking_number": "1Z999AA10123456784", "lines": [shenzhen_line["id"]]},
            format="json",
        ),
        404,
    )
    detail = acme.get(f"{API}/orders/{order['id']}/").json()
    assert len(detail["shipments"]) == 2
    assert {"carrier", "tracking_valid", "tracking_problem"} <= set(detail["shipments"][0])


# Lists


@pytest.mark.django_db
def test_page_size_is_capped_at_100_and_cursors_walk(acme):
    orders = [order_body(f"CT-PAGE-{index}") for index in range(101)]
    assert acme.post(f"{API}/orders/bulk/", {"orders": orders}, format="json").status_code in (
        200,
        201,
    )
    page = assert_list(acme.get(f"{API}/orders/?page_size=1000"))
    assert len(page) == 100
    assert acme.get(f"{API}/orders/?page_size=1000").json()["next"]
    for url in (f"{API}/disputes/?page_size=1000", f"{API}/notifications/?page_size=1000"):
        assert len(assert_list(acme.get(url))) <= 100
    first = acme.get(f"{API}/orders/?page_size=1").json()
    assert len(first["results"]) == 1
    assert first["previous"] is None
    second = acme.get(first["next"]).json()
    assert len(second["results"]) == 1
    assert second["results"][0]["id"] != first["results"][0]["id"]
    assert second["previous"]
    assert acme.get(f"{API}/orders/?page_size=abc").status_code in (200, 400)


# Disputes


@pytest.mark.django_db
def test_dispute_list_detail_and_timeline_shapes(api, acme, shenzhen):
    disputes = disputes_of(acme)
    assert disputes
    numbers = sorted(d["number"] for d in disputes)
    assert numbers == list(range(1, len(numbers) + 1))
    for dispute in disputes:
        detail = acme.get(f"{API}/disputes/{dispute['id']}/")
        assert detail.status_code == 200
        detail = detail.json()
        assert set(detail) >= DISPUTE_FIELDS, DISPUTE_FIELDS - set(detail)
        assert_opaque_id(detail["id"])
        assert_opaque_id(detail["order"])
        assert isinstance(detail["number"], int)
        assert set(detail["allowed_actions"]) <= ALLOWED_ACTIONS
        assert detail["reason"] in (
            PROBLEM_REASONS if detail["kind"] == "problem" else REFUND_REASONS
        )
        assert_time(detail["opened_at"])
        for deadline in ("respond_by", "resolve_by"):
            if detail[deadline] is not None:
                assert_time(detail[deadline])
        if detail["requested_amount"] is not None:
            Decimal(detail["requested_amount"])
            assert detail["currency"]
        timeline = all_pages(acme, f"{API}/disputes/{dispute['id']}/timeline/")
        assert timeline
        times = [datetime.fromisoformat(event["created_at"]) for event in timeline]
        assert times == sorted(times), "oldest first"
        for event in timeline:
            assert set(event) >= EVENT_FIELDS
            assert event["type"] in EVENT_KINDS
            assert {"party", "name"} <= set(event["author"])
            assert event["author"]["party"] in PARTIES
            assert isinstance(event["attachments"], list)
            assert_time(event["created_at"])

    # A supplier sees those addressed to it, never a note; another merchant sees nothing.
    for dispute in disputes_of(shenzhen):
        assert dispute["supplier"]["slug"] == "shenzhen-supply"
        assert set(dispute["allowed_actions"]) <= ALLOWED_ACTIONS
        assert "note" not in dispute["allowed_actions"]
        events = all_pages(shenzhen, f"{API}/disputes/{dispute['id']}/timeline/")
        assert all(event["type"] != "note" for event in events)
    globex = api("owner@globex.test")
    assert_error(globex.get(f"{API}/disputes/{disputes[0]['id']}/"), 404)
    assert_error(globex.get(f"{API}/disputes/{disputes[0]['id']}/timeline/"), 404)
    yiwu = api("staff@yiwu-goods.test")
    for dispute in disputes:
        if dispute["supplier"]["slug"] != "yiwu-goods":
            assert_error(yiwu.get(f"{API}/disputes/{dispute['id']}/"), 404)
            break


@pytest.mark.django_db
def test_dispute_list_filters(acme):
    disputes = disputes_of(acme)
    sample = disputes[0]
    assert {d["id"] for d in disputes_of(acme, status=sample["status"])} == {
        d["id"] for d in disputes if d["status"] == sample["status"]
    }
    for kind in ("problem", "refund"):
        assert {d["id"] for d in disputes_of(acme, kind=kind)} == {
            d["id"] for d in disputes if d["kind"] == kind
        }
    assert {d["id"] for d in disputes_of(acme, reason=sample["reason"])} == {
        d["id"] for d in disputes if d["reason"] == sample["reason"]
    }
    assert {d["id"] for d in disputes_of(acme, supplier="yiwu-goods")} == {
        d["id"] for d in disputes if d["supplier"]["slug"] == "yiwu-goods"
    }
    by_order = disputes_of(acme, order=sample["order"])
    assert sample["id"] in {d["id"] for d in by_order}
    assert all(d["order"] == sample["order"] for d in by_order)
    by_number = disputes_of(acme, q=str(sample["number"]))
    assert sample["id"] in {d["id"] for d in by_number}
    overdue = disputes_of(acme, overdue="true")
    assert isinstance(overdue, list)
    assert len(overdue) <= len(disputes)
    assert all(d.get("overdue", True) for d in overdue)


@pytest.mark.django_db
def test_dispute_open_rules_and_every_reason_code(api, acme):
    lines = [line("shenzhen-supply", f"R{index}") for index in range(19)]
    order = create_order(acme, lines=lines)
    line_ids = [li["id"] for li in order["lines"]]
    codes = [("problem", reason) for reason in PROBLEM_REASONS]
    codes += [("refund", reason) for reason in REFUND_REASONS]
    for (kind, reason), line_id in zip(codes, line_ids, strict=True):
        response = open_dispute(acme, order, kind, reason, lines=[line_id])
        assert response.status_code == 201, (kind, reason, response.content)
        body = response.json()
        assert set(body) >= DISPUTE_FIELDS
        assert (body["kind"], body["reason"]) == (kind, reason)
        assert body["supplier"]["slug"] == "shenzhen-supply"

    mixed = create_order(acme, lines=[line("shenzhen-supply", "A"), line("yiwu-goods", "B")])
    two = open_dispute(acme, mixed, lines=[li["id"] for li in mixed["lines"]])
    assert_error(two, 400)
    assert_error(open_dispute(acme, mixed, "problem", "customer_wrong_size"), 400)
    assert_error(open_dispute(acme, mixed, "refund", "tracking_invalid"), 400)
    assert_error(open_dispute(acme, mixed, "problem", "no-such-reason"), 400)

    unverified = create_order(acme, lines=[line("ali-market", "C")])
    refused = assert_error(open_dispute(acme, unverified), 400)
    assert "detail" in refused or refused

    assert_error(open_dispute(api("viewer@acme.test"), mixed), 403)
    assert_error(open_dispute(api("staff@shenzhen-supply.test"), mixed), 403)
    assert_error(open_dispute(api("owner@globex.test"), mixed), 400)
    agent = open_dispute(api("agent@acme.test"), mixed, "problem", "damaged")
    assert agent.status_code == 201
    detail = acme.get(f"{API}/orders/{mixed['id']}/").json()
    assert detail["disputes"]
    assert {"id", "number", "status"} <= set(detail["disputes"][0])


@pytest.mark.django_db
def test_messages_notes_and_attachments(api, acme, shenzhen):
    order = create_order(acme)
    dispute = open_dispute(acme, order).json()
    url = f"{API}/disputes/{dispute['id']}"

    uploaded = upload(acme, dispute["id"], png_bytes(), "evidence.png")
    assert uploaded.status_code == 201, uploaded.content
    attachment = uploaded.json()
    assert {"id", "filename", "content_type", "size"} <= set(attachment)
    assert attachment["content_type"] == "image/png"
    assert isinstance(attachment["size"], int)
    assert_opaque_id(attachment["id"])

    message = acme.post(
        f"{url}/messages/",
        {"body": "Here is the photo", "internal": False, "attachments": [attachment["id"]]},
        format="json",
    )
    assert message.status_code == 201, message.content
    assert set(message.json()) >= EVENT_FIELDS
    note = acme.post(f"{url}/messages/", {"body": "Between us", "internal": True}, format="json")
    assert note.status_code == 201, note.content
    assert note.json()["type"] == "note"

    merchant_events = all_pages(acme, f"{url}/timeline/")
    assert "note" in {event["type"] for event in merchant_events}
    supplier_events = all_pages(shenzhen, f"{url}/timeline/")
    assert "note" not in {event["type"] for event in supplier_events}
    assert "Between us" not in json.dumps(supplier_events)
    assert any(event["attachments"] for event in supplier_events)

    reply = shenzhen.post(f"{url}/messages/", {"body": "Looking into it"}, format="json")
    assert reply.status_code == 201
    assert reply.json()["author"]["party"] == "supplier"
    supplier_note = shenzhen.post(
        f"{url}/messages/", {"body": "x", "internal": True}, format="json"
    )
    assert_error(supplier_note, 403)

    # Download: the parties, and nobody else.
    download = f"{API}/attachments/{attachment['id']}/download/"
    for client in (acme, shenzhen):
        response = client.get(download)
        assert response.status_code in (200, 302), response.status_code
    for outsider in (api("owner@globex.test"), api("staff@yiwu-goods.test")):
        assert_error(outsider.get(download), 404)
    assert_error(acme.get(f"{API}/attachments/{uuid.uuid4()}/download/"), 404)

    # Judged by content: a script named .png is refused; an oversized image is 413.
    assert_error(upload(acme, dispute["id"], b"<?php echo 1; ?>\n" * 20, "photo.png"), 415)
    big = png_bytes()[:64] + b"\0" * (21 * 1024 * 1024)
    assert_error(upload(acme, dispute["id"], big, "huge.png"), 413)
    assert_error(upload(api("owner@globex.test"), dispute["id"], png_bytes()), 404)


@pytest.mark.django_db
@pytest.mark.parametrize("resolution", RESOLUTIONS)
def test_every_resolution_can_be_proposed_and_accepted(acme, shenzhen, resolution):
    order = create_order(acme)
    dispute = open_dispute(acme, order).json()
    url = f"{API}/disputes/{dispute['id']}"
    body = {"resolution": resolution, "note": "Our offer"}
    if resolution in ("partial_refund", "return_refund", "store_credit", "compensation"):
        body["amount"] = "5.00"
    if resolution == "return_refund":
        body["rma_number"] = "RMA-1"  # the supplier's return offer names it (not in API.md)
    proposed = shenzhen.post(f"{url}/proposals/", body, format="json")
    assert proposed.status_code == 201, (resolution, proposed.content)
    proposal = proposed.json()
    assert_opaque_id(proposal["id"])
    assert proposal["resolution"] == resolution
    detail = acme.get(f"{url}/").json()
    assert {"accept", "reject"} <= set(detail["allowed_actions"])
    # The proposer cannot accept its own proposal.
    own = shenzhen.post(f"{url}/proposals/{proposal['id']}/accept/", {}, format="json")
    assert own.status_code in (403, 409), own.content
    accepted = acme.post(f"{url}/proposals/{proposal['id']}/accept/", {}, format="json")
    assert accepted.status_code == 200, accepted.content
    assert set(accepted.json()) >= DISPUTE_FIELDS
    assert accepted.json()["resolution"] is not None
    again = acme.post(f"{url}/proposals/{proposal['id']}/accept/", {}, format="json")
    assert_error(again, 409)
    assert_error(acme.post(f"{url}/proposals/{proposal['id']}/reject/", {}, format="json"), 409)


@pytest.mark.django_db
def test_proposal_reject_counter_and_bad_resolution(acme, shenzhen):
    order = create_order(acme)
    dispute = open_dispute(acme, order).json()
    url = f"{API}/disputes/{dispute['id']}"
    assert_error(
        shenzhen.post(f"{url}/proposals/", {"resolution": "rejection"}, format="json"), 400
    )
    assert_error(shenzhen.post(f"{url}/proposals/", {"resolution": "bogus"}, format="json"), 400)
    first = shenzhen.post(f"{url}/proposals/", {"resolution": "reship"}, format="json").json()
    rejected = acme.post(f"{url}/proposals/{first['id']}/reject/", {"note": "no"}, format="json")
    assert rejected.status_code == 200, rejected.content
    assert_error(acme.post(f"{url}/proposals/{first['id']}/accept/", {}, format="json"), 409)
    assert_error(acme.post(f"{url}/proposals/{first['id']}/reject/", {}, format="json"), 409)
    assert_error(acme.post(f"{url}/proposals/{uuid.uuid4()}/accept/", {}, format="json"), 404)


@pytest.mark.django_db
def test_fulfil_escalate_close_and_reopen(api, acme, shenzhen):
    # Fulfil: the supplier carries out an accepted resolution.
    accepted = dispute_in(acme, "resolution_accepted", supplier="shenzhen-supply")
    url = f"{API}/disputes/{accepted['id']}"
    accepted = shenzhen.get(f"{url}/").json()
    assert "fulfil" in accepted["allowed_actions"]
    resolution = accepted["resolution"]["resolution"]
    if resolution in ("reship", "replacement"):
        fulfilment = {"carrier": "ups", "tracking_number": "1Z999AA10123456784"}
    else:
        fulfilment = {"refund_reference": "RF-123"}
    assert_error(acme.post(f"{url}/fulfil/", fulfilment, format="json"), 403)
    fulfilled = shenzhen.post(f"{url}/fulfil/", fulfilment, format="json")
    assert fulfilled.status_code == 200, fulfilled.content
    assert "fulfil" not in fulfilled.json()["allowed_actions"]
    assert shenzhen.post(f"{url}/fulfil/", fulfilment, format="json").status_code == 409

    # Escalate a problem to a refund request; a refund request cannot be escalated to one.
    order = create_order(acme)
    problem = open_dispute(acme, order).json()
    assert "escalate_to_refund" in problem["allowed_actions"]
    url = f"{API}/disputes/{problem['id']}"
    assert_error(acme.post(f"{url}/escalate/", {"to": "nowhere"}, format="json"), 400)
    escalated = acme.post(
        f"{url}/escalate/", {"to": "refund", "note": "Please refund"}, format="json"
    )
    assert escalated.status_code == 200, escalated.content
    assert escalated.json()["kind"] == "refund"
    assert_error(acme.post(f"{url}/escalate/", {"to": "refund"}, format="json"), 409)

    arbitration = dispute_in(acme, "resolution_proposed")
    assert "escalate_to_arbitration" in arbitration["allowed_actions"]
    url = f"{API}/disputes/{arbitration['id']}"
    to_arbitration = acme.post(f"{url}/escalate/", {"to": "arbitration"}, format="json")
    assert to_arbitration.status_code == 200, to_arbitration.content
    assert to_arbitration.json()["status"] == "in_arbitration"
    assert_error(acme.post(f"{url}/escalate/", {"to": "arbitration"}, format="json"), 409)

    # Close and reopen: merchant only, and only where allowed.
    closable = dispute_in(acme, "awaiting_merchant")
    url = f"{API}/disputes/{closable['id']}"
    assert_error(shenzhen.post(f"{url}/close/", {}, format="json"), 403)
    assert_error(api("viewer@acme.test").post(f"{url}/close/", {}, format="json"), 403)
    closed = acme.post(f"{url}/close/", {"note": "Sorted"}, format="json")
    assert closed.status_code == 200, closed.content
    assert closed.json()["status"] == "closed"
    assert "reopen" in closed.json()["allowed_actions"]
    assert_error(acme.post(f"{url}/close/", {}, format="json"), 409)
    reopened = acme.post(f"{url}/reopen/", {}, format="json")
    assert reopened.status_code == 200, reopened.content
    assert reopened.json()["status"] != "closed"
    assert_error(acme.post(f"{url}/reopen/", {}, format="json"), 409)
    cancelled = dispute_in(acme, "cancelled")
    assert_error(acme.post(f"{API}/disputes/{cancelled['id']}/close/", {}, format="json"), 409)


@pytest.mark.django_db
def test_an_action_not_allowed_is_refused(acme, shenzhen):
    for dispute in disputes_of(acme) + disputes_of(shenzhen):
        assert set(dispute["allowed_actions"]) <= ALLOWED_ACTIONS
    cancelled = dispute_in(acme, "cancelled")
    assert cancelled["allowed_actions"] == [] or "message" not in cancelled["allowed_actions"]
    response = acme.post(
        f"{API}/disputes/{cancelled['id']}/messages/", {"body": "hello"}, format="json"
    )
    assert response.status_code in (403, 409)


# Notifications and webhooks


@pytest.mark.django_db
def test_notifications(api, acme):
    unread = all_pages(acme, f"{API}/notifications/?unread=true")
    assert unread
    assert all(n["read_at"] is None for n in unread)
    first = unread[0]
    assert_opaque_id(first["id"])
    read = acme.post(f"{API}/notifications/{first['id']}/read/")
    assert read.status_code == 200
    assert first["id"] not in {
        n["id"] for n in all_pages(acme, f"{API}/notifications/?unread=true")
    }
    assert first["id"] in {n["id"] for n in all_pages(acme, f"{API}/notifications/")}
    assert_error(api("owner@globex.test").post(f"{API}/notifications/{first['id']}/read/"), 404)
    assert acme.post(f"{API}/notifications/read-all/").status_code == 200
    assert all_pages(acme, f"{API}/notifications/?unread=true") == []


@pytest.mark.django_db
def test_webhooks_owner_only_secret_once(api, acme, django_capture_on_commit_callbacks):
    body = {"url": "http://127.0.0.1:9/redress", "events": ["dispute.opened"]}
    created = acme.post(f"{API}/webhooks/", body, format="json")
    assert created.status_code == 201, created.content
    webhook = created.json()
    assert {"id", "url", "events", "secret"} <= set(webhook)
    assert webhook["secret"]
    listed = assert_list(acme.get(f"{API}/webhooks/"))
    assert webhook["id"] in {w["id"] for w in listed}
    assert all("secret" not in w for w in listed)
    every = acme.post(f"{API}/webhooks/", {**body, "events": ["*"]}, format="json")
    assert every.status_code == 201
    assert every.json()["events"] == ["*"]
    all_types = acme.post(f"{API}/webhooks/", {**body, "events": EVENT_TYPES}, format="json")
    assert all_types.status_code == 201, all_types.content
    assert_error(acme.post(f"{API}/webhooks/", {**body, "events": ["nope"]}, format="json"), 400)
    assert_error(acme.post(f"{API}/webhooks/", {"events": ["*"]}, format="json"), 400)
    assert_list(acme.get(f"{API}/webhooks/{webhook['id']}/deliveries/"))
    with django_capture_on_commit_callbacks(execute=False):
        assert open_dispute(acme, create_order(acme)).status_code == 201
    deliveries = assert_list(acme.get(f"{API}/webhooks/{webhook['id']}/deliveries/"))
    assert "dispute.opened" in {delivery.get("type") for delivery in deliveries}
    assert_list(acme.get(f"{API}/webhooks/{every.json()['id']}/deliveries/"))
    for member in ("agent@acme.test", "viewer@acme.test", "staff@shenzhen-supply.test"):
        client = api(member)
        assert_error(client.get(f"{API}/webhooks/"), 403)
        assert_error(client.post(f"{API}/webhooks/", body, format="json"), 403)
    globex = api("owner@globex.test")
    assert_error(globex.get(f"{API}/webhooks/{webhook['id']}/deliveries/"), 404)


# Idempotency


@pytest.mark.django_db
def test_idempotency_key_replays_the_first_answer(acme):
    body = order_body("CT-IDEM-1")
    first = acme.post(f"{API}/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201
    again = acme.post(f"{API}/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert len(assert_list(acme.get(f"{API}/orders/?q=CT-IDEM-1"))) == 1
    order = first.json()
    dispute_body = {
        "order": order["id"],
        "lines": [order["lines"][0]["id"]],
        "kind": "problem",
        "reason": "not_received",
    }
    one = acme.post(f"{API}/disputes/", dispute_body, format="json", HTTP_IDEMPOTENCY_KEY="d-1")
    two = acme.post(f"{API}/disputes/", dispute_body, format="json", HTTP_IDEMPOTENCY_KEY="d-1")
    assert one.status_code == two.status_code == 201
    assert one.json()["id"] == two.json()["id"]
    assert len(disputes_of(acme, order=order["id"])) == 1


def test_ids_and_times_helpers_reject_what_the_contract_forbids():
    with pytest.raises(AssertionError):
        assert_time("2024-01-01T10:00:00")
    with pytest.raises((AssertionError, ValueError)):
        assert_opaque_id("42")


def _attempt(client, dispute, action):
    """Try `action` on `dispute` as `client` would, with a body API.md allows."""
    url = f"{API}/disputes/{dispute['id']}"
    proposal = (dispute.get("open_proposal") or {}).get("id") or str(uuid.uuid4())
    if action in ("message", "note"):
        body = {"body": "Contract check", "internal": action == "note"}
        return client.post(f"{url}/messages/", body, format="json")
    if action == "attach":
        return upload(client, dispute["id"], png_bytes())
    if action == "propose":
        return client.post(f"{url}/proposals/", {"resolution": "reship"}, format="json")
    if action in ("accept", "reject"):
        body = {"rma_number": "RMA-1"} if action == "accept" else {}
        return client.post(f"{url}/proposals/{proposal}/{action}/", body, format="json")
    if action == "fulfil":
        resolution = (dispute.get("resolution") or {}).get("resolution")
        if resolution in ("reship", "replacement"):
            body = {"carrier": "ups", "tracking_number": "1Z999AA10123456784"}
        else:
            body = {"refund_reference": "RF-1"}
        return client.post(f"{url}/fulfil/", body, format="json")
    if action.startswith("escalate_to_"):
        target = action.removeprefix("escalate_to_")
        return client.post(f"{url}/escalate/", {"to": target}, format="json")
    return client.post(f"{url}/{action}/", {}, format="json")


@pytest.mark.django_db
def test_allowed_actions_are_exactly_what_the_caller_may_do(api):
    from django.db import transaction

    callers = {
        "acme owner": api("owner@acme.test"),
        "acme agent": api("agent@acme.test"),
        "acme viewer": api("viewer@acme.test"),
        "ops in acme": api("ops@agency.test", "acme"),
        "shenzhen": api("staff@shenzhen-supply.test"),
        "yiwu": api("staff@yiwu-goods.test"),
    }
    wrong = []
    for name, client in callers.items():
        for dispute in disputes_of(client):
            allowed = set(dispute["allowed_actions"])
            assert allowed <= ALLOWED_ACTIONS, (name, allowed)
            for action in sorted(ALLOWED_ACTIONS):
                with transaction.atomic():
                    response = _attempt(client, dispute, action)
                    transaction.set_rollback(True)
                done = 200 <= response.status_code < 300
                if done != (action in allowed) or response.status_code >= 500:
                    wrong.append(
                        (
                            name,
                            dispute["number"],
                            dispute["status"],
                            action,
                            response.status_code,
                            response.content[:120],
                        )
                    )
    assert wrong == []


WEIRD_VALUES = [None, 0, -1, 10**30, 1.5, "", "x" * 5000, [], {}, ["x"], {"a": 1}, True, "\x00"]


@pytest.mark.django_db
def test_bad_input_never_produces_a_500(acme, shenzhen):
    order = create_order(acme)
    dispute = open_dispute(acme, order).json()
    proposal = shenzhen.post(
        f"{API}/disputes/{dispute['id']}/proposals/", {"resolution": "reship"}, format="json"
    ).json()
    d = f"{API}/disputes/{dispute['id']}"
    targets = [
        (acme, f"{API}/orders/", order_body()),
        (acme, f"{API}/orders/bulk/", {"orders": [order_body()]}),
        (
            acme,
            f"{API}/orders/{order['id']}/shipments/",
            {"tracking_number": "1Z999AA10123456784"} | {"lines": [order["lines"][0]["id"]]},
        ),
        (
            acme,
            f"{API}/disputes/",
            {"order": order["id"], "lines": [order["lines"][0]["id"]]}
            | {"kind": "problem", "reason": "other", "requested_amount": "1.00"},
        ),
        (acme, f"{d}/messages/", {"body": "hi", "internal": False, "attachments": []}),
        (acme, f"{d}/proposals/", {"resolution": "partial_refund", "amount": "1.00", "note": ""}),
        (acme, f"{d}/proposals/{proposal['id']}/reject/", {"note": ""}),
        (acme, f"{d}/escalate/", {"to": "refund", "note": ""}),
        (acme, f"{d}/close/", {"note": ""}),
        (shenzhen, f"{d}/fulfil/", {"refund_reference": "x", "carrier": "", "tracking_number": ""}),
        (acme, f"{API}/webhooks/", {"url": "http://127.0.0.1:9/x", "events": ["*"]}),
        (acme, f"{API}/auth/token/", {"email": "a@b.c", "password": "x", "organization": "acme"}),
    ]
    failures = []
    from django.db import transaction

    acme.raise_request_exception = shenzhen.raise_request_exception = False

    for client, url, body in targets:
        for field in body:
            for value in WEIRD_VALUES:
                with transaction.atomic():
                    response = client.post(url, {**body, field: value}, format="json")
                    transaction.set_rollback(True)
                if response.status_code >= 500 or not response["Content-Type"].startswith(
                    "application/json"
                ):
                    failures.append((url, field, repr(value)[:40], response.status_code))
        for whole in ([], "x", 5, None):
            with transaction.atomic():
                response = client.post(url, json.dumps(whole), content_type="application/json")
                transaction.set_rollback(True)
            if response.status_code >= 500:
                failures.append((url, "<body>", repr(whole), response.status_code))
    for query in (
        "page_size=0",
        "page_size=-5",
        "page_size=abc",
        "cursor=%00",
        "status=%00",
        "q=%00",
        "supplier=%00",
        "order=%00",
        "placed_after=2024-13-45",
        "placed_before=%00",
        "reason=%00",
        "kind=x",
        "overdue=x",
        "unread=x",
    ):
        for path in ("orders", "disputes", "notifications", "suppliers"):
            response = acme.get(f"{API}/{path}/?{query}")
            if response.status_code >= 500:
                failures.append((path, query, response.status_code))
    for garbage in ("x", "%00", "1", "00000000-0000-0000-0000-000000000000", "' or 1=1"):
        for method, path in (
            ("get", f"orders/{garbage}/"),
            ("post", f"orders/{garbage}/shipments/"),
            ("get", f"imports/{garbage}/"),
            ("get", f"disputes/{garbage}/"),
            ("get", f"disputes/{garbage}/timeline/"),
            ("post", f"disputes/{garbage}/messages/"),
            ("post", f"disputes/{dispute['id']}/proposals/{garbage}/accept/"),
            ("post", f"notifications/{garbage}/read/"),
            ("get", f"webhooks/{garbage}/deliveries/"),
            ("get", f"attachments/{garbage}/download/"),
        ):
            response = getattr(acme, method)(f"{API}/{path}", {}, format="json")
            if response.status_code != 404 or not response["Content-Type"].startswith(
                "application/json"
            ):
                failures.append((method, path, response.status_code, response["Content-Type"]))
    assert failures == [], "\n".join(map(str, failures))
