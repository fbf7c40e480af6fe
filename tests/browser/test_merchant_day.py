"""The merchant's day in the dispute workspace, at desktop and phone widths.

From the home page's team queue (its unassigned disputes) to a dispute, a reply in the
supplier's language from a saved reply with a screenshot pasted into the composer, a
partial refund proposed (the form shows the fields that resolution uses), the supplier
accepting in one click and paying, and the merchant closing after a confirmation. Every
step: no sideways scroll, axe-core finds nothing, and a screenshot in
var/screenshots/merchant-day-<size>-<step>.png.
"""

import base64
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from core.tenancy import cross_tenant_scope
from disputes.models import Dispute, SavedReply, TimelineEvent
from disputes.tests.conftest import Disputes
from disputes.tests.factories import OrderFactory, OrderLineFactory
from disputes.tests.samples import image_bytes
from tests.browser.checks import SIZES, readable
from tests.browser.conftest import log_in, open_menu

SCREENSHOT = base64.b64encode(image_bytes("PNG", size=(80, 60), colour=(30, 120, 200))).decode()


@pytest.fixture
def lamp_dispute(world):
    # Given a refund request on a lamp that never arrived, a supplier whose admin reads
    # Spanish (its agent left the language to the browser), and a saved reply the shop
    # wrote in English and Spanish.
    order = OrderFactory(merchant=world.acme, external_id="SHOP-8841", customer_name="Nora K.")
    OrderLineFactory(
        order=order,
        supplier=world.shenzhen,
        sku="LAMP-LED-30",
        title="Rechargeable camp lamp",
        variant="Warm white",
        quantity=2,
        unit_price=Decimal("14.90"),
    )
    world.users["shenzhen_admin"].language = "es"
    world.users["shenzhen_admin"].save(update_fields=["language"])
    SavedReply.cross_tenant_objects.create(
        merchant=world.acme,
        title="Ask for proof of delivery",
        default_language="en",
        variants={
            "en": "Hello, {customer_name} has not received order {order_number}. "
            "Please send the proof of delivery.",
            "es": "Hola, {customer_name} no ha recibido el pedido {order_number}. "
            "Envíenos la prueba de entrega, por favor.",
        },
    )
    return Disputes(world).open(
        order=order,
        kind="refund",
        reason="not_received",
        description="The customer says the parcel never came; tracking stopped in Leipzig.",
    )


def sized_page(browser, live_server, size):
    width, height = SIZES[size]
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", viewport={"width": width, "height": height}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def paste_screenshot(page, selector):
    """What the browser does when a screenshot is pasted: a paste event carrying the file."""
    page.locator(selector).evaluate(
        """(target, data) => {
            const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], "image.png", { type: "image/png" }));
            target.focus();
            target.dispatchEvent(new ClipboardEvent("paste", {
                clipboardData: transfer, bubbles: true, cancelable: true,
            }));
        }""",
        SCREENSHOT,
    )


@pytest.mark.parametrize("size", SIZES)
def test_merchant_day_in_the_dispute_workspace(browser, live_server, world, lamp_dispute, size):
    width, _height = SIZES[size]
    shot = f"merchant-day-{size}"
    context, page = sized_page(browser, live_server, size)
    supplier_context, supplier = sized_page(browser, live_server, size)
    try:
        # The merchant starts the day on the home page; its saved replies are one click
        # from the settings (on a phone, in the header's menu).
        log_in(page, "acme_agent@example.test")
        expect(page).to_have_url(re.compile(r"/app/$"))
        readable(page, width, f"{shot}-1-home")
        open_menu(page)
        page.get_by_role("navigation").get_by_role("link", name="Settings").click()
        page.get_by_role("link", name="Saved replies").click()
        expect(page.get_by_role("link", name="Ask for proof of delivery")).to_be_visible()
        readable(page, width, f"{shot}-1-saved-replies")
        # Back home, the team's queue says one dispute has nobody on it: that list has it.
        open_menu(page)
        page.get_by_role("navigation").get_by_role("link", name="Overview").click()
        unassigned = page.locator('[data-queue="unassigned"]')
        expect(unassigned.locator(".count")).to_have_text("1")
        unassigned.get_by_role("link").click()
        expect(page).to_have_url(re.compile(r"/app/disputes/\?.*assignee=none"))
        page.get_by_role("link", name=f"#{lamp_dispute.number}", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Dispute #{lamp_dispute.number}")
        summary = page.get_by_role("region", name="Where it stands")
        expect(summary.locator(".turn")).to_have_text("The supplier")
        expect(summary.locator("time.due")).to_contain_text("left")
        expect(page.locator(".conversation")).to_contain_text("tracking stopped in Leipzig")
        readable(page, width, f"{shot}-2-workspace")

        # A saved reply goes in in the supplier's language, filled from the dispute; a
        # screenshot pasted into the composer travels with it; Ctrl+Enter sends.
        composer = page.locator("form[data-composer]")
        composer.get_by_label("Insert a saved reply").select_option(
            label="Ask for proof of delivery"
        )
        body = composer.get_by_label("Message")
        expect(body).to_have_value(
            "Hola, Nora K. no ha recibido el pedido SHOP-8841. "
            "Envíenos la prueba de entrega, por favor."
        )
        paste_screenshot(page, "#composer-body")
        expect(composer.locator(".upload-status")).to_contain_text(re.compile(r"pasted-\d+\.png"))
        readable(page, width, f"{shot}-3-composer")
        body.press("Control+Enter")
        expect(composer.get_by_role("status")).to_have_text("Message sent.")
        last = page.locator(".timeline > li").last
        expect(last).to_contain_text("Hola, Nora K.")
        expect(last.get_by_role("img", name=re.compile(r"pasted-\d+\.png"))).to_be_visible()
        readable(page, width, f"{shot}-4-replied")

        # The proposal form shows what each resolution uses: no amount for a reship.
        page.get_by_text("Propose a resolution").click()
        resolution = page.get_by_label("Resolution", exact=True)
        resolution.select_option("reship")
        expect(page.locator("#proposal-amount")).to_be_hidden()
        expect(page.locator("#proposal-restocking")).to_be_hidden()
        resolution.select_option("return_refund")
        expect(page.locator("#proposal-restocking")).to_be_visible()
        resolution.select_option("partial_refund")
        expect(page.locator("#proposal-amount")).to_be_visible()
        expect(page.locator("#proposal-rma")).to_be_hidden()
        page.locator("#proposal-amount").fill("15.00")
        page.locator("#proposal-note").fill("Half back while the carrier looks for it.")
        readable(page, width, f"{shot}-5-proposal-form")
        page.get_by_role("button", name="Propose", exact=True).click()
        expect(page.locator("#dispute .page-head .status")).to_have_text("Resolution proposed")
        expect(page.get_by_role("article", name="Open proposal")).to_contain_text("15.00")
        readable(page, width, f"{shot}-6-proposed")

        # The supplier accepts in one click in the portal, then pays.
        log_in(supplier, "shenzhen_agent@example.test")
        open_menu(supplier)
        supplier.get_by_role("navigation").get_by_role("link", name="Disputes").click()
        supplier.get_by_role("link", name=f"#{lamp_dispute.number}", exact=True).click()
        offer = supplier.get_by_role("article", name="Open proposal")
        expect(offer).to_contain_text("Partial refund")
        expect(supplier.locator("#dispute")).not_to_contain_text("Internal note")
        readable(supplier, width, f"{shot}-7-supplier-offer")
        offer.get_by_role("button", name="Accept").click()
        expect(supplier.locator("#dispute .page-head .status")).to_have_text("Resolution accepted")
        supplier.get_by_label("Refund reference").fill("PAY-55120")
        supplier.get_by_role("button", name="Mark as carried out").click()
        expect(supplier.locator("#dispute .page-head .status")).to_have_text("Resolved")
        readable(supplier, width, f"{shot}-8-supplier-paid")

        # The merchant closes, after confirming.
        page.reload()
        expect(page.locator(".fulfilment")).to_contain_text("PAY-55120")
        page.get_by_text("Close the dispute…").click()
        page.get_by_label("Closing note (optional)").fill("Customer refunded.")
        readable(page, width, f"{shot}-9-confirm-close")
        page.get_by_role("button", name="Close the dispute").click()
        expect(page.locator("#dispute .page-head .status")).to_have_text("Closed")
        readable(page, width, f"{shot}-10-closed")
    finally:
        supplier_context.close()
        context.close()

    with cross_tenant_scope(reason="test"):
        dispute = Dispute.cross_tenant_objects.get(pk=lamp_dispute.pk)
        assert dispute.status == "closed"
        message = TimelineEvent.cross_tenant_objects.get(dispute=dispute, type="message")
        assert message.body.startswith("Hola, Nora K.")
        assert [a.filename.startswith("pasted-") for a in message.attachments.all()] == [True]
