"""The issue's "done when": a merchant connects Shopify (and WooCommerce), pastes the URL, and
the shop's order arrives through a real worker within seconds, a dispute opens on it, and
its fulfilment shows up as a parcel on the order."""

from datetime import timedelta

import pytest
from django.utils import timezone

from connectors.models import Connector, ConnectorEvent
from connectors.tests.conftest import SHOPIFY_SECRET, WOOCOMMERCE_SECRET, deliver
from connectors.tests.payloads import shopify_fulfillment, shopify_order, woocommerce_order
from connectors.tests.worker import running_worker
from notifications.tests.workers import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def celery_worker(transactional_db, monkeypatch):
    with running_worker(monkeypatch) as worker:
        yield worker


def processed(delivery_id: str) -> bool:
    return (
        ConnectorEvent.cross_tenant_objects.filter(delivery_id=delivery_id)
        .exclude(result="")
        .exists()
    )


def connect(world, **body) -> Connector:
    response = world.client("acme_owner").post("/api/v1/connectors/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["webhook_url"].endswith(
        f"/api/v1/shop-webhooks/{response.json()['id']}/"
    )
    return Connector.cross_tenant_objects.get(pk=response.json()["id"])


def test_a_shopify_order_arrives_gets_a_dispute_and_its_parcel(world, celery_worker):
    shop = connect(
        world,
        platform="shopify",
        shop="acme-outdoor.myshopify.com",
        secret=SHOPIFY_SECRET,
        default_supplier="shenzhen-supply",
    )
    placed = (timezone.now() - timedelta(days=3)).replace(microsecond=0).isoformat()
    assert (
        deliver(
            shop, shopify_order(created_at=placed), topic="orders/create", delivery_id="w1"
        ).status_code
        == 200
    )
    wait_for(lambda: processed("w1"), timeout=30, message="the order arrives")

    agent = world.client("acme_agent")
    [listed] = agent.get("/api/v1/orders/", {"q": "#9999"}).json()["results"]
    order = agent.get(f"/api/v1/orders/{listed['id']}/").json()
    dispute = agent.post(
        "/api/v1/disputes/",
        {
            "order": order["id"],
            "lines": [order["lines"][0]["id"]],
            "kind": "problem",
            "reason": "not_received",
            "description": "The customer never got the parcel.",
        },
        format="json",
    )
    assert dispute.status_code == 201, dispute.json()

    deliver(
        shop, shopify_fulfillment(created_at=placed), topic="fulfillments/create", delivery_id="w2"
    )
    wait_for(lambda: processed("w2"), timeout=30, message="the fulfilment arrives")
    order = agent.get(f"/api/v1/orders/{listed['id']}/").json()
    [parcel] = order["shipments"]
    assert (parcel["tracking_number"], parcel["carrier"], parcel["tracking_valid"]) == (
        "1Z999AA10123456784",
        "ups",
        True,
    )
    assert [entry["number"] for entry in order["disputes"]] == [1]


def test_a_woocommerce_order_arrives(world, celery_worker):
    shop = connect(
        world,
        platform="woocommerce",
        shop="https://shop.acme.test",
        secret=WOOCOMMERCE_SECRET,
        default_supplier="yiwu-goods",
    )
    deliver(shop, woocommerce_order(), topic="order.created", delivery_id="w1")
    wait_for(lambda: processed("w1"), timeout=30, message="the order arrives")
    [listed] = world.client("acme_agent").get("/api/v1/orders/", {"q": "727"}).json()["results"]
    assert listed["external_id"] == "727"
