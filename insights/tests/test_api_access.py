"""Who may call the analytics, bad periods, the default period, time zones, query counts."""

import io
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from disputes.tests.factories import OrderFactory, OrderLineFactory
from insights.tests.world import PERIOD, order

OVERVIEW = "/api/v1/analytics/overview/"
SUPPLIERS = "/api/v1/analytics/suppliers/"
PRODUCTS = "/api/v1/analytics/products/"
SCORECARD = "/api/v1/analytics/scorecard/"
LEDGER = "/api/v1/analytics/ledger/"
MERCHANT_PATHS = [OVERVIEW, SUPPLIERS, PRODUCTS, LEDGER]


@pytest.mark.parametrize("path", MERCHANT_PATHS)
@pytest.mark.parametrize(
    ("caller", "expected"),
    [
        ("acme_owner", 200),
        ("acme_agent", 200),
        ("acme_viewer", 200),
        ("shenzhen_agent", 403),
        (None, 401),
    ],
)
def test_merchant_analytics_are_for_merchant_members(world, path, caller, expected):
    response = world.client(caller).get(path)
    assert response.status_code == expected
    if expected != 200:
        assert "detail" in response.json()


@pytest.mark.parametrize(
    ("caller", "expected"),
    [("shenzhen_agent", 200), ("shenzhen_admin", 200), ("acme_owner", 403), (None, 401)],
)
def test_the_scorecard_is_for_suppliers(world, caller, expected):
    assert world.client(caller).get(SCORECARD).status_code == expected


@pytest.mark.parametrize("path", [*MERCHANT_PATHS, SCORECARD])
@pytest.mark.parametrize(
    "params",
    [
        {"from": "2026-03-15", "to": "2026-03-01"},  # reversed
        {"from": "yesterday"},
        {"to": "2026-02-30"},
        {"from": "2026-3-1"},
        {"from": "2026-03-01T00:00:00"},
        {"from": "2026-03-01\x00"},
        {"from": "1990-01-01", "to": "2026-01-01"},  # far too long
    ],
)
def test_bad_or_reversed_dates_are_400(world, path, params):
    caller = "shenzhen_agent" if path == SCORECARD else "acme_owner"
    response = world.client(caller).get(path, params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert set(response.json()) & {"from", "to"}


def test_a_bad_date_with_a_file_format_is_still_a_json_400(world):
    response = world.client("acme_owner").get(SUPPLIERS, {"from": "nope", "format": "csv"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "from" in response.json()


@pytest.mark.parametrize("params", [{"to": ""}, {"from": ""}])
def test_an_empty_date_is_400_not_the_default_period(world, params):
    response = world.client("acme_owner").get(OVERVIEW, params)
    assert response.status_code == 400
    assert set(params) <= set(response.json())


@pytest.mark.parametrize("page_size", ["null", "0", "x"])
def test_a_products_page_size_that_is_no_whole_number_is_400(world, page_size):
    response = world.client("acme_owner").get(PRODUCTS, {"page_size": page_size})
    assert response.status_code == 400
    assert "page_size" in response.json()


def test_options_with_a_file_format_describes_the_endpoint_in_json(world):
    response = world.client("acme_owner").options(f"{SUPPLIERS}?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(("path", "file_format"), [(SUPPLIERS, "pdf"), (OVERVIEW, "csv")])
def test_a_format_not_offered_is_400(world, path, file_format):
    response = world.client("acme_owner").get(path, {"format": file_format})
    assert response.status_code == 400
    assert "format" in response.json()


def test_the_default_period_is_the_last_90_days(world, time_machine):
    time_machine.move_to(datetime(2026, 5, 31, 12, tzinfo=UTC), tick=False)
    body = world.client("acme_owner").get(OVERVIEW).json()
    assert body["period"] == {"from": "2026-03-03", "to": "2026-05-31"}


def test_days_are_the_organizations_own(world, time_machine):
    # 23:30 UTC on 1 March is already 2 March in Berlin; 23:30 UTC on 2 March is 3 March.
    world.acme.time_zone = "Europe/Berlin"
    world.acme.save(update_fields=["time_zone"])
    time_machine.move_to(datetime(2026, 3, 5, tzinfo=UTC), tick=False)
    order(world, "B1", datetime(2026, 3, 1, 23, 30, tzinfo=UTC), [("shenzhen", "SKU-A", None)])
    order(world, "B2", datetime(2026, 3, 2, 23, 30, tzinfo=UTC), [("shenzhen", "SKU-A", None)])
    client = world.client("acme_owner")
    assert client.get(OVERVIEW, {"from": "2026-03-02", "to": "2026-03-02"}).json()["orders"] == 1
    assert client.get(OVERVIEW, {"from": "2026-03-01", "to": "2026-03-01"}).json()["orders"] == 0
    # "now" in Berlin decides the default period's last day too.
    time_machine.move_to(datetime(2026, 3, 5, 23, 30, tzinfo=UTC), tick=False)
    assert client.get(OVERVIEW).json()["period"]["to"] == "2026-03-06"


def test_csv_export_of_suppliers_neutralises_formulas(world, analytics_world):
    world.shenzhen.name = '=HYPERLINK("http://evil")'
    world.shenzhen.save(update_fields=["name"])
    response = world.client("acme_owner").get(SUPPLIERS, {**PERIOD, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("supplier,supplier_name,orders,disputes,dispute_rate")
    assert "net_loss_EUR" in lines[0]
    assert "net_loss_USD" in lines[0]
    assert any(line.startswith("shenzhen-supply,\"'=HYPERLINK") for line in lines)
    assert ",100.00," in text


def test_xlsx_export_of_products_neutralises_formulas_fullwidth_too(world, analytics_world):
    order(world, "X1", analytics_world.orders["O1"].placed_at, [("yiwu", "\uff1d1+2", None)])
    order(world, "X2", analytics_world.orders["O1"].placed_at, [("yiwu", "@SUM(A1)", None)])
    response = world.client("acme_owner").get(PRODUCTS, {**PERIOD, "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["sku", "title", "orders", "disputes", "dispute_rate", "top_reason"]
    assert rows[1][0] == "SKU-A"
    assert rows[1][4] == 150  # a number, not text
    skus = [row[0] for row in rows[1:]]
    assert "'\uff1d1+2" in skus
    assert "'@SUM(A1)" in skus
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_ledger_export(world, analytics_world):
    client = world.client("acme_agent")
    rows = client.get(LEDGER, PERIOD).json()["results"]
    # D0's entry was recorded in February; the period holds D1 (both sides), D2 and D5.
    assert [(row["dispute"], row["side"], row["amount"], row["currency"]) for row in rows] == [
        (analytics_world.disputes["D1"].number, "supplier", "12.50", "USD"),
        (analytics_world.disputes["D1"].number, "customer", "12.50", "USD"),
        (analytics_world.disputes["D2"].number, "customer", "20.00", "USD"),
        (analytics_world.disputes["D5"].number, "customer", "8.00", "EUR"),
    ]
    csv_text = client.get(LEDGER, {**PERIOD, "format": "csv"}).content.decode("utf-8-sig")
    assert csv_text.splitlines()[0] == (
        "dispute,supplier,side,kind,amount,currency,note,recorded_at"
    )
    assert len(csv_text.splitlines()) == 5
    assert world.client("globex_owner").get(LEDGER, PERIOD).json()["results"] == []


def count(client, path, params):
    client.get(path, params)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize("path", [OVERVIEW, SUPPLIERS, PRODUCTS, LEDGER])
def test_query_counts_do_not_grow_with_rows(world, analytics_world, path):
    client = world.client("acme_owner")
    few = count(client, path, PERIOD)
    placed = analytics_world.orders["O3"].placed_at
    for number in range(15):
        made = OrderFactory(merchant=world.acme, external_id=f"M{number}", placed_at=placed)
        OrderLineFactory(order=made, supplier=world.yiwu, sku=f"SKU-M{number}")
    assert count(client, path, PERIOD) == few


def test_scorecard_query_count_is_constant(world, analytics_world):
    client = world.client("shenzhen_agent")
    few = count(client, SCORECARD, PERIOD)
    placed = analytics_world.orders["O3"].placed_at
    for number in range(15):
        made = OrderFactory(merchant=world.globex, external_id=f"N{number}", placed_at=placed)
        OrderLineFactory(order=made, supplier=world.shenzhen, sku=f"SKU-N{number}")
    assert count(client, SCORECARD, PERIOD) == few
