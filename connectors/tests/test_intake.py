"""The webhook URL: signatures over the raw body, de-duplication, size, queueing."""

import pytest

from connectors import queue
from connectors.models import ConnectorEvent
from connectors.tests.conftest import SHOPIFY_SECRET, deliver
from connectors.tests.payloads import body_of, shop_signature, shopify_order, woocommerce_order
from core.tenancy import cross_tenant_scope


@pytest.fixture
def queued(monkeypatch):
    """The event ids handed to Celery (after commit)."""
    sent = []
    monkeypatch.setattr(queue, "enqueue_event", lambda event_id, **_kw: sent.append(event_id))
    return sent


def events():
    return list(ConnectorEvent.cross_tenant_objects.order_by("received_at"))


def test_a_signed_shopify_delivery_is_stored_and_queued_after_commit(
    shopify, queued, django_capture_on_commit_callbacks
):
    payload = shopify_order()
    with django_capture_on_commit_callbacks(execute=True):
        response = deliver(shopify, payload, topic="orders/create", delivery_id="b54557e4-1")
    assert response.status_code == 200
    assert response.json() == {"received": "queued"}
    [event] = events()
    assert (event.topic, event.delivery_id, event.result) == ("orders/create", "b54557e4-1", "")
    assert event.merchant_id == shopify.merchant_id
    # The raw body is kept byte for byte, for processing and reprocessing.
    assert event.body.encode() == body_of(payload)
    assert queued == [event.pk]


def test_a_tampered_body_is_401_and_stores_nothing(shopify, queued):
    body = body_of(shopify_order())
    signature = shop_signature(SHOPIFY_SECRET, body)
    tampered = body.replace(b'"199.00"', b'"1.00"', 1)
    response = deliver(
        shopify, None, topic="orders/create", delivery_id="x", body=tampered, signature=signature
    )
    assert response.status_code == 401
    assert "signature" in response.json()["detail"]
    assert events() == []
    assert queued == []


@pytest.mark.parametrize(
    "signature",
    [
        "",  # missing
        shop_signature("another-secret", body_of(shopify_order())),  # another shop's secret
        "not base64 at all ✓",
    ],
)
def test_a_bad_signature_is_401_and_stores_nothing(shopify, signature):
    response = deliver(
        shopify, shopify_order(), topic="orders/create", delivery_id="x", signature=signature
    )
    assert response.status_code == 401
    assert events() == []


def test_a_repeated_delivery_id_is_200_and_changes_nothing(
    shopify, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = deliver(shopify, shopify_order(), topic="orders/create", delivery_id="same")
        again = deliver(shopify, shopify_order(), topic="orders/create", delivery_id="same")
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == {"received": "duplicate"}
    assert len(events()) == 1
    assert len(queued) == 1


def test_the_same_delivery_id_on_two_connectors_is_two_deliveries(shopify, woocommerce):
    deliver(shopify, shopify_order(), topic="orders/create", delivery_id="1")
    deliver(woocommerce, woocommerce_order(), topic="order.created", delivery_id="1")
    assert len(events()) == 2


def test_a_signed_woocommerce_delivery_is_stored(woocommerce):
    response = deliver(woocommerce, woocommerce_order(), topic="order.created", delivery_id="d1")
    assert response.status_code == 200
    [event] = events()
    assert (event.topic, event.connector_id) == ("order.created", woocommerce.pk)


def test_a_shopify_signature_does_not_open_a_woocommerce_connector(woocommerce):
    response = deliver(
        woocommerce,
        woocommerce_order(),
        topic="order.created",
        delivery_id="d",
        secret=SHOPIFY_SECRET,
    )
    assert response.status_code == 401
    assert events() == []


def test_woocommerce_checking_a_new_url_gets_200_and_nothing_is_stored(woocommerce):
    response = deliver(
        woocommerce, None, topic="", delivery_id="", body=b"webhook_id=12", signature=""
    )
    assert response.status_code == 200
    assert response.json() == {"received": "ping"}
    assert events() == []


def test_the_ping_exception_is_not_a_way_around_the_signature(woocommerce, shopify):
    # An unsigned body that is not exactly a ping is refused, and Shopify has no ping at all.
    for connector, body in [(woocommerce, b"webhook_id=12&x=1"), (shopify, b"webhook_id=12")]:
        response = deliver(connector, None, topic="", delivery_id="", body=body, signature="")
        assert response.status_code == 401
    assert events() == []


def test_a_body_over_the_limit_is_413_and_stores_nothing(shopify, settings):
    settings.CONNECTOR_WEBHOOK_MAX_BYTES = 1000
    payload = shopify_order(note="x" * 2000)
    response = deliver(shopify, payload, topic="orders/create", delivery_id="big")
    assert response.status_code == 413
    assert events() == []


@pytest.mark.parametrize("connector_id", ["00000000-0000-7000-8000-000000000000", "not-an-id"])
def test_an_unknown_connector_is_404(shopify, client, connector_id):
    response = client.post(
        f"/api/v1/shop-webhooks/{connector_id}/", data=b"{}", content_type="application/json"
    )
    assert response.status_code == 404
    assert response.json()["detail"]


def test_a_delivery_without_an_id_is_deduplicated_by_its_body(shopify):
    deliver(shopify, shopify_order(), topic="orders/create", delivery_id="")
    deliver(shopify, shopify_order(), topic="orders/create", delivery_id="")
    [event] = events()
    assert event.delivery_id.startswith("sha256:")


def test_the_webhook_takes_no_get(shopify, client):
    assert client.get(f"/api/v1/shop-webhooks/{shopify.pk}/").status_code == 405


def test_deliveries_are_stored_in_the_merchants_scope(shopify):
    deliver(shopify, shopify_order(), topic="orders/create", delivery_id="1")
    with cross_tenant_scope(reason="test"):
        assert ConnectorEvent.objects.get().merchant_id == shopify.merchant_id


def test_a_secret_that_cannot_be_decrypted_any_more_is_a_401_not_a_500(shopify, settings):
    settings.SECRET_KEY = "a-new-key-without-fallbacks-" + "z" * 30
    response = deliver(shopify, shopify_order(), topic="orders/create", delivery_id="1")
    assert response.status_code == 401
    assert events() == []
