import hashlib
import hmac
import json
import socket
import time

import pytest
from django.test import override_settings

from accounts.actors import Actor
from accounts.models import Role
from core.errors import ValidationFailed
from notifications import net, services
from notifications.models import DeliveryStatus, WebhookAttempt, WebhookDelivery
from notifications.tests.factories import event


def owner(world):
    return Actor.member(user=world.users["acme_owner"], organization=world.acme, role=Role.OWNER)


def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """What a receiver does with Redress-Signature (the recipe the docs give merchants)."""
    parts = dict(item.split("=", 1) for item in header.split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256)
    fresh = abs(time.time() - int(parts["t"])) < tolerance
    return fresh and hmac.compare_digest(expected.hexdigest(), parts["v1"])


def test_a_delivery_is_signed_and_carries_the_event(world, receiver):
    _endpoint, secret = services.webhook_endpoint_create(
        actor=owner(world), url=receiver.url, events=["dispute.opened"]
    )
    record = services.notify(event=event(world))
    delivery = WebhookDelivery.cross_tenant_objects.get()
    assert services.webhook_delivery_send(delivery_id=delivery.pk) is None
    assert len(receiver.received) == 1
    got = receiver.received[0]
    assert got.path == "/hooks"
    assert got.headers["Content-Type"] == "application/json"
    assert verify(secret, got.headers["Redress-Signature"], got.body)
    assert not verify("whsec_wrong", got.headers["Redress-Signature"], got.body)
    payload = json.loads(got.body)
    assert set(payload) == {"id", "type", "created_at", "data"}
    assert payload["id"] == str(record.pk)
    assert payload["type"] == "dispute.opened"
    assert payload["data"] == {"dispute": {"number": 42}}
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    attempt = WebhookAttempt.cross_tenant_objects.get()
    assert attempt.status_code == 200
    assert attempt.error == ""
    assert attempt.latency_ms >= 0
    # Sent is sent: another task for the same row does nothing.
    assert services.webhook_delivery_send(delivery_id=delivery.pk) is None
    assert len(receiver.received) == 1


def test_a_failing_endpoint_is_retried_with_backoff_and_every_attempt_logged(
    world, receiver, settings
):
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 10
    receiver.statuses = [500, 503]
    services.webhook_endpoint_create(actor=owner(world), url=receiver.url, events=["*"])
    services.notify(event=event(world))
    delivery = WebhookDelivery.cross_tenant_objects.get()
    delays = []
    for _attempt in range(3):
        delays.append(services.webhook_delivery_send(delivery_id=delivery.pk))
        # Not due yet: a premature task is a no-op.
        assert services.webhook_delivery_send(delivery_id=delivery.pk) is None
        WebhookDelivery.cross_tenant_objects.filter(pk=delivery.pk).update(
            next_attempt_at=delivery.created_at
        )
    assert 5 <= delays[0] <= 10
    assert 10 <= delays[1] <= 20
    assert delays[2] is None
    attempts = list(WebhookAttempt.cross_tenant_objects.order_by("at"))
    assert [a.status_code for a in attempts] == [500, 503, 200]
    assert attempts[0].error == "HTTP 500"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attempts == 3
    # Every attempt carries the same event id, so the receiver can drop duplicates.
    assert len({json.loads(r.body)["id"] for r in receiver.received}) == 1


def test_retries_stop_after_the_window(world, receiver, settings):
    settings.WEBHOOK_RETRY_WINDOW_SECONDS = 0
    receiver.statuses = [500]
    services.webhook_endpoint_create(actor=owner(world), url=receiver.url, events=["*"])
    services.notify(event=event(world))
    delivery = WebhookDelivery.cross_tenant_objects.get()
    assert services.webhook_delivery_send(delivery_id=delivery.pk) is None
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED


def test_a_slow_endpoint_times_out_instead_of_blocking(world, receiver, settings):
    settings.WEBHOOK_READ_TIMEOUT_SECONDS = 0.3
    receiver.delay = 2
    services.webhook_endpoint_create(actor=owner(world), url=receiver.url, events=["*"])
    services.notify(event=event(world))
    delivery = WebhookDelivery.cross_tenant_objects.get()
    started = time.monotonic()
    assert services.webhook_delivery_send(delivery_id=delivery.pk) > 0
    assert time.monotonic() - started < 1.5
    attempt = WebhookAttempt.cross_tenant_objects.get()
    assert attempt.status_code is None
    assert "Timeout" in attempt.error


def test_resend_sends_the_same_event_again(world, receiver):
    services.webhook_endpoint_create(actor=owner(world), url=receiver.url, events=["*"])
    services.notify(event=event(world))
    delivery = WebhookDelivery.cross_tenant_objects.get()
    services.webhook_delivery_send(delivery_id=delivery.pk)
    services.webhook_delivery_resend(actor=owner(world), delivery=delivery)
    services.webhook_delivery_send(delivery_id=delivery.pk)
    assert len(receiver.received) == 2
    assert (
        json.loads(receiver.received[0].body)["id"] == json.loads(receiver.received[1].body)["id"]
    )


def test_a_deleted_endpoint_receives_nothing(world, receiver):
    endpoint, _secret = services.webhook_endpoint_create(
        actor=owner(world), url=receiver.url, events=["*"]
    )
    services.notify(event=event(world))
    services.webhook_endpoint_delete(actor=owner(world), endpoint=endpoint)
    delivery = WebhookDelivery.cross_tenant_objects.get()
    assert services.webhook_delivery_send(delivery_id=delivery.pk) is None
    assert receiver.received == []
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.CANCELLED
    services.notify(event=event(world, key="after-delete"))
    assert WebhookDelivery.cross_tenant_objects.count() == 1


# --- SSRF -------------------------------------------------------------------------------


def fake_dns(monkeypatch, *addresses):
    def getaddrinfo(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)) for address in addresses
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "169.254.1.1",
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104 — a refused target, not a bind
        "224.0.0.1",
        "240.0.0.1",
        "::1",
        "fd00:ec2::254",
        "fe80::1",
        "::ffff:127.0.0.1",
        "2002:7f00:1::",  # 6to4 around 127.0.0.1
        "2002:5db8:d822::1",  # 6to4 around a public address: still a relay
        "64:ff9b::7f00:1",  # NAT64 around 127.0.0.1
        "64:ff9b:1::a00:1",  # local-use NAT64 around 10.0.0.1
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    ],
)
@override_settings(WEBHOOK_ALLOW_PRIVATE_TARGETS=False)
def test_internal_addresses_are_refused_when_saved(world, monkeypatch, address):
    fake_dns(monkeypatch, address)
    with pytest.raises(ValidationFailed) as refused:
        services.webhook_endpoint_create(
            actor=owner(world), url="https://hooks.example.com/x", events=["*"]
        )
    assert "url" in refused.value.field_errors


@override_settings(WEBHOOK_ALLOW_PRIVATE_TARGETS=False)
def test_one_private_address_among_public_ones_is_refused(world, monkeypatch):
    fake_dns(monkeypatch, "93.184.216.34", "10.0.0.5")
    with pytest.raises(ValidationFailed):
        services.webhook_endpoint_create(
            actor=owner(world), url="https://hooks.example.com/x", events=["*"]
        )


@override_settings(WEBHOOK_ALLOW_PRIVATE_TARGETS=False)
def test_public_https_is_accepted_and_plain_http_is_not(world, monkeypatch):
    fake_dns(monkeypatch, "93.184.216.34")
    endpoint, secret = services.webhook_endpoint_create(
        actor=owner(world), url="https://hooks.example.com/x", events=["*"]
    )
    assert secret.startswith("whsec_")
    assert endpoint.pk
    with pytest.raises(ValidationFailed):
        services.webhook_endpoint_create(
            actor=owner(world), url="http://hooks.example.com/x", events=["*"]
        )
    for url in ("ftp://hooks.example.com/", "https://user:pw@hooks.example.com/", "https:///x"):
        with pytest.raises(ValidationFailed):
            services.webhook_endpoint_create(actor=owner(world), url=url, events=["*"])


def test_dns_rebinding_is_refused_at_connection_time(world, monkeypatch, receiver, settings):
    # Saved while the name pointed to a public address (private targets off)...
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    fake_dns(monkeypatch, "93.184.216.34")
    services.webhook_endpoint_create(
        actor=owner(world), url="https://hooks.example.com/x", events=["*"]
    )
    services.notify(event=event(world))
    # ...the name now resolves to the metadata service: nothing is sent there.
    fake_dns(monkeypatch, "169.254.169.254")
    delivery = WebhookDelivery.cross_tenant_objects.get()
    assert services.webhook_delivery_send(delivery_id=delivery.pk) > 0
    attempt = WebhookAttempt.cross_tenant_objects.get()
    assert attempt.status_code is None
    assert "private" in attempt.error


def test_the_connection_goes_to_the_checked_address(monkeypatch, receiver):
    # The name resolves to the receiver's address; the Host header keeps the name.
    host, port = receiver.server.server_address[:2]
    fake_dns(monkeypatch, host)
    answer = net.post(f"http://hooks.example.com:{port}/pinned?x=1", body=b"{}", headers={})
    assert answer.status == 200
    assert receiver.received[0].headers["Host"] == f"hooks.example.com:{port}"
    assert receiver.received[0].path == "/pinned?x=1"


@override_settings(WEBHOOK_ALLOW_PRIVATE_TARGETS=False)
def test_unresolvable_hosts_are_refused(world, monkeypatch):
    def nowhere(*args, **kwargs):
        raise socket.gaierror("no such host")

    monkeypatch.setattr(socket, "getaddrinfo", nowhere)
    with pytest.raises(ValidationFailed):
        services.webhook_endpoint_create(
            actor=owner(world), url="https://nowhere.invalid/", events=["*"]
        )


@override_settings(WEBHOOK_ALLOW_PRIVATE_TARGETS=False)
@pytest.mark.parametrize(
    "url", ["https://[2002:7f00:1::]/", "https://[64:ff9b::a9fe:a9fe]/", "https://[2001::1]/"]
)
def test_ipv6_literals_that_wrap_ipv4_are_refused(world, url):
    with pytest.raises(ValidationFailed) as refused:
        services.webhook_endpoint_create(actor=owner(world), url=url, events=["*"])
    assert "url" in refused.value.field_errors


def test_address_checks():
    assert net.address_is_public("93.184.216.34")
    assert net.address_is_public("2606:2800:220:1::1")
    for address in ("127.0.0.1", "::1", "169.254.169.254", "fd00:ec2::254", "10.0.0.1"):
        assert not net.address_is_public(address)
