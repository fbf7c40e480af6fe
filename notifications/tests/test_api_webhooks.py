import pytest

from accounts.models import AuditAction, AuditEntry
from notifications import services
from notifications.models import WebhookDelivery, WebhookEndpoint
from notifications.tests.factories import event

URL = "/api/v1/webhooks/"
NOT_OWNERS = ["acme_manager", "acme_agent", "acme_viewer", "shenzhen_admin", "yiwu_admin"]


def create(world, caller="acme_owner", receiver_url="http://127.0.0.1:9/hooks", **body):
    return world.client(caller).post(
        URL, {"url": receiver_url, "events": ["*"], **body}, format="json"
    )


def test_owner_creates_an_endpoint_and_sees_the_secret_once(world):
    response = create(world, events=["dispute.opened", "order.overdue"])
    assert response.status_code == 201
    body = response.json()
    assert body["secret"].startswith("whsec_")
    assert body["events"] == ["dispute.opened", "order.overdue"]
    listed = world.client("acme_owner").get(URL).json()["results"]
    assert [item["id"] for item in listed] == [body["id"]]
    assert "secret" not in listed[0]
    assert "secret" not in world.client("acme_owner").get(f"{URL}{body['id']}/").json()


@pytest.mark.parametrize("caller", NOT_OWNERS)
def test_only_the_owner_may_list_or_create(world, caller):
    assert world.client(caller).get(URL).status_code == 403
    assert create(world, caller=caller).status_code == 403
    assert not WebhookEndpoint.cross_tenant_objects.exists()


def test_anonymous_is_401(world):
    assert world.client(None).get(URL).status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"events": []}, "events"),
        ({"events": ["dispute.exploded"]}, "events"),
        ({"url": "ftp://127.0.0.1/"}, "url"),
        ({"url": "not a url"}, "url"),
    ],
)
def test_bad_input_is_400_with_field_errors(world, body, field):
    response = world.client("acme_owner").post(
        URL, {"url": "http://127.0.0.1:9/", "events": ["*"], **body}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not WebhookEndpoint.cross_tenant_objects.exists()


def test_private_targets_are_refused_over_the_api(world, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    response = create(world, receiver_url="https://127.0.0.1/hooks")
    assert response.status_code == 400
    assert "url" in response.json()


def test_another_merchants_endpoint_is_404(world):
    theirs = create(world, caller="globex_owner").json()["id"]
    client = world.client("acme_owner")
    assert client.get(f"{URL}{theirs}/").status_code == 404
    assert client.get(f"{URL}{theirs}/deliveries/").status_code == 404
    assert client.delete(f"{URL}{theirs}/").status_code == 404
    assert WebhookEndpoint.cross_tenant_objects.get(pk=theirs).deleted_at is None


def test_deliveries_list_and_resend(world, receiver):
    endpoint = create(world, receiver_url=receiver.url).json()["id"]
    services.notify(event=event(world))
    delivery = WebhookDelivery.cross_tenant_objects.get()
    services.webhook_delivery_send(delivery_id=delivery.pk)
    client = world.client("acme_owner")
    body = client.get(f"{URL}{endpoint}/deliveries/").json()
    assert set(body) == {"results", "next", "previous"}
    item = body["results"][0]
    assert item["type"] == "dispute.opened"
    assert item["status"] == "sent"
    assert item["payload"] == {"dispute": {"number": 42}}
    assert [a["status_code"] for a in item["attempt_log"]] == [200]
    response = client.post(f"{URL}{endpoint}/deliveries/{delivery.pk}/resend/")
    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    assert client.post(f"{URL}{endpoint}/deliveries/{endpoint}/resend/").status_code == 404
    assert (
        world.client("acme_manager")
        .post(f"{URL}{endpoint}/deliveries/{delivery.pk}/resend/")
        .status_code
        == 403
    )


def test_resend_while_sending_is_409(world):
    endpoint = create(world).json()["id"]
    services.notify(event=event(world))
    delivery = WebhookDelivery.cross_tenant_objects.get()
    WebhookDelivery.cross_tenant_objects.filter(pk=delivery.pk).update(status="sending")
    response = world.client("acme_owner").post(f"{URL}{endpoint}/deliveries/{delivery.pk}/resend/")
    assert response.status_code == 409


def test_delete_stops_deliveries(world):
    endpoint = create(world).json()["id"]
    assert world.client("acme_owner").delete(f"{URL}{endpoint}/").status_code == 204
    assert world.client("acme_owner").get(URL).json()["results"] == []
    services.notify(event=event(world))
    assert not WebhookDelivery.cross_tenant_objects.exists()


def test_deliveries_cost_the_same_queries_for_one_and_many(world, django_assert_max_num_queries):
    endpoint = create(world).json()["id"]
    client = world.client("acme_owner")
    services.notify(event=event(world))
    client.get(URL)
    with django_assert_max_num_queries(5):
        assert len(client.get(f"{URL}{endpoint}/deliveries/").json()["results"]) == 1
    for number in range(20):
        services.notify(event=event(world, key=f"k{number}"))
    with django_assert_max_num_queries(5):
        assert len(client.get(f"{URL}{endpoint}/deliveries/").json()["results"]) == 21


def test_endpoint_limit_per_merchant(world, settings):
    settings.WEBHOOK_MAX_ENDPOINTS_PER_MERCHANT = 2
    assert create(world).status_code == 201
    assert create(world).status_code == 201
    assert create(world).status_code == 400


@pytest.mark.parametrize(
    ("caller", "status"),
    [
        ("acme_manager", 403),
        ("acme_agent", 403),
        ("acme_viewer", 403),
        ("globex_owner", 404),
        ("shenzhen_admin", 403),
        (None, 401),
    ],
)
def test_only_the_owner_rotates_a_secret(world, caller, status):
    created = create(world).json()
    endpoint, secret = WebhookEndpoint.cross_tenant_objects.get(pk=created["id"]), created["secret"]
    response = world.client(caller).post(f"/api/v1/webhooks/{endpoint.pk}/rotate-secret/")
    assert response.status_code == status
    assert secret not in response.content.decode()
    endpoint.refresh_from_db()
    assert endpoint.secret == secret


def test_rotating_a_secret_signs_with_the_new_one_and_is_audited(world):
    created = create(world).json()
    endpoint = WebhookEndpoint.cross_tenant_objects.get(pk=created["id"])
    old_secret = created["secret"]
    client = world.client("acme_owner")
    response = client.post(f"/api/v1/webhooks/{endpoint.pk}/rotate-secret/")
    assert response.status_code == 200
    new_secret = response.json()["secret"]
    assert new_secret.startswith("whsec_")
    assert new_secret != old_secret
    endpoint.refresh_from_db()
    assert endpoint.secret == new_secret
    assert "secret" not in client.get(f"/api/v1/webhooks/{endpoint.pk}/").json()
    [rotated] = AuditEntry.cross_tenant_objects.filter(action=AuditAction.WEBHOOK_SECRET_ROTATED)
    assert rotated.organization == world.acme
    assert rotated.actor == world.users["acme_owner"]
    assert new_secret not in str(rotated.data)
    # A deleted endpoint keeps no secret to rotate.
    client.delete(f"/api/v1/webhooks/{endpoint.pk}/")
    assert client.post(f"/api/v1/webhooks/{endpoint.pk}/rotate-secret/").status_code == 404
