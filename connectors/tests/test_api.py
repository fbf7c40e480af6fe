"""The connectors API: owner only, secret never shown back, other tenants get 404."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from connectors import crypto, queue
from connectors.models import Connector, ConnectorEvent, SupplierMapping
from connectors.services import processing
from connectors.tests.conftest import SHOPIFY_SECRET, deliver
from connectors.tests.payloads import shopify_order

URL = "/api/v1/connectors/"
NOT_OWNERS = ["acme_manager", "acme_agent", "acme_viewer", "shenzhen_admin", "yiwu_admin"]
SHOPIFY_BODY = {
    "platform": "shopify",
    "shop": "https://Acme-Outdoor.myshopify.com/admin",
    "secret": SHOPIFY_SECRET,
    "default_supplier": "shenzhen-supply",
}


def create(world, caller="acme_owner", **changes):
    return world.client(caller).post(URL, {**SHOPIFY_BODY, **changes}, format="json")


def test_the_owner_connects_a_shop_and_never_sees_the_secret_again(world, settings):
    settings.SITE_URL = "https://redress.example.com"
    response = create(world)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "platform", "shop", "webhook_url", "default_supplier", "created_at"}
    assert (body["platform"], body["shop"], body["default_supplier"]) == (
        "shopify",
        "acme-outdoor.myshopify.com",
        "shenzhen-supply",
    )
    assert body["webhook_url"] == f"https://redress.example.com/api/v1/shop-webhooks/{body['id']}/"
    listed = world.client("acme_owner").get(URL).json()["results"]
    assert listed == [body]
    assert world.client("acme_owner").get(f"{URL}{body['id']}/").json() == body
    # Stored encrypted: the database row does not hold the secret.
    stored = Connector.cross_tenant_objects.get()
    assert SHOPIFY_SECRET not in stored.secret_encrypted
    assert crypto.decrypt(stored.secret_encrypted) == SHOPIFY_SECRET


def test_a_woocommerce_shop_is_its_base_url(world):
    response = create(world, platform="woocommerce", shop="shop.acme.test/", default_supplier=None)
    assert response.status_code == 201
    assert response.json()["shop"] == "https://shop.acme.test"
    assert response.json()["default_supplier"] is None


@pytest.mark.parametrize("caller", NOT_OWNERS)
def test_only_the_owner_may_list_create_or_map(world, caller):
    connector_id = create(world).json()["id"]
    client = world.client(caller)
    assert client.get(URL).status_code == 403
    assert create(world, caller=caller, shop="other.myshopify.com").status_code == 403
    assert client.get(f"{URL}{connector_id}/mappings/").status_code == 403
    assert client.get(f"{URL}{connector_id}/events/").status_code == 403
    assert (
        client.post(f"{URL}{connector_id}/secret/", {"secret": "x" * 20}, format="json").status_code
        == 403
    )
    assert Connector.cross_tenant_objects.count() == 1


def test_anonymous_is_401(world):
    assert world.client(None).get(URL).status_code == 401


def test_another_merchants_connector_is_404_and_leaks_nothing(world):
    theirs = create(world, caller="globex_owner").json()["id"]
    client = world.client("acme_owner")
    assert client.get(URL).json()["results"] == []
    for path in ["", "mappings/", "events/"]:
        assert client.get(f"{URL}{theirs}/{path}").status_code == 404
    mapping = {"match": "sku", "value": "A", "supplier": "shenzhen-supply"}
    assert client.post(f"{URL}{theirs}/mappings/", mapping, format="json").status_code == 404
    assert (
        client.post(f"{URL}{theirs}/secret/", {"secret": "y" * 20}, format="json").status_code
        == 404
    )
    assert not SupplierMapping.cross_tenant_objects.exists()
    assert crypto.decrypt(Connector.cross_tenant_objects.get().secret_encrypted) == SHOPIFY_SECRET


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"platform": "magento"}, "platform"),
        ({"shop": "acme.example.com"}, "shop"),  # Shopify wants the myshopify.com domain
        ({"shop": ""}, "shop"),
        ({"secret": "short"}, "secret"),
        ({"default_supplier": "globex-only"}, "default_supplier"),
        ({"secret": None}, "secret"),
    ],
)
def test_bad_input_is_400_with_field_errors(world, changes, field):
    response = create(world, **changes)
    assert response.status_code == 400
    assert field in response.json()
    assert not Connector.cross_tenant_objects.exists()


def test_connecting_the_same_shop_twice_is_409(world):
    create(world)
    response = create(world, shop="acme-outdoor.myshopify.com")
    assert response.status_code == 409
    assert Connector.cross_tenant_objects.count() == 1


def test_mappings_are_added_and_listed(world):
    connector_id = create(world).json()["id"]
    client = world.client("acme_owner")
    response = client.post(
        f"{URL}{connector_id}/mappings/",
        {"match": "sku_prefix", "value": "TENT-", "supplier": "yiwu-goods"},
        format="json",
    )
    assert response.status_code == 201
    assert {k: response.json()[k] for k in ("match", "value", "supplier")} == {
        "match": "sku_prefix",
        "value": "TENT-",
        "supplier": "yiwu-goods",
    }
    listed = client.get(f"{URL}{connector_id}/mappings/").json()["results"]
    assert [item["id"] for item in listed] == [response.json()["id"]]
    again = client.post(
        f"{URL}{connector_id}/mappings/",
        {"match": "sku_prefix", "value": "TENT-", "supplier": "shenzhen-supply"},
        format="json",
    )
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"match": "colour", "value": "A", "supplier": "yiwu-goods"}, "match"),
        ({"match": "sku", "value": "", "supplier": "yiwu-goods"}, "value"),
        ({"match": "sku", "value": "A", "supplier": "nobody"}, "supplier"),
    ],
)
def test_a_bad_mapping_is_400(world, body, field):
    connector_id = create(world).json()["id"]
    response = world.client("acme_owner").post(
        f"{URL}{connector_id}/mappings/", body, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not SupplierMapping.cross_tenant_objects.exists()


def test_a_rotated_secret_signs_from_now_on(world):
    connector_id = create(world).json()["id"]
    response = world.client("acme_owner").post(
        f"{URL}{connector_id}/secret/", {"secret": "shpss_new_secret_value"}, format="json"
    )
    assert response.status_code == 200
    assert "secret" not in response.json()
    connector = Connector.cross_tenant_objects.get()
    old = deliver(connector, shopify_order(), topic="orders/create", delivery_id="1")
    new = deliver(
        connector,
        shopify_order(),
        topic="orders/create",
        delivery_id="2",
        secret="shpss_new_secret_value",
    )
    assert (old.status_code, new.status_code) == (401, 200)


def test_the_event_log_lists_every_delivery_with_its_result(world):
    connector_id = create(world).json()["id"]
    connector = Connector.cross_tenant_objects.get()
    deliver(connector, shopify_order(), topic="orders/create", delivery_id="1")
    event = ConnectorEvent.cross_tenant_objects.get()
    client = world.client("acme_owner")
    [pending] = client.get(f"{URL}{connector_id}/events/").json()["results"]
    assert (pending["topic"], pending["result"], pending["order"]) == ("orders/create", None, None)
    processing.connector_event_process(event_id=event.pk)
    [done] = client.get(f"{URL}{connector_id}/events/").json()["results"]
    assert set(done) >= {"id", "topic", "received_at", "result", "detail", "order"}
    assert done["result"] == "imported"
    assert done["order"] is not None
    assert "body" not in done


def test_a_failed_event_can_be_retried_and_others_cannot(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    connector_id = create(world, default_supplier=None).json()["id"]
    connector = Connector.cross_tenant_objects.get()
    deliver(connector, shopify_order(), topic="orders/create", delivery_id="1")
    event = ConnectorEvent.cross_tenant_objects.get()
    processing.connector_event_process(event_id=event.pk)  # no supplier: failed
    queued = []
    monkeypatch.setattr(
        queue, "enqueue_event", lambda event_id, **kw: queued.append((event_id, kw))
    )
    client = world.client("acme_owner")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{URL}{connector_id}/events/{event.pk}/retry/")
    assert response.status_code == 202
    assert queued == [(event.pk, {"force": True})]
    ConnectorEvent.cross_tenant_objects.update(result="imported")
    assert client.post(f"{URL}{connector_id}/events/{event.pk}/retry/").status_code == 409
    missing = "00000000-0000-7000-8000-000000000000"
    assert client.post(f"{URL}{connector_id}/events/{missing}/retry/").status_code == 404


def test_the_event_log_costs_the_same_queries_for_few_and_many(world):
    connector_id = create(world).json()["id"]
    connector = Connector.cross_tenant_objects.get()
    client = world.client("acme_owner")

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{URL}{connector_id}/events/").status_code == 200
        return len(queries)

    deliver(connector, shopify_order(), topic="orders/create", delivery_id="0")
    count_queries()  # the token's first use of the day records itself
    few = count_queries()
    for number in range(1, 20):
        deliver(connector, shopify_order(), topic="orders/create", delivery_id=str(number))
    assert count_queries() == few
