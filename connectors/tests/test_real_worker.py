"""Through the real thing: a signed POST, the Redis broker, a Celery worker (not eager)."""

import pytest
from django.db import OperationalError

from connectors import tasks
from connectors.models import ConnectorEvent, EventResult
from connectors.services import connectors as connector_services
from connectors.services import processing
from connectors.tests.conftest import deliver
from connectors.tests.payloads import shopify_fulfillment, shopify_order
from connectors.tests.worker import running_worker
from core.tenancy import cross_tenant_scope
from notifications.tests.workers import wait_for
from orders.models import Order, Shipment

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def celery_worker(transactional_db, monkeypatch):
    with running_worker(monkeypatch) as worker:
        yield worker


def result_of(delivery_id: str):
    event = ConnectorEvent.cross_tenant_objects.filter(delivery_id=delivery_id).first()
    return event.result if event is not None else None


def test_a_shop_order_and_its_fulfilment_arrive_through_a_worker(world, shopify, celery_worker):
    shopify.default_supplier = world.shenzhen
    shopify.save()
    response = deliver(shopify, shopify_order(), topic="orders/create", delivery_id="o-1")
    assert response.status_code == 200
    wait_for(lambda: result_of("o-1"), message="the order delivery is processed")
    assert result_of("o-1") == EventResult.IMPORTED
    with cross_tenant_scope(reason="test"):
        assert Order.objects.get().external_id == "#9999"

    deliver(shopify, shopify_fulfillment(), topic="fulfillments/create", delivery_id="f-1")
    wait_for(lambda: result_of("f-1"), message="the fulfilment delivery is processed")
    with cross_tenant_scope(reason="test"):
        assert Shipment.objects.get().tracking_number == "1Z999AA10123456784"


def test_a_transient_database_error_is_retried_by_the_worker(
    world, shopify, celery_worker, monkeypatch
):
    shopify.default_supplier = world.shenzhen
    shopify.save()
    real_process = processing.connector_event_process
    calls = []

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real_process(**kwargs)

    monkeypatch.setattr(processing, "connector_event_process", flaky)
    monkeypatch.setattr(tasks, "_backoff", lambda retries: 0.1)
    deliver(shopify, shopify_order(), topic="orders/create", delivery_id="o-1")
    wait_for(lambda: result_of("o-1"), message="the delivery is processed after a retry")
    assert result_of("o-1") == EventResult.IMPORTED
    assert len(calls) == 2


def test_a_mapping_completes_a_waiting_order_through_the_worker(
    world, shopify, actor_for, celery_worker
):
    deliver(shopify, shopify_order(), topic="orders/create", delivery_id="o-1")
    wait_for(lambda: result_of("o-1"), message="processed")
    assert result_of("o-1") == EventResult.FAILED  # no supplier for its lines yet
    connector_services.supplier_mapping_create(
        actor=actor_for("acme_owner"),
        connector=shopify,
        match="sku",
        value="IPOD2008PINK",
        supplier="shenzhen-supply",
    )
    wait_for(lambda: result_of("o-1") == EventResult.IMPORTED, message="re-processed")
    with cross_tenant_scope(reason="test"):
        assert Order.objects.get().lines.count() == 2
