"""A merchant owner connects a Shopify shop in the browser, and its order arrives."""

import re

import pytest
from playwright.sync_api import expect

from connectors.models import Connector, ConnectorEvent
from connectors.tests.conftest import SHOPIFY_SECRET, deliver
from connectors.tests.payloads import shopify_order
from connectors.tests.worker import running_worker
from notifications.tests.workers import wait_for
from tests.browser.conftest import log_in


@pytest.fixture
def celery_worker(live_server, monkeypatch):
    with running_worker(monkeypatch) as worker:
        yield worker


def test_owner_connects_shopify_pastes_the_url_and_sees_the_order(
    page, world, celery_worker, tmp_path
):
    log_in(page, "acme_owner@example.test")
    page.goto("/app/settings/connectors/")
    page.get_by_label("Platform").select_option("shopify")
    page.get_by_label("Shop", exact=True).fill("acme-outdoor.myshopify.com")
    page.get_by_label("Webhook signing secret").fill(SHOPIFY_SECRET)
    page.get_by_label("Default supplier").select_option("shenzhen-supply")
    page.get_by_role("button", name="Connect", exact=True).click()
    expect(page).to_have_url(re.compile(r"/app/settings/connectors/[0-9a-f-]+/$"))
    connector = Connector.cross_tenant_objects.get()
    expect(page.locator("#webhook-url")).to_contain_text(f"/api/v1/shop-webhooks/{connector.pk}/")
    expect(page.get_by_text("Notifications, then Webhooks")).to_be_visible()

    # The shop sends its first order to the pasted URL.
    assert (
        deliver(connector, shopify_order(), topic="orders/create", delivery_id="1").status_code
        == 200
    )
    wait_for(
        lambda: ConnectorEvent.cross_tenant_objects.exclude(result="").exists(),
        message="the worker processed the delivery",
    )
    page.reload()
    expect(page.locator("#events")).to_contain_text("imported")
    expect(page.locator("#events").get_by_role("link", name="#9999")).to_be_visible()
    page.screenshot(path=str(tmp_path / "connector.png"), full_page=True)
    print("screenshot:", tmp_path / "connector.png")
    page.locator("#events").get_by_role("link", name="#9999").click()
    expect(page.get_by_role("heading", name=re.compile("#9999"))).to_be_visible()
