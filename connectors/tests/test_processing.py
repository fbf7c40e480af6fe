"""Deliveries become orders, cancellations and parcels (processing run as the task runs it)."""

from decimal import Decimal

import pytest

from connectors import queue
from connectors.models import ConnectorEvent, EventResult, MatchKind
from connectors.services import connectors as connector_services
from connectors.services import processing
from connectors.tests.conftest import deliver
from connectors.tests.payloads import (
    SHOPIFY_FULFILLMENT,
    SHOPIFY_ORDER,
    WOOCOMMERCE_TRACKING_META,
    shopify_fulfillment,
    shopify_order,
    woocommerce_order,
)
from core.tenancy import cross_tenant_scope, organization_scope
from orders import services as order_services
from orders.models import Order, OrderStatus, Shipment


@pytest.fixture
def map_ipod(shopify, actor_for):
    def add(match=MatchKind.SKU, value="IPOD2008PINK", supplier="shenzhen-supply"):
        return connector_services.supplier_mapping_create(
            actor=actor_for("acme_owner"),
            connector=shopify,
            match=match,
            value=value,
            supplier=supplier,
        )

    return add


def receive(connector, payload, *, topic, delivery_id) -> ConnectorEvent:
    response = deliver(connector, payload, topic=topic, delivery_id=delivery_id)
    assert response.status_code == 200
    event = ConnectorEvent.cross_tenant_objects.get(connector=connector, delivery_id=delivery_id)
    return processing.connector_event_process(event_id=event.pk)


def stored_order(external_id: str) -> Order:
    with cross_tenant_scope(reason="test"):
        return Order.objects.prefetch_related("lines__supplier", "shipments").get(
            external_id=external_id
        )


def test_a_shopify_order_arrives_with_its_name_customer_address_and_lines(shopify, map_ipod):
    map_ipod()
    event = receive(shopify, shopify_order(), topic="orders/create", delivery_id="1")
    assert (event.result, event.detail) == (EventResult.IMPORTED, "")
    order = stored_order("#9999")
    assert event.order_id == order.pk
    assert order.merchant_id == shopify.merchant_id
    assert order.placed_at.isoformat() == "2022-01-01T00:00:00+00:00"  # 19:00 at -05:00
    assert (order.currency, order.customer_name, order.customer_email) == (
        "USD",
        "Steve Shipper",
        "jon@example.com",
    )
    assert (order.ship_line1, order.ship_city, order.ship_region, order.ship_postal_code) == (
        "123 Shipping Street",
        "Shippington",
        "KY",
        "40003",
    )
    assert order.ship_country == "US"
    lines = sorted(order.lines.all(), key=lambda line: line.pk)
    assert [(line.sku, line.title, line.variant, line.quantity) for line in lines] == [
        ("IPOD2008PINK", "IPod Nano - 8GB", "", 1),
        ("IPOD2008PINK", "IPod Nano - 8GB", "", 1),
    ]
    assert {line.unit_price for line in lines} == {Decimal("199.00")}
    assert {line.supplier.slug for line in lines} == {"shenzhen-supply"}
    assert order.total == Decimal("398.00")
    assert order.unassigned_lines == []


def test_a_country_sent_only_by_name_is_understood(shopify, map_ipod):
    map_ipod()
    payload = shopify_order()
    payload["shipping_address"]["country_code"] = None
    payload["shipping_address"]["country"] = "Germany"
    receive(shopify, payload, topic="orders/create", delivery_id="1")
    assert stored_order("#9999").ship_country == "DE"


@pytest.mark.parametrize(
    ("match", "value", "vendor", "expected"),
    [
        (MatchKind.SKU, "IPOD2008PINK", None, "shenzhen-supply"),
        (MatchKind.SKU_PREFIX, "IPOD", None, "shenzhen-supply"),
        (MatchKind.VENDOR, "apple", "Apple", "shenzhen-supply"),
    ],
)
def test_each_kind_of_mapping_picks_the_supplier(shopify, map_ipod, match, value, vendor, expected):
    map_ipod(match=match, value=value)
    payload = shopify_order()
    for line in payload["line_items"]:
        line["vendor"] = vendor
    receive(shopify, payload, topic="orders/create", delivery_id="1")
    assert {line.supplier.slug for line in stored_order("#9999").lines.all()} == {expected}


def test_sku_beats_prefix_beats_vendor_beats_default(world, shopify, map_ipod):
    shopify.default_supplier = world.ali
    shopify.save()
    map_ipod(match=MatchKind.VENDOR, value="Apple", supplier="ali-market")
    map_ipod(match=MatchKind.SKU_PREFIX, value="IPOD", supplier="yiwu-goods")
    map_ipod(match=MatchKind.SKU_PREFIX, value="IPOD2008", supplier="shenzhen-supply")
    with organization_scope(world.acme):
        resolver = processing.SupplierResolver.for_connector(shopify)
    assert resolver.supplier_for("IPOD2008PINK", "Apple").slug == "shenzhen-supply"
    assert resolver.supplier_for("IPOD-X", "Apple").slug == "yiwu-goods"
    assert resolver.supplier_for("MAC-1", "apple").slug == "ali-market"
    assert resolver.supplier_for("MAC-1", "Dell").slug == "ali-market"  # the default
    map_ipod(match=MatchKind.SKU, value="IPOD2008PINK", supplier="yiwu-goods")
    with organization_scope(world.acme):
        resolver = processing.SupplierResolver.for_connector(shopify)
    assert resolver.supplier_for("IPOD2008PINK", "Apple").slug == "yiwu-goods"


def test_lines_without_a_supplier_wait_and_the_order_completes_when_a_mapping_comes(
    world, shopify, map_ipod, django_capture_on_commit_callbacks, monkeypatch
):
    # Given an order with one mapped line and one line of an unmapped product
    map_ipod()
    payload = shopify_order()
    payload["line_items"][1].update(sku="CASE-RED", title="Case", variant_title="Red")
    event = receive(shopify, payload, topic="orders/create", delivery_id="1")
    assert event.result == EventResult.IMPORTED
    assert event.waiting_for_mapping
    assert "CASE-RED" in event.detail
    order = stored_order("#9999")
    assert [line.sku for line in order.lines.all()] == ["IPOD2008PINK"]
    assert order.unassigned_lines == [
        {"sku": "CASE-RED", "title": "Case", "variant": "Red", "quantity": 1, "vendor": ""}
    ]
    shown = world.client("acme_agent").get(f"/api/v1/orders/{order.pk}/").json()
    assert [line["sku"] for line in shown["unassigned_lines"]] == ["CASE-RED"]

    # When the owner maps the product, the waiting delivery is processed again
    monkeypatch.setattr(
        queue,
        "enqueue_waiting",
        lambda connector_id: [
            processing.connector_event_process(event_id=event_id, force=True)
            for event_id in processing.connector_events_waiting(connector_id=connector_id)
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        map_ipod(value="CASE-RED", supplier="yiwu-goods")

    # Then the order has both lines and nothing waits any more
    order = stored_order("#9999")
    assert sorted((line.sku, line.supplier.slug) for line in order.lines.all()) == [
        ("CASE-RED", "yiwu-goods"),
        ("IPOD2008PINK", "shenzhen-supply"),
    ]
    assert order.unassigned_lines == []
    event.refresh_from_db()
    assert (event.result, event.waiting_for_mapping, event.detail) == ("imported", False, "")


def test_an_order_no_line_of_which_has_a_supplier_is_not_created_and_waits(shopify):
    event = receive(shopify, shopify_order(), topic="orders/create", delivery_id="1")
    assert event.result == EventResult.FAILED
    assert event.waiting_for_mapping
    assert "IPOD2008PINK" in event.detail
    with cross_tenant_scope(reason="test"):
        assert not Order.objects.exists()


def test_the_same_order_again_is_a_duplicate(shopify, map_ipod):
    map_ipod()
    receive(shopify, shopify_order(), topic="orders/create", delivery_id="1")
    event = receive(shopify, shopify_order(), topic="orders/updated", delivery_id="2")
    assert event.result == EventResult.DUPLICATE
    assert event.order_id == stored_order("#9999").pk


def test_an_update_changes_the_order(shopify, map_ipod):
    map_ipod()
    receive(shopify, shopify_order(), topic="orders/create", delivery_id="1")
    payload = shopify_order()
    payload["shipping_address"]["address1"] = "9 New Street"
    event = receive(shopify, payload, topic="orders/updated", delivery_id="2")
    assert event.result == EventResult.IMPORTED
    assert stored_order("#9999").ship_line1 == "9 New Street"


def test_a_cancellation_cancels_the_order(shopify, map_ipod):
    map_ipod()
    receive(shopify, shopify_order(), topic="orders/create", delivery_id="1")
    payload = shopify_order(cancelled_at="2022-01-02T10:00:00-05:00", cancel_reason="customer")
    event = receive(shopify, payload, topic="orders/cancelled", delivery_id="2")
    assert event.result == EventResult.IMPORTED
    order = stored_order("#9999")
    assert order.status == OrderStatus.CANCELLED
    assert order.cancelled_at is not None
    again = receive(shopify, payload, topic="orders/cancelled", delivery_id="3")
    assert again.result == EventResult.DUPLICATE


def test_a_fulfilment_becomes_a_parcel_on_its_line(shopify, map_ipod):
    map_ipod()
    receive(shopify, shopify_order(), topic="orders/create", delivery_id="1")
    event = receive(shopify, shopify_fulfillment(), topic="fulfillments/create", delivery_id="2")
    assert (event.result, event.detail) == (EventResult.IMPORTED, "")
    order = stored_order("#9999")
    assert event.order_id == order.pk
    [parcel] = order.shipments.all()
    assert (parcel.tracking_number, parcel.carrier, parcel.tracking_valid) == (
        "1Z999AA10123456784",
        "ups",
        True,
    )
    # The fulfilment carries one of the two identical lines.
    with cross_tenant_scope(reason="test"):
        assert parcel.lines.count() == 1
    assert order.status == OrderStatus.PARTIALLY_SHIPPED
    # fulfillments/update repeats the parcel: nothing new
    update = receive(shopify, shopify_fulfillment(), topic="fulfillments/update", delivery_id="3")
    assert update.result == EventResult.DUPLICATE
    with cross_tenant_scope(reason="test"):
        assert Shipment.objects.count() == 1


def test_a_fulfilment_with_a_wrong_number_is_recorded_as_invalid(shopify, map_ipod):
    map_ipod()
    receive(shopify, shopify_order(), topic="orders/create", delivery_id="1")
    payload = shopify_fulfillment(
        tracking_company="DHL eCommerce", tracking_numbers=["1Z999AA10123456785"]
    )
    receive(shopify, payload, topic="fulfillments/create", delivery_id="2")
    [parcel] = stored_order("#9999").shipments.all()
    assert parcel.carrier == "dhl"
    assert not parcel.tracking_valid
    assert parcel.tracking_problem


def test_a_fulfilment_finds_an_order_imported_from_a_file_by_its_name(shopify, map_ipod):
    map_ipod()
    receive(shopify, shopify_order(), topic="orders/create", delivery_id="1")
    ConnectorEvent.cross_tenant_objects.update(shop_order_id="")  # as if it came by CSV
    event = receive(shopify, shopify_fulfillment(), topic="fulfillments/create", delivery_id="2")
    assert event.result == EventResult.IMPORTED


def test_a_fulfilment_before_its_order_fails_and_succeeds_when_retried(shopify, map_ipod):
    map_ipod()
    early = receive(shopify, shopify_fulfillment(), topic="fulfillments/create", delivery_id="f")
    assert early.result == EventResult.FAILED
    receive(shopify, shopify_order(), topic="orders/create", delivery_id="o")
    again = processing.connector_event_process(event_id=early.pk, force=True)
    assert again.result == EventResult.IMPORTED
    assert again.attempts == 2


def test_a_woocommerce_order_arrives(woocommerce):
    event = receive(woocommerce, woocommerce_order(), topic="order.created", delivery_id="1")
    assert event.result == EventResult.IMPORTED, event.detail
    order = stored_order("727")
    assert order.placed_at.isoformat() == "2017-03-22T19:28:02+00:00"
    assert (order.customer_name, order.customer_email, order.ship_country, order.ship_region) == (
        "John Doe",
        "john.doe@example.com",
        "US",
        "CA",
    )
    lines = sorted(order.lines.all(), key=lambda line: line.sku)
    assert [(line.sku, line.variant, line.quantity, line.unit_price) for line in lines] == [
        ("Bar3", "Color: Black, Size: M Test", 1, Decimal("12.00")),
        ("woo-93", "", 2, Decimal("3.00")),
    ]
    assert {line.supplier.slug for line in lines} == {"yiwu-goods"}  # the default supplier


def test_a_woocommerce_order_with_tracking_meta_gets_its_parcel(woocommerce):
    receive(woocommerce, woocommerce_order(), topic="order.created", delivery_id="1")
    payload = woocommerce_order(status="completed")
    payload["meta_data"].append(WOOCOMMERCE_TRACKING_META)
    event = receive(woocommerce, payload, topic="order.updated", delivery_id="2")
    assert event.result == EventResult.IMPORTED, event.detail
    [parcel] = stored_order("727").shipments.all()
    assert (parcel.tracking_number, parcel.carrier, parcel.tracking_valid) == (
        "9400111899223197428497",
        "usps",
        True,
    )
    assert parcel.shipped_at.isoformat() == "2017-03-23T00:00:00+00:00"
    with cross_tenant_scope(reason="test"):
        assert parcel.lines.count() == 2


def test_a_woocommerce_cancellation_cancels_the_order(woocommerce):
    receive(woocommerce, woocommerce_order(), topic="order.created", delivery_id="1")
    receive(
        woocommerce, woocommerce_order(status="cancelled"), topic="order.updated", delivery_id="2"
    )
    assert stored_order("727").status == OrderStatus.CANCELLED


def test_shopifys_test_notification_proves_the_connection_and_makes_no_order(shopify, map_ipod):
    map_ipod()
    for topic, payload in [
        ("orders/create", SHOPIFY_ORDER),
        ("fulfillments/create", SHOPIFY_FULFILLMENT),
    ]:
        event = receive(shopify, payload, topic=topic, delivery_id=topic)
        assert event.result == EventResult.IGNORED
        assert "test notification" in event.detail
    with cross_tenant_scope(reason="test"):
        assert not Order.objects.exists()


def test_a_topic_redress_does_not_act_on_is_ignored(shopify):
    event = receive(shopify, {"id": 1}, topic="products/update", delivery_id="1")
    assert event.result == EventResult.IGNORED
    assert "products/update" in event.detail


def test_a_body_that_is_not_json_fails_with_a_reason(shopify):
    response = deliver(shopify, None, topic="orders/create", delivery_id="1", body=b"<xml/>")
    assert response.status_code == 200
    event = ConnectorEvent.cross_tenant_objects.get()
    event = processing.connector_event_process(event_id=event.pk)
    assert (event.result, event.detail) == (EventResult.FAILED, "The body is not JSON.")


def test_a_refused_order_is_failed_with_the_field_errors(shopify, map_ipod):
    map_ipod()
    event = receive(shopify, shopify_order(currency="EURO"), topic="orders/create", delivery_id="1")
    assert event.result == EventResult.FAILED
    assert "currency" in event.detail


def test_processing_that_breaks_is_recorded_and_a_retry_imports(shopify, map_ipod, monkeypatch):
    # Given a processing run that meets an unexpected error
    map_ipod()
    real_upsert = order_services.order_upsert_many
    calls = []

    def breaks_once(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("disk on fire")
        return real_upsert(**kwargs)

    monkeypatch.setattr(order_services, "order_upsert_many", breaks_once)
    event = receive(shopify, shopify_order(), topic="orders/create", delivery_id="1")
    assert event.result == EventResult.FAILED
    assert "disk on fire" in event.detail
    with cross_tenant_scope(reason="test"):
        assert not Order.objects.exists()

    # A duplicated task does nothing to a processed event
    assert processing.connector_event_process(event_id=event.pk).attempts == 1

    # When it is retried, it imports
    event = processing.connector_event_process(event_id=event.pk, force=True)
    assert (event.result, event.attempts) == (EventResult.IMPORTED, 2)
    assert stored_order("#9999").lines.count() == 2


def test_a_gone_event_is_nothing_to_do(db):
    assert (
        processing.connector_event_process(event_id="00000000-0000-7000-8000-000000000000") is None
    )


def test_the_sweep_finds_deliveries_never_processed(shopify, time_machine):
    time_machine.move_to("2026-01-01T10:00:00Z")
    deliver(shopify, shopify_order(), topic="orders/create", delivery_id="lost")
    assert processing.connector_events_unprocessed() == []
    time_machine.move_to("2026-01-01T10:03:00Z")
    [event_id] = processing.connector_events_unprocessed()
    processing.connector_event_process(event_id=event_id)
    assert processing.connector_events_unprocessed() == []


def test_only_the_latest_waiting_version_of_a_shop_order_is_processed_again(shopify):
    first = receive(shopify, shopify_order(), topic="orders/create", delivery_id="1")
    second = receive(shopify, shopify_order(), topic="orders/updated", delivery_id="2")
    other = receive(
        shopify, shopify_order(id=77, name="#77"), topic="orders/create", delivery_id="3"
    )
    assert first.waiting_for_mapping
    assert processing.connector_events_waiting(connector_id=shopify.pk) == [
        str(second.pk),
        str(other.pk),
    ]
