"""The red-bandana journey, in two browsers: a merchant and its supplier settle by reship.

The customer ordered blue bandanas and got red ones. The merchant opens a wrong-item report
with a photo dropped on the form, the supplier proposes a reship in the portal, the merchant
accepts, the supplier ships again with a tracking number, and the merchant closes.
"""

import base64
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from core.tenancy import cross_tenant_scope
from disputes.models import Dispute
from disputes.tests.factories import OrderFactory, OrderLineFactory
from disputes.tests.samples import image_bytes
from orders.models import Shipment
from tests.browser.conftest import log_in

RED_PHOTO = base64.b64encode(image_bytes("PNG", size=(64, 48), colour=(210, 20, 30))).decode()
TRACKING = "1Z999AA10123456784"


@pytest.fixture
def bandana_order(world):
    order = OrderFactory(merchant=world.acme, external_id="SHOP-5521", customer_name="Bart S.")
    OrderLineFactory(
        order=order,
        supplier=world.shenzhen,
        sku="BANDANA-BLU",
        title="Cotton bandana",
        variant="Blue",
        quantity=2,
        unit_price=Decimal("7.50"),
    )
    return order


@pytest.fixture
def supplier_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def watch_for_problems(page, problems):
    """Failed requests, script errors and CSP refusals, which the pages must not have."""

    def on_response(response):
        if response.status >= 400:
            problems.append(f"{response.status} {response.url}")

    def on_console(message):
        # A failed load is reported by on_response; what only shows up here is the browser's
        # own favicon probe, which no page asks for.
        if message.text.startswith("Failed to load resource"):
            return
        if message.type == "error" or "Content Security Policy" in message.text:
            problems.append(message.text)

    page.on("response", on_response)
    page.on("console", on_console)


def drop_photo(page, selector, name):
    transfer = page.evaluate_handle(
        """([data, name]) => {
            const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, { type: "image/png" }));
            return transfer;
        }""",
        [RED_PHOTO, name],
    )
    page.dispatch_event(selector, "drop", {"dataTransfer": transfer})


def test_red_bandana_is_settled_by_a_reship(page, supplier_page, world, bandana_order):
    problems = []
    watch_for_problems(page, problems)
    watch_for_problems(supplier_page, problems)

    # The merchant opens a wrong-item report on the order, dropping the customer's photo.
    log_in(page, "acme_agent@example.test")
    page.goto(f"/app/disputes/new/?order={bandana_order.pk}")
    page.get_by_label(re.compile("BANDANA-BLU")).check()
    page.get_by_label("Kind").select_option(label="Problem report")
    # The reasons follow the kind: a refund-only reason is not offered for a problem.
    expect(page.locator("#open-reason option[value=out_of_stock]")).to_be_disabled()
    page.get_by_label("Reason").select_option(label="Wrong product, size or colour received")
    page.get_by_label("What happened").fill("Ordered blue, received red. Photo from the customer.")
    drop_photo(page, ".dropzone", "red-bandana.png")
    expect(page.locator(".upload-status")).to_contain_text("red-bandana.png")
    page.get_by_role("button", name="Open the dispute").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Dispute #1")
    expect(page.locator("#dispute .page-head .status")).to_have_text("Awaiting supplier")
    preview = page.get_by_role("img", name="red-bandana.png")
    expect(preview).to_be_visible()
    assert preview.evaluate("image => image.naturalWidth") == 64

    # The supplier finds it in its inbox and proposes a reship.
    log_in(supplier_page, "shenzhen_agent@example.test")
    supplier_page.get_by_role("navigation").get_by_role("link", name="Disputes").click()
    group = supplier_page.get_by_role("region", name="Acme Outdoor", exact=True)
    expect(group).to_contain_text("Your turn")
    group.get_by_role("link", name="#1").click()
    expect(supplier_page.get_by_role("img", name="red-bandana.png")).to_be_visible()
    supplier_page.get_by_text("Propose a resolution").click()
    supplier_page.get_by_label("Resolution", exact=True).select_option("reship")
    supplier_page.get_by_label("At fault", exact=True).select_option("supplier")
    supplier_page.get_by_label("Note").fill(
        "Our packer picked the wrong colour. Blue ones go out today."
    )
    supplier_page.get_by_role("button", name="Propose").click()
    expect(supplier_page.locator(".timeline")).to_contain_text("Proposed: reship.")
    expect(supplier_page.get_by_role("status")).to_contain_text("Proposal sent.")

    # The merchant accepts.
    page.reload()
    expect(page.get_by_role("article", name="Open proposal")).to_contain_text("Reship")
    page.get_by_role("button", name="Accept").click()
    expect(page.locator("#dispute .page-head .status")).to_have_text("Resolution accepted")

    # The supplier ships again and gives the tracking number.
    supplier_page.reload()
    supplier_page.get_by_label("Tracking number").fill(TRACKING)
    supplier_page.get_by_role("button", name="Mark as carried out").click()
    expect(supplier_page.locator("#dispute .page-head .status")).to_have_text("Resolved")

    # The merchant sees the new parcel and closes.
    page.reload()
    expect(page.locator(".fulfilment")).to_contain_text(TRACKING)
    page.get_by_role("button", name="Close the dispute").click()
    expect(page.locator("#dispute .page-head .status")).to_have_text("Closed")
    expect(page.get_by_role("button", name="Reopen")).to_be_visible()

    with cross_tenant_scope(reason="test"):
        dispute = Dispute.cross_tenant_objects.get(order=bandana_order)
        assert dispute.status == "closed"
        parcel = Shipment.cross_tenant_objects.get(order=bandana_order, tracking_number=TRACKING)
        assert parcel.supplier_id == world.shenzhen.pk
    assert problems == []


def test_dropping_evidence_on_a_waiting_dispute_asks_the_supplier(page, world, bandana_order):
    from disputes.tests.conftest import Disputes

    helper = Disputes(world)
    dispute = helper.open(order=bandana_order, reason="damaged")
    assert dispute.status == "awaiting_evidence"
    log_in(page, "acme_agent@example.test")
    page.goto(f"/app/disputes/{dispute.pk}/")
    expect(page.locator("#dispute .page-head .status")).to_have_text("Awaiting evidence")
    drop_photo(page, ".dropzone[data-upload-url]", "torn.png")
    # The panel refreshes by itself once the upload is stored.
    expect(page.locator("#dispute .page-head .status")).to_have_text("Awaiting supplier")
    expect(page.get_by_role("img", name="torn.png")).to_be_visible()
