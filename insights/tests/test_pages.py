"""The pages: /app/insights/, the merchant home's summary, supplier scorecards, the portal's
scorecard and the file downloads; who reaches them and what they show."""

import io

import pytest
from openpyxl import load_workbook

from insights.tests.world import PERIOD, order


@pytest.fixture
def browser_as(client, world):
    def login(caller):
        client.force_login(world.users[caller])
        return client

    return login


def test_insights_page_shows_the_figures_with_their_tables(browser_as, analytics_world):
    response = browser_as("acme_viewer").get("/app/insights/", PERIOD)
    assert response.status_code == 200
    text = response.content.decode()
    assert 'data-chart="chart-weekly"' in text
    assert 'id="chart-weekly" type="application/json"' in text
    assert "71.43" in text  # disputes per 100 orders
    assert "Shenzhen Supply" in text
    assert "SKU-A" in text
    assert "vendor/chartjs/chart.umd.min" in text
    assert "32.50" in text  # USD refunded to customers
    assert "8.00" in text  # EUR, apart


def test_a_bad_period_on_the_page_is_said_and_the_default_shown(browser_as, world):
    response = browser_as("acme_owner").get("/app/insights/", {"from": "soon"})
    assert response.status_code == 200
    assert b"YYYY-MM-DD" in response.content


def test_home_has_the_summary(browser_as, analytics_world, time_machine):
    text = browser_as("acme_agent").get("/app/").content.decode()
    assert "home-summary" in text
    assert "/app/insights/" in text


def test_supplier_scorecard_page_compares_suppliers_of_the_same_sku(
    browser_as, world, analytics_world
):
    # yiwu also ships SKU-A: it must appear beside shenzhen for that sku.
    order(world, "Y1", analytics_world.orders["O1"].placed_at, [("yiwu", "SKU-A", None)])
    response = browser_as("acme_viewer").get("/app/suppliers/shenzhen-supply/", PERIOD)
    assert response.status_code == 200
    text = response.content.decode()
    assert 'data-chart="chart-trend"' in text
    comparison = text[text.index("compare-title") :]
    assert "Yiwu Goods" in comparison
    assert "this supplier" in comparison


@pytest.mark.parametrize(
    ("caller", "slug"), [("globex_owner", "yiwu-goods"), ("acme_owner", "nope")]
)
def test_a_supplier_not_linked_is_404(browser_as, world, caller, slug):
    assert browser_as(caller).get(f"/app/suppliers/{slug}/").status_code == 404


def test_portal_scorecard_is_the_suppliers_own(browser_as, analytics_world):
    response = browser_as("shenzhen_agent").get("/portal/scorecard/", PERIOD)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Shenzhen Supply" not in text or "Your scorecard" in text
    assert "60.00 %" in text  # on time across its merchants
    assert "Net loss" not in text  # never a merchant's money


def test_merchant_pages_send_a_supplier_home_and_back(browser_as):
    assert browser_as("shenzhen_agent").get("/app/insights/")["Location"] == "/"
    assert browser_as("acme_owner").get("/portal/scorecard/")["Location"] == "/"


def test_page_downloads(browser_as, analytics_world):
    client = browser_as("acme_viewer")
    csv_response = client.get("/app/insights/export/products.csv", PERIOD)
    assert csv_response["Content-Type"] == "text/csv"
    assert csv_response.content.decode("utf-8-sig").splitlines()[1].startswith("SKU-A,")
    xlsx = client.get("/app/insights/export/ledger.xlsx", PERIOD)
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 5  # header and four entries
    assert client.get("/app/insights/export/orders.csv").status_code == 404
    assert client.get("/app/insights/export/products.pdf").status_code == 404
