"""Every figure of the analytics endpoints against the hand-computed world (conftest)."""

import pytest

from core.tenancy import organization_scope
from deadlines.services import rule_setting_update
from disputes.tests.conftest import Disputes
from insights.tests.world import PERIOD

OVERVIEW = "/api/v1/analytics/overview/"
SUPPLIERS = "/api/v1/analytics/suppliers/"
PRODUCTS = "/api/v1/analytics/products/"
SCORECARD = "/api/v1/analytics/scorecard/"


def test_overview_figures(world, analytics_world):
    body = world.client("acme_viewer").get(OVERVIEW, PERIOD).json()
    overdue = world.client("acme_viewer").get("/api/v1/disputes/", {"overdue": "true"}).json()
    assert body == {
        "period": {"from": "2026-03-02", "to": "2026-03-15"},
        "orders": 7,
        "disputes_opened": 5,  # D1..D5
        "disputes_resolved": 2,  # D1 resolved, D0 closed
        "open_now": 4,  # D2, D3, D4, D5
        "overdue_now": len(overdue["results"]),
        "dispute_rate": "71.43",  # 5 / 7
        "median_first_response_hours": "4.00",  # D4 1 h, D1 4 h, D2 10 h
        "median_resolution_hours": "120.00",  # D1 48 h, D0 192 h
        "by_reason": [
            {"kind": "refund", "reason": "not_received", "count": 2},
            {"kind": "problem", "reason": "damaged", "count": 1},
            {"kind": "problem", "reason": "not_received", "count": 1},
            {"kind": "refund", "reason": "no_tracking", "count": 1},
        ],
        "by_week": [
            {"week_start": "2026-03-02", "opened": 1, "resolved": 2},
            {"week_start": "2026-03-09", "opened": 4, "resolved": 0},
        ],
        "money": [
            {
                "currency": "EUR",
                "refunded_to_customers": "8.00",
                "recovered_from_suppliers": "0.00",
                "net_loss": "8.00",
            },
            {
                "currency": "USD",
                "refunded_to_customers": "32.50",
                "recovered_from_suppliers": "12.50",
                "net_loss": "20.00",
            },
        ],
    }
    assert body["overdue_now"] >= 1  # D5 waited on the supplier past its 48 h


def test_supplier_rows(world, analytics_world):
    body = world.client("acme_owner").get(SUPPLIERS, PERIOD).json()
    assert body["next"] is None
    assert body["results"] == [
        {
            "supplier": {"slug": "ali-market", "name": "Ali Market"},
            "orders": 1,
            "disputes": 0,
            "dispute_rate": "0.00",
            "median_first_response_hours": None,
            "on_time_ship_rate": "0.00",
            "arbitration_rate": None,
            "money": [],
        },
        {
            "supplier": {"slug": "shenzhen-supply", "name": "Shenzhen Supply"},
            "orders": 4,  # O1, O2, O3, O5
            "disputes": 4,  # D1, D2, D4, D5
            "dispute_rate": "100.00",
            "median_first_response_hours": "4.00",
            "on_time_ship_rate": "50.00",  # O1, O3 of O1, O2, O3, O5
            "arbitration_rate": "0.00",
            "money": [
                {
                    "currency": "EUR",
                    "refunded_to_customers": "8.00",
                    "recovered_from_suppliers": "0.00",
                    "net_loss": "8.00",
                },
                {
                    "currency": "USD",
                    "refunded_to_customers": "32.50",
                    "recovered_from_suppliers": "12.50",
                    "net_loss": "20.00",
                },
            ],
        },
        {
            "supplier": {"slug": "yiwu-goods", "name": "Yiwu Goods"},
            "orders": 3,  # O2, O4, O6
            "disputes": 1,  # D3
            "dispute_rate": "33.33",
            "median_first_response_hours": None,
            "on_time_ship_rate": "66.67",  # O4, O6 (exactly 48 h) of O2, O4, O6
            "arbitration_rate": "100.00",
            "money": [],
        },
    ]


def test_on_time_follows_the_merchants_ship_reminder_days(world, analytics_world):
    owner = Disputes(world).actor("acme_owner")
    with organization_scope(world.acme):
        rule_setting_update(actor=owner, code="ship-reminder", numbers={"after_days": 3})
    rows = world.client("acme_owner").get(SUPPLIERS, PERIOD).json()["results"]
    shenzhen = next(row for row in rows if row["supplier"]["slug"] == "shenzhen-supply")
    assert shenzhen["on_time_ship_rate"] == "75.00"  # O2's 72 h is now on time


def test_product_rows(world, analytics_world):
    body = world.client("acme_agent").get(PRODUCTS, PERIOD).json()
    assert body["results"] == [
        {
            "sku": "SKU-A",
            "title": "Item SKU-A",
            "orders": 2,  # O1, O2
            "disputes": 3,  # D1, D2 and D4 (on an older order, opened in the period)
            "dispute_rate": "150.00",
            "top_reason": "not_received",
        },
        {
            "sku": "SKU-B",
            "title": "Item SKU-B",
            "orders": 3,
            "disputes": 1,
            "dispute_rate": "33.33",
            "top_reason": "no_tracking",
        },
        {
            "sku": "SKU-C",
            "title": "Item SKU-C",
            "orders": 2,
            "disputes": 1,
            "dispute_rate": "50.00",
            "top_reason": "not_received",
        },
        {
            "sku": "SKU-D",
            "title": "Item SKU-D",
            "orders": 1,
            "disputes": 0,
            "dispute_rate": "0.00",
            "top_reason": None,
        },
    ]


def test_products_page_by_cursor(world, analytics_world):
    client = world.client("acme_agent")
    first = client.get(PRODUCTS, {**PERIOD, "page_size": 2}).json()
    assert [row["sku"] for row in first["results"]] == ["SKU-A", "SKU-B"]
    second = client.get(first["next"]).json()
    assert [row["sku"] for row in second["results"]] == ["SKU-C", "SKU-D"]
    assert second["next"] is None
    back = client.get(second["previous"]).json()
    assert [row["sku"] for row in back["results"]] == ["SKU-A", "SKU-B"]
    assert client.get(PRODUCTS, {**PERIOD, "cursor": "bm9wZQ=="}).status_code == 400


def test_supplier_scorecard_spans_its_merchants(world, analytics_world):
    body = world.client("shenzhen_agent").get(SCORECARD, PERIOD).json()
    assert body == {
        "supplier": {"slug": "shenzhen-supply", "name": "Shenzhen Supply"},
        "orders": 5,  # acme's four and globex's G1
        "disputes": 5,
        "dispute_rate": "100.00",
        "median_first_response_hours": "3.00",  # 1, 2, 4, 10
        "on_time_ship_rate": "60.00",  # acme 2 of 4, globex 1 of 1
        "arbitration_rate": "0.00",
    }


def test_yiwu_scorecard_is_only_its_own(world, analytics_world):
    body = world.client("yiwu_admin").get(SCORECARD, PERIOD).json()
    assert body["supplier"]["slug"] == "yiwu-goods"
    assert (body["orders"], body["disputes"], body["arbitration_rate"]) == (3, 1, "100.00")


def test_other_merchant_sees_only_its_own_figures(world, analytics_world):
    client = world.client("globex_owner")
    overview = client.get(OVERVIEW, PERIOD).json()
    assert (overview["orders"], overview["disputes_opened"], overview["open_now"]) == (1, 1, 1)
    assert overview["money"] == []
    assert overview["median_first_response_hours"] == "2.00"
    rows = client.get(SUPPLIERS, PERIOD).json()["results"]
    assert [row["supplier"]["slug"] for row in rows] == ["shenzhen-supply"]
    assert (rows[0]["orders"], rows[0]["disputes"]) == (1, 1)
    products = client.get(PRODUCTS, PERIOD).json()["results"]
    assert [(row["sku"], row["orders"], row["disputes"]) for row in products] == [("SKU-A", 1, 1)]


@pytest.mark.parametrize("path", [OVERVIEW, SUPPLIERS, PRODUCTS])
def test_an_empty_period_has_zero_counts_and_null_rates(world, analytics_world, path):
    body = world.client("acme_owner").get(path, {"from": "2025-01-01", "to": "2025-01-07"}).json()
    if path == OVERVIEW:
        assert body["orders"] == body["disputes_opened"] == body["disputes_resolved"] == 0
        assert body["dispute_rate"] is None
        assert body["median_first_response_hours"] is None
        assert body["median_resolution_hours"] is None
        assert body["by_reason"] == []
        assert body["money"] == []
        assert body["by_week"] == [  # Wednesday to Tuesday: two ISO weeks
            {"week_start": "2024-12-30", "opened": 0, "resolved": 0},
            {"week_start": "2025-01-06", "opened": 0, "resolved": 0},
        ]
        assert body["open_now"] == 4  # "now", whatever the period
    elif path == SUPPLIERS:
        for row in body["results"]:
            assert (row["orders"], row["disputes"]) == (0, 0)
            assert row["dispute_rate"] is None
            assert row["on_time_ship_rate"] is None
            assert row["arbitration_rate"] is None
            assert row["median_first_response_hours"] is None
            assert row["money"] == []
    else:
        assert body["results"] == []


def test_a_brand_new_merchant_has_nothing_and_no_error(world):
    client = world.client("globex_owner")
    assert client.get(OVERVIEW).status_code == 200
    assert client.get(SUPPLIERS).status_code == 200
    assert client.get(PRODUCTS).json()["results"] == []
    assert world.client("shenzhen_admin").get(SCORECARD).json()["dispute_rate"] is None
