import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from core.tenancy import cross_tenant_scope
from orders import services
from orders.models import Order, OrderLine, Shipment
from orders.tests.factories import OrderFactory, OrderLineFactory, order_body

MERCHANT_READERS = ["acme_owner", "acme_manager", "acme_agent", "acme_viewer"]
MERCHANT_WRITERS = ["acme_owner", "acme_manager", "acme_agent"]
SUPPLIER_FIELDS = {
    "id",
    "external_id",
    "merchant",
    "placed_at",
    "status",
    "is_international",
    "customer",
    "shipping_address",
    "lines",
}


@pytest.fixture
def orders(world, actor_for):
    """acme's order with a shenzhen and a yiwu line; globex's order with a shenzhen line."""
    acme = services.order_create(actor=actor_for("acme_owner"), **order_body())
    body = order_body(external_id="G-1")
    body["lines"] = body["lines"][:1]
    globex = services.order_create(actor=actor_for("globex_owner"), **body)
    return acme, globex


def line_id(order, slug) -> str:
    with cross_tenant_scope(reason="test"):
        return str(OrderLine.objects.get(order=order, supplier__slug=slug).pk)


def count_rows(model) -> int:
    with cross_tenant_scope(reason="test"):
        return model.objects.count()


# List


def test_anonymous_caller_is_refused(world, orders):
    response = world.client(None).get("/api/v1/orders/")
    assert response.status_code == 401
    assert "detail" in response.json()


@pytest.mark.parametrize("caller", MERCHANT_READERS)
def test_merchant_staff_list_only_their_orders(world, orders, caller):
    response = world.client(caller).get("/api/v1/orders/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"results", "next", "previous"}
    assert [order["external_id"] for order in body["results"]] == ["#5001"]
    row = body["results"][0]
    assert row["total"] == "184.80"
    assert row["currency"] == "USD"
    assert row["customer"] == {"name": "Ada Lovelace", "email": "ada@example.test"}
    assert {line["supplier"] for line in row["lines"]} == {"shenzhen-supply", "yiwu-goods"}


def test_another_merchant_lists_only_its_own(world, orders):
    rows = world.client("globex_owner").get("/api/v1/orders/").json()["results"]
    assert [order["external_id"] for order in rows] == ["G-1"]


def test_supplier_lists_its_lines_across_merchants_and_nothing_else(world, orders):
    rows = world.client("shenzhen_admin").get("/api/v1/orders/").json()["results"]
    assert sorted(order["merchant"]["slug"] for order in rows) == ["acme", "globex"]
    for row in rows:
        assert set(row) == SUPPLIER_FIELDS
        assert row["customer"] == {"name": "Ada Lovelace"}
        assert row["shipping_address"]["city"] == "Boston"
        assert [line["supplier"] for line in row["lines"]] == ["shenzhen-supply"]
        assert "unit_price" not in row["lines"][0]


def test_supplier_of_one_merchant_sees_only_that_merchant(world, orders):
    rows = world.client("yiwu_admin").get("/api/v1/orders/").json()["results"]
    assert [(row["merchant"]["slug"], len(row["lines"])) for row in rows] == [("acme", 1)]
    assert rows[0]["lines"][0]["sku"] == "STOVE"


@pytest.mark.parametrize("caller", ["acme_owner", "shenzhen_admin"])
@pytest.mark.parametrize("rows", [10, 100])
def test_a_list_page_costs_the_same_queries_for_10_and_100_rows(
    world, caller, rows, django_assert_num_queries
):
    for _ in range(rows):
        order = OrderFactory(merchant=world.acme)
        OrderLineFactory(order=order, supplier=world.shenzhen)
        OrderLineFactory(order=order, supplier=world.yiwu)
    client = world.client(caller)
    client.get("/api/v1/orders/")  # the token's last use is recorded once
    # Token lookup, the page of orders (with merchant), its lines (with suppliers).
    with django_assert_num_queries(3):
        response = client.get("/api/v1/orders/?page_size=100")
    assert len(response.json()["results"]) == rows


def test_pages_walk_every_order_once_even_when_placed_at_the_same_time(world):
    moment = timezone.now() - timedelta(days=2)
    created = {str(OrderFactory(merchant=world.acme, placed_at=moment).pk) for _ in range(25)}
    client = world.client("acme_owner")
    seen, url = [], "/api/v1/orders/?page_size=10"
    while url:
        body = client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert len(seen) == 25
    assert set(seen) == created
    last_page = client.get("/api/v1/orders/?page_size=10").json()
    second = client.get(last_page["next"]).json()
    back = client.get(second["previous"]).json()
    assert [row["id"] for row in back["results"]] == seen[:10]


def test_a_forged_cursor_is_a_400_not_a_500(world, orders):
    response = world.client("acme_owner").get("/api/v1/orders/?cursor=bm9wZQ")
    assert response.status_code == 400


# Filters


@pytest.mark.usefixtures("orders")
def test_filters_by_status_supplier_dates_and_search(world, actor_for):
    other = services.order_create(
        actor=actor_for("acme_owner"),
        **order_body(
            external_id="#7",
            placed_at=(timezone.now() - timedelta(days=10)).isoformat(),
            customer={"name": "Grace Hopper", "email": "grace@navy.test"},
            lines=order_body()["lines"][1:],
        ),
    )
    services.shipment_create(
        actor=actor_for("acme_owner"),
        order=other,
        lines=list(OrderLine.cross_tenant_objects.filter(order=other)),
        tracking_number="1Z999AA10123456784",
    )
    client = world.client("acme_agent")

    def ids(query):
        response = client.get(f"/api/v1/orders/?{query}")
        assert response.status_code == 200, response.json()
        return [row["external_id"] for row in response.json()["results"]]

    assert ids("status=shipped") == ["#7"]
    assert ids("status=unshipped") == ["#5001"]
    assert ids("supplier=shenzhen-supply") == ["#5001"]
    assert ids("supplier=yiwu-goods") == ["#5001", "#7"]
    week_ago = (timezone.now() - timedelta(days=7)).date().isoformat()
    assert ids(f"placed_after={week_ago}") == ["#5001"]
    assert ids(f"placed_before={week_ago}") == ["#7"]
    assert ids(
        "placed_after=" + (timezone.now() - timedelta(days=11)).isoformat().replace("+", "%2B")
    ) == [
        "#5001",
        "#7",
    ]
    assert ids("q=grace") == ["#7"]
    assert ids("q=GRACE@navy.test") == ["#7"]
    assert ids("q=%235001") == ["#5001"]
    assert ids("not_shipped_days=0") == ["#5001"]
    assert ids("has_dispute=true") == []
    assert ids("has_dispute=false") == ["#5001", "#7"]


def test_a_supplier_cannot_search_by_email(world, orders):
    client = world.client("shenzhen_admin")
    rows = client.get("/api/v1/orders/?q=ada@example.test").json()["results"]
    assert rows == []
    assert len(client.get("/api/v1/orders/?q=ada").json()["results"]) == 2


def test_bad_filter_values_are_400_with_the_field(world, orders):
    response = world.client("acme_owner").get("/api/v1/orders/?placed_after=soon&status=lost")
    assert response.status_code == 400
    assert {"placed_after", "status"} <= set(response.json())


# Retrieve


@pytest.mark.parametrize("caller", MERCHANT_READERS)
def test_merchant_staff_read_an_order_with_lines_parcels_and_disputes(world, orders, caller):
    acme, _ = orders
    response = world.client(caller).get(f"/api/v1/orders/{acme.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(acme.pk)
    assert len(body["lines"]) == 2
    assert body["shipments"] == []
    assert body["disputes"] == []


def test_another_merchants_order_is_a_404_like_a_missing_one(world, orders):
    acme, _ = orders
    client = world.client("globex_owner")
    theirs = client.get(f"/api/v1/orders/{acme.pk}/")
    missing = client.get(f"/api/v1/orders/{uuid.uuid4()}/")
    malformed = client.get("/api/v1/orders/not-a-uuid/")
    assert theirs.status_code == missing.status_code == malformed.status_code == 404
    assert theirs.json() == missing.json() == malformed.json()


def test_a_supplier_reads_only_its_part_of_an_order(world, orders):
    acme, globex = orders
    body = world.client("yiwu_admin").get(f"/api/v1/orders/{acme.pk}/").json()
    assert set(body) == SUPPLIER_FIELDS | {"shipments", "disputes"}
    assert [line["sku"] for line in body["lines"]] == ["STOVE"]
    assert world.client("yiwu_admin").get(f"/api/v1/orders/{globex.pk}/").status_code == 404


def test_dispute_summaries_come_from_the_registered_hook(world, orders, monkeypatch):
    from orders import hooks

    acme, _ = orders
    summary = {"id": "d-1", "number": 7, "status": "awaiting_supplier"}
    # monkeypatch puts the disputes app's own provider back for the tests that follow.
    monkeypatch.setattr(
        hooks.dispute_summaries,
        "_provider",
        lambda *, orders: {order.pk: [summary] for order in orders},
    )
    body = world.client("acme_owner").get(f"/api/v1/orders/{acme.pk}/").json()
    assert body["disputes"] == [summary]


# Create


@pytest.mark.parametrize("caller", MERCHANT_WRITERS)
def test_merchant_writers_create_an_order(world, caller):
    response = world.client(caller).post("/api/v1/orders/", order_body(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["external_id"] == "#5001"
    assert body["total"] == "184.80"
    assert all(line["id"] for line in body["lines"])
    assert body["shipments"] == []


@pytest.mark.parametrize(
    ("caller", "status"),
    [(None, 401), ("acme_viewer", 403), ("shenzhen_admin", 403), ("shenzhen_agent", 403)],
)
def test_others_cannot_create_orders(world, caller, status):
    response = world.client(caller).post("/api/v1/orders/", order_body(), format="json")
    assert response.status_code == status
    assert count_rows(Order) == 0


def test_duplicate_external_id_is_409(world, orders):
    response = world.client("acme_owner").post("/api/v1/orders/", order_body(), format="json")
    assert response.status_code == 409
    assert "already exists" in response.json()["detail"]


def test_invalid_order_is_400_with_field_errors_and_writes_nothing(world):
    body = order_body(currency="ABC")
    body["lines"][1]["supplier"] = "unknown"
    body["lines"][0]["quantity"] = -2
    response = world.client("acme_owner").post("/api/v1/orders/", body, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert errors["detail"]
    assert "currency" in errors
    assert errors["lines"][0] == {"quantity": ["The quantity must be at least 1."]}
    assert count_rows(Order) == count_rows(OrderLine) == 0


def test_a_list_body_is_400(world):
    response = world.client("acme_owner").post("/api/v1/orders/", [1, 2], format="json")
    assert response.status_code == 400


def test_an_unlinked_supplier_is_400(world):
    body = order_body()
    for line in body["lines"]:
        line["supplier"] = "yiwu-goods"  # not linked to globex
    response = world.client("globex_owner").post("/api/v1/orders/", body, format="json")
    assert response.status_code == 400
    assert "supplier" in response.json()["lines"][0]


# Bulk


def test_bulk_upsert_reports_by_index(world, orders):
    bad = order_body(external_id="#3")
    bad["lines"][0]["unit_price"] = "-1"
    payload = {"orders": [order_body(), bad, order_body(external_id="#4")]}
    response = world.client("acme_agent").post("/api/v1/orders/bulk/", payload, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["updated"]) == (1, 1)
    assert [error["index"] for error in body["errors"]] == [1]
    assert "unit_price" in body["errors"][0]["errors"]["lines"][0]


@pytest.mark.parametrize(
    ("caller", "status"), [(None, 401), ("acme_viewer", 403), ("shenzhen_admin", 403)]
)
def test_others_cannot_bulk_upsert(world, caller, status):
    payload = {"orders": [order_body()]}
    assert world.client(caller).post(
        "/api/v1/orders/bulk/", payload, format="json"
    ).status_code == (status)
    assert count_rows(Order) == 0


@pytest.mark.parametrize("payload", [{"orders": []}, {"orders": "x"}, {}, {"orders": [{}] * 1001}])
def test_bulk_needs_between_1_and_1000_orders(world, payload):
    response = world.client("acme_owner").post("/api/v1/orders/bulk/", payload, format="json")
    assert response.status_code == 400
    assert "orders" in response.json()


# Parcels


def post_parcel(client, order, lines, **extra):
    body = {"tracking_number": "RR123456785CN", "lines": lines, **extra}
    return client.post(f"/api/v1/orders/{order.pk}/shipments/", body, format="json")


@pytest.mark.parametrize("caller", MERCHANT_WRITERS)
def test_merchant_writers_record_a_parcel(world, orders, caller):
    acme, _ = orders
    response = post_parcel(world.client(caller), acme, [line_id(acme, "shenzhen-supply")])
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["carrier"] == "upu"
    assert body["tracking_valid"] is True
    assert body["tracking_problem"] is None
    assert body["supplier"] == "shenzhen-supply"


@pytest.mark.parametrize("caller", ["shenzhen_admin", "shenzhen_agent"])
def test_the_supplier_of_the_lines_records_a_parcel(world, orders, caller):
    acme, _ = orders
    response = post_parcel(
        world.client(caller),
        acme,
        [line_id(acme, "shenzhen-supply")],
        tracking_number="RR123456795CN",
        carrier="China Post",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["carrier"] == "china_post"
    assert body["tracking_valid"] is False
    assert "check digit" in body["tracking_problem"]
    order = world.client("acme_owner").get(f"/api/v1/orders/{acme.pk}/").json()
    assert order["shipments"][0]["tracking_number"] == "RR123456795CN"
    assert order["status"] == "partially_shipped"


def test_a_supplier_cannot_ship_another_suppliers_line(world, orders):
    acme, _ = orders
    response = post_parcel(world.client("shenzhen_admin"), acme, [line_id(acme, "yiwu-goods")])
    assert response.status_code == 400
    assert "lines" in response.json()
    assert count_rows(Shipment) == 0


@pytest.mark.parametrize(("caller", "status"), [("acme_viewer", 403), (None, 401)])
def test_readers_cannot_record_parcels(world, orders, caller, status):
    acme, _ = orders
    response = post_parcel(world.client(caller), acme, [line_id(acme, "shenzhen-supply")])
    assert response.status_code == status
    assert count_rows(Shipment) == 0


@pytest.mark.parametrize(("caller", "position"), [("globex_owner", 0), ("yiwu_admin", 1)])
def test_parcels_on_an_order_the_caller_cannot_see_are_404(world, orders, caller, position):
    order = orders[position]
    response = post_parcel(world.client(caller), order, [line_id(order, "shenzhen-supply")])
    assert response.status_code == 404
    assert count_rows(Shipment) == 0


@pytest.mark.parametrize(
    "body",
    [
        {"lines": []},
        {"lines": ["not-a-uuid"]},
        {"lines": [str(uuid.uuid4())]},
        {"tracking_number": ""},
        {"shipped_at": "2025-01-01T10:00:00"},
    ],
)
def test_bad_parcel_input_is_400(world, orders, body):
    acme, _ = orders
    payload = {"tracking_number": "RR123456785CN", "lines": [line_id(acme, "yiwu-goods")], **body}
    response = world.client("acme_owner").post(
        f"/api/v1/orders/{acme.pk}/shipments/", payload, format="json"
    )
    assert response.status_code == 400
    assert count_rows(Shipment) == 0


def test_the_same_parcel_twice_is_409(world, orders):
    acme, _ = orders
    client = world.client("acme_owner")
    assert post_parcel(client, acme, [line_id(acme, "yiwu-goods")]).status_code == 201
    assert post_parcel(client, acme, [line_id(acme, "yiwu-goods")]).status_code == 409


def test_a_supplier_sees_and_filters_the_status_of_its_own_lines(world, orders, actor_for):
    acme, _ = orders
    services.shipment_create(
        actor=actor_for("shenzhen_admin"),
        order=acme,
        lines=list(OrderLine.cross_tenant_objects.filter(order=acme, supplier=world.shenzhen)),
        tracking_number="RR123456785CN",
    )

    def statuses(caller, query=""):
        rows = world.client(caller).get(f"/api/v1/orders/?{query}").json()["results"]
        return [(row["external_id"], row["status"]) for row in rows]

    assert statuses("acme_owner") == [("#5001", "partially_shipped")]
    assert statuses("shenzhen_admin", "status=shipped") == [("#5001", "shipped")]
    assert statuses("shenzhen_admin", "status=unshipped") == [("G-1", "unshipped")]
    assert statuses("yiwu_admin") == [("#5001", "unshipped")]
    assert statuses("yiwu_admin", "not_shipped_days=0") == [("#5001", "unshipped")]


def test_order_create_honours_idempotency_key(world):
    # Every POST of the API takes Idempotency-Key (API.md, "General"), orders too.
    from orders.models import Order

    client = world.client("acme_agent")
    body = {
        "external_id": "IDEM-1",
        "placed_at": "2026-11-20T10:00:00+00:00",
        "currency": "USD",
        "customer": {"name": "Ann Buyer", "email": "ann@example.test"},
        "shipping_address": {"line1": "1 Main St", "city": "Austin", "country": "US"},
        "lines": [
            {
                "sku": "SKU-1",
                "title": "Bandana",
                "variant": "blue",
                "quantity": 1,
                "unit_price": "9.90",
                "supplier": "shenzhen-supply",
            }
        ],
    }
    first = client.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201, first.json()
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    from core.tenancy import cross_tenant_scope

    with cross_tenant_scope(reason="test"):
        assert Order.objects.filter(external_id="IDEM-1").count() == 1
    # Without the key the duplicate is what it is: a 409.
    assert client.post("/api/v1/orders/", body, format="json").status_code == 409


def test_search_finds_an_order_id_whatever_its_case(world, actor_for, client):
    services.order_create(actor=actor_for("acme_owner"), **order_body(external_id="SO-1001-ab"))
    for caller in ("acme_agent", "shenzhen_admin"):
        response = world.client(caller).get("/api/v1/orders/?q=so-1001-AB")
        assert [row["external_id"] for row in response.json()["results"]] == ["SO-1001-ab"]
    assert world.client("globex_owner").get("/api/v1/orders/?q=so-1001-ab").json()["results"] == []
    client.force_login(world.users["acme_agent"])
    page = client.get("/app/orders/", {"q": "so-1001-ab"}).content.decode()
    assert "SO-1001-ab" in page
