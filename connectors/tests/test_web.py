"""The connector pages under /app/settings/connectors/ (owner only)."""

import pytest
from django.test import Client

from connectors.models import Connector, ConnectorEvent, SupplierMapping
from connectors.services import processing
from connectors.tests.conftest import SHOPIFY_SECRET, deliver
from connectors.tests.payloads import shopify_order

LIST = "/app/settings/connectors/"


@pytest.fixture
def browser_for(world):
    def build(caller: str) -> Client:
        client = Client()
        client.force_login(world.users[caller])
        return client

    return build


def test_the_owner_connects_a_shop_and_sees_the_url_and_the_steps(world, browser_for):
    client = browser_for("acme_owner")
    assert client.get(LIST).status_code == 200
    response = client.post(
        LIST,
        {
            "platform": "shopify",
            "shop": "acme-outdoor.myshopify.com",
            "secret": SHOPIFY_SECRET,
            "default_supplier": "",
        },
    )
    connector = Connector.cross_tenant_objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}{connector.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert f"/api/v1/shop-webhooks/{connector.pk}/" in page
    assert "Notifications, then Webhooks" in page
    assert SHOPIFY_SECRET not in page
    assert "acme-outdoor.myshopify.com" in client.get(LIST).content.decode()


def test_a_refused_connection_shows_the_errors_and_not_the_secret(world, browser_for):
    response = browser_for("acme_owner").post(
        LIST, {"platform": "shopify", "shop": "not a shop", "secret": SHOPIFY_SECRET}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "myshopify.com" in page
    assert SHOPIFY_SECRET not in page
    assert not Connector.cross_tenant_objects.exists()


def test_woocommerce_gets_its_own_steps(world, browser_for, woocommerce):
    page = browser_for("acme_owner").get(f"{LIST}{woocommerce.pk}/").content.decode()
    assert "Advanced" in page
    assert "Add webhook" in page


@pytest.mark.parametrize("caller", ["acme_manager", "acme_agent", "acme_viewer"])
def test_only_the_owner_sees_the_pages(world, browser_for, shopify, caller):
    client = browser_for(caller)
    assert client.get(LIST).status_code == 403
    assert client.get(f"{LIST}{shopify.pk}/").status_code == 403
    response = client.post(
        f"{LIST}{shopify.pk}/mappings/", {"match": "sku", "value": "A", "supplier": "yiwu-goods"}
    )
    assert response.status_code == 403
    assert not SupplierMapping.cross_tenant_objects.exists()


def test_another_merchants_connector_is_404(world, browser_for, shopify):
    client = browser_for("globex_owner")
    assert client.get(f"{LIST}{shopify.pk}/").status_code == 404
    response = client.post(
        f"{LIST}{shopify.pk}/mappings/",
        {"match": "sku", "value": "A", "supplier": "shenzhen-supply"},
    )
    assert response.status_code == 404
    assert client.post(f"{LIST}{shopify.pk}/secret/", {"secret": "x" * 20}).status_code == 404
    assert not SupplierMapping.cross_tenant_objects.exists()


def test_mappings_and_the_event_log_on_the_connector_page(world, browser_for, shopify):
    client = browser_for("acme_owner")
    deliver(shopify, shopify_order(), topic="orders/create", delivery_id="1")
    event = ConnectorEvent.cross_tenant_objects.get()
    processing.connector_event_process(event_id=event.pk)
    page = client.get(f"{LIST}{shopify.pk}/").content.decode()
    assert "orders/create" in page
    assert "IPOD2008PINK" in page  # the failure says which lines have no supplier
    assert f"/events/{event.pk}/retry/" in page

    bad = client.post(
        f"{LIST}{shopify.pk}/mappings/", {"match": "sku", "value": "", "supplier": ""}
    )
    assert bad.status_code == 400
    response = client.post(
        f"{LIST}{shopify.pk}/mappings/",
        {"match": "sku", "value": "IPOD2008PINK", "supplier": "shenzhen-supply"},
    )
    assert response.status_code == 302
    assert "Shenzhen Supply" in client.get(f"{LIST}{shopify.pk}/").content.decode()


def test_the_owner_replaces_the_secret(world, browser_for, shopify):
    response = browser_for("acme_owner").post(
        f"{LIST}{shopify.pk}/secret/", {"secret": "shpss_rotated_value"}
    )
    assert response.status_code == 302
    shopify.refresh_from_db()
    assert (
        deliver(
            shopify,
            shopify_order(),
            topic="orders/create",
            delivery_id="1",
            secret="shpss_rotated_value",
        ).status_code
        == 200
    )
