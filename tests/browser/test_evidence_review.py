"""Issue 8 in the browser: the supplier reviews the merchant's photo in the portal, and
due times read as a countdown."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from disputes import services
from disputes.tests.conftest import Disputes
from disputes.tests.factories import OrderFactory, OrderLineFactory
from disputes.tests.samples import png_upload
from tests.browser.conftest import log_in

SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"


@pytest.fixture
def claim_with_photo(world):
    order = OrderFactory(merchant=world.acme, external_id="SHOP-7310", customer_name="Lisa S.")
    OrderLineFactory(
        order=order,
        supplier=world.shenzhen,
        sku="LAMP-LED",
        title="Camp lamp",
        quantity=2,
        unit_price=Decimal("14.90"),
    )
    helper = Disputes(world)
    dispute = helper.open(order=order, kind="refund", reason="damaged")
    helper.call("acme_agent", services.dispute_attachment_add, dispute, upload=png_upload())
    return dispute


def test_supplier_asks_for_more_evidence_in_the_portal(page, claim_with_photo):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    log_in(page, "shenzhen_agent@example.test")
    page.goto(f"/portal/disputes/{claim_with_photo.pk}/")
    review = page.get_by_role("region", name="Review the evidence")
    expect(review).to_be_visible()
    # The price the customer paid is the merchant's business; the amount asked is not.
    expect(page.locator("#dispute")).not_to_contain_text("14.90")
    expect(page.locator("#dispute")).to_contain_text("$29.80")
    expect(page.locator("#dispute time.due").first).to_contain_text("left")
    page.screenshot(path=str(SCREENSHOTS / "evidence-review-portal.png"), full_page=True)
    review.get_by_label("What is missing or unclear").fill("The crack is not visible.")
    review.get_by_role("button", name="Ask for more evidence").click()
    expect(page.locator("#dispute .page-head .status")).to_have_text("Awaiting evidence")
    expect(page.get_by_role("region", name="Review the evidence")).to_have_count(0)
    expect(page.locator("#dispute")).to_contain_text("The crack is not visible.")


def test_merchant_list_shows_due_times_as_a_countdown(page, claim_with_photo):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    log_in(page, "acme_agent@example.test")
    page.goto("/app/disputes/")
    due = page.locator("table.disputes time.due").first
    # 48 hours for the supplier to answer, read a moment later.
    expect(due).to_have_text(re.compile(r"^(2 days|47 h) left$"))
    expect(due).to_have_attribute("title", re.compile(r"^\w+\.? \d+, \d{4}, "))
    page.screenshot(path=str(SCREENSHOTS / "dispute-list-countdown.png"), full_page=True)
