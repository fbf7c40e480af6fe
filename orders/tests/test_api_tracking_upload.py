"""POST /api/v1/shipments/bulk/: tracking numbers in bulk, per role, CSV and JSON."""

from io import BytesIO

import pytest

from core.tenancy import cross_tenant_scope
from orders import services
from orders.models import Shipment
from orders.tests.factories import order_body

URL = "/api/v1/shipments/bulk/"
GOOD = "RR123456785CN"
CSV = f"order_number,sku,tracking_number,carrier\n#5001,TENT-2P,{GOOD},\n#nope,TENT-2P,{GOOD},\n"


@pytest.fixture
def order(actor_for):
    return services.order_create(actor=actor_for("acme_owner"), **order_body())


def parcels():
    with cross_tenant_scope(reason="test"):
        return list(Shipment.objects.values_list("tracking_number", "supplier__slug"))


def csv_upload(text=CSV, name="tracking.csv"):
    file = BytesIO(text.encode() if isinstance(text, str) else text)
    file.name = name
    return {"file": file}


def test_a_supplier_uploads_a_csv_and_gets_an_answer_per_row(world, order):
    response = world.client("shenzhen_agent").post(URL, csv_upload(), format="multipart")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["recorded"], body["unchanged"], body["failed"]) == (1, 0, 1)
    first, second = body["results"]
    assert (first["row"], first["status"], first["carrier"], first["tracking_valid"]) == (
        2,
        "recorded",
        "upu",
        True,
    )
    assert first["shipment"]
    assert (second["row"], second["status"], second["message"]) == (
        3,
        "failed",
        "Order #nope not found.",
    )
    assert parcels() == [(GOOD, "shenzhen-supply")]

    # The same file again changes nothing
    again = world.client("shenzhen_agent").post(URL, csv_upload(), format="multipart").json()
    assert [row["status"] for row in again["results"]] == ["unchanged", "failed"]
    assert parcels() == [(GOOD, "shenzhen-supply")]


def test_json_rows_work_like_the_csv(world, order):
    rows = [
        {"order_number": "#5001", "sku": "TENT-2P", "tracking_number": GOOD},
        {"order_number": "#5001", "sku": "TENT-2P"},
        {"order_number": "#5001", "sku": "TENT-2P", "tracking_number": " "},
    ]
    response = world.client("shenzhen_admin").post(URL, {"rows": rows}, format="json")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(row["row"], row["status"]) for row in results] == [
        (1, "recorded"),
        (2, "failed"),
        (3, "failed"),
    ]
    assert results[1]["message"] == "The column tracking_number is empty."


def test_the_schema_lets_a_row_lack_a_column_as_a_csv_cell_may_be_empty(world, order):
    # A missing column fails its row (above), so the schema may not say it is required.
    schema = world.client("acme_owner").get("/api/schema/?format=json").json()
    row = schema["components"]["schemas"]["TrackingRowInputRequest"]
    assert "tracking_number" in row["properties"]
    assert not row.get("required")


@pytest.mark.parametrize(
    ("caller", "status", "recorded"),
    [
        ("acme_owner", 200, True),
        ("acme_agent", 200, True),
        ("acme_viewer", 403, False),
        ("globex_owner", 200, False),  # another merchant: the order is not found
        # Another supplier: it sees the order by its own line, never shenzhen's line.
        ("yiwu_admin", 200, False),
        (None, 401, False),
    ],
)
def test_who_may_upload(world, order, caller, status, recorded):
    response = world.client(caller).post(URL, csv_upload(), format="multipart")
    assert response.status_code == status
    if status == 200:
        first = response.json()["results"][0]
        refusal = {
            "globex_owner": "Order #5001 not found.",
            "yiwu_admin": "Order #5001 has no line with the SKU TENT-2P.",
        }
        expected = ("recorded", "") if recorded else ("failed", refusal[caller])
        assert (first["status"], first["message"]) == expected
    assert bool(parcels()) == recorded


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (csv_upload("order_number,sku\n#5001,TENT-2P\n"), 400),
        (csv_upload(b"\x89PNG\r\n\x1a\n\x00\x00\x00"), 415),
        (
            csv_upload(
                "order_number,sku,tracking_number\n" + "#5001,TENT-2P,X\n" * 1001,
            ),
            400,
        ),
        (csv_upload("order_number,sku,tracking_number\n" + "x" * (1024 * 1024)), 413),
        ({}, 400),
    ],
)
def test_bad_files_are_refused_whole_and_change_nothing(world, order, body, status):
    response = world.client("shenzhen_agent").post(URL, body, format="multipart")
    assert response.status_code == status
    assert response.json()["detail"] if status != 400 else response.json()
    assert parcels() == []


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"rows": "x"},
        {"rows": []},
        {"rows": [{}] * 1001},
        # Not an object of texts, as the schema says a row is: the body is malformed.
        {"rows": [{"order_number": "#5001", "sku": "TENT-2P", "tracking_number": GOOD}, "x"]},
        {"rows": [{"order_number": "#5001", "sku": "TENT-2P", "tracking_number": 7}]},
        {"rows": [{"order_number": "#5001", "sku": "TENT-2P", "merchant": {}}]},
    ],
)
def test_bad_json_is_400(world, order, body):
    response = world.client("shenzhen_agent").post(URL, body, format="json")
    assert response.status_code == 400
    assert parcels() == []
