import pytest
from django.test import Client

from accounts.actors import Actor
from conftest import CALLERS
from connectors.models import Platform
from connectors.services import connectors as services
from connectors.tests.payloads import body_of, shop_signature

SHOPIFY_SECRET = "shpss_3f9c0a8b7e6d5c4b3a291817"
WOOCOMMERCE_SECRET = "wc-secret-Kq8v2Lp0Zx"


@pytest.fixture
def actor_for(world):
    def build(caller: str) -> Actor:
        organization_name, role = CALLERS[caller]
        return Actor.member(
            user=world.users[caller], organization=world.organization(organization_name), role=role
        )

    return build


@pytest.fixture
def shopify(world, actor_for):
    return services.connector_create(
        actor=actor_for("acme_owner"),
        platform=Platform.SHOPIFY,
        shop="acme-outdoor.myshopify.com",
        secret=SHOPIFY_SECRET,
    )


@pytest.fixture
def woocommerce(world, actor_for):
    return services.connector_create(
        actor=actor_for("acme_owner"),
        platform=Platform.WOOCOMMERCE,
        shop="https://shop.acme.test",
        secret=WOOCOMMERCE_SECRET,
        default_supplier="yiwu-goods",
    )


def deliver(connector, payload, *, topic, delivery_id, secret=None, signature=None, body=None):
    """POST a delivery to the connector's webhook URL with the headers its shop sends."""
    body = body_of(payload) if body is None else body
    if secret is None:
        secret = SHOPIFY_SECRET if connector.platform == Platform.SHOPIFY else WOOCOMMERCE_SECRET
    signature = shop_signature(secret, body) if signature is None else signature
    if connector.platform == Platform.SHOPIFY:
        headers = {
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": signature,
            "X-Shopify-Webhook-Id": delivery_id,
            "X-Shopify-Shop-Domain": connector.shop,
            "X-Shopify-API-Version": "2024-10",
        }
    else:
        headers = {
            "X-WC-Webhook-Topic": topic,
            "X-WC-Webhook-Signature": signature,
            "X-WC-Webhook-Delivery-ID": delivery_id,
            "X-WC-Webhook-Source": connector.shop + "/",
        }
    headers = {key: value for key, value in headers.items() if value is not None}
    return Client().post(
        f"/api/v1/shop-webhooks/{connector.pk}/",
        data=body,
        content_type="application/json",
        headers=headers,
    )
