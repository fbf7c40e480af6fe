import re

import pytest
from django.test import Client

from deadlines.models import RuleSetting
from notifications import services
from notifications.events import Recipients, event_types
from notifications.models import EmailPreference, Notification, WebhookEndpoint
from notifications.tests.factories import event


def browser(world, caller) -> Client:
    client = Client()
    client.force_login(world.users[caller], backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_bell_shows_the_unread_count_on_dashboard_and_portal_pages(world):
    services.notify(event=event(world))
    page = browser(world, "acme_agent").get("/app/").content.decode()
    assert 'id="notification-bell"' in page
    assert 'data-count="1"' in page
    assert 'hx-get="/app/notifications/bell/"' in page
    portal = browser(world, "shenzhen_admin").get("/portal/").content.decode()
    assert 'hx-get="/portal/notifications/bell/"' in portal
    assert 'data-count="1"' in portal
    fragment = browser(world, "yiwu_admin").get("/portal/notifications/bell/").content.decode()
    assert 'data-count="0"' in fragment


def test_bell_stops_counting_past_its_limit(world, monkeypatch):
    monkeypatch.setattr("notifications.context_processors.BELL_LIMIT", 2)
    for key in ("one", "two", "three"):
        services.notify(event=event(world, key=key))
    client = browser(world, "acme_agent")
    assert 'data-count="2+"' in client.get("/app/notifications/bell/").content.decode()
    monkeypatch.setattr("notifications.context_processors.BELL_LIMIT", 3)
    assert 'data-count="3"' in client.get("/app/notifications/bell/").content.decode()


def test_bell_tells_a_signed_out_page_to_stop_polling(world):
    assert Client().get("/app/notifications/bell/").status_code == 286


def test_list_mark_one_read_and_all_read(world):
    services.notify(event=event(world))
    services.notify(event=event(world, key="second"))
    client = browser(world, "acme_agent")
    page = client.get("/app/notifications/").content.decode()
    assert page.count("Dispute #42 opened") == 2
    first = Notification.cross_tenant_objects.filter(user=world.users["acme_agent"]).first()
    response = client.post(f"/app/notifications/{first.pk}/read/")
    assert response.status_code == 302
    assert response["Location"] == "/app/"
    first.refresh_from_db()
    assert first.read_at is not None
    client.post("/app/notifications/read-all/")
    assert not Notification.cross_tenant_objects.filter(
        user=world.users["acme_agent"], read_at__isnull=True
    ).exists()
    # Someone else's notification cannot be marked from here.
    theirs = Notification.cross_tenant_objects.filter(user=world.users["acme_owner"]).first()
    assert client.post(f"/app/notifications/{theirs.pk}/read/").status_code == 404


def test_supplier_pages_live_under_the_portal(world):
    client = browser(world, "shenzhen_admin")
    assert client.get("/portal/notifications/").status_code == 200
    assert client.get("/app/notifications/").status_code == 302


def test_email_preferences_are_saved(world):
    client = browser(world, "acme_viewer")
    page = client.get("/app/notifications/preferences/").content.decode()
    # One switch per event type, all on by default.
    assert page.count('type="checkbox"') == len(event_types())
    assert page.count("checked") == len(event_types())
    client.post("/app/notifications/preferences/", {"email": ["dispute.opened"]})
    muted = set(
        EmailPreference.objects.filter(user=world.users["acme_viewer"], email=False).values_list(
            "event_type", flat=True
        )
    )
    assert "dispute.message" in muted
    assert "dispute.opened" not in muted
    services.notify(
        event=event(world, type="dispute.message", recipients=(Recipients(world.acme),))
    )
    from notifications.models import EmailDelivery

    assert not EmailDelivery.cross_tenant_objects.filter(user=world.users["acme_viewer"]).exists()


def test_rules_page_owner_edits_and_viewer_only_reads(world):
    owner = browser(world, "acme_manager")
    page = owner.get("/app/settings/rules/").content.decode()
    assert "Supplier response" in page
    assert "Escalate to arbitration" in page
    response = owner.post(
        "/app/settings/rules/ship-reminder/", {"enabled": "on", "numbers.after_days": "3"}
    )
    assert response.status_code == 302
    assert RuleSetting.cross_tenant_objects.get().numbers == {"after_days": 3}
    bad = owner.post(
        "/app/settings/rules/ship-reminder/", {"enabled": "on", "numbers.after_days": "0"}
    )
    assert bad.status_code == 400
    assert "Must be between 1 and 90" in bad.content.decode()
    viewer = browser(world, "acme_viewer")
    page = viewer.get("/app/settings/rules/").content.decode()
    assert "Only the owner or a manager" in page
    assert "disabled" in page
    assert (
        viewer.post("/app/settings/rules/ship-reminder/", {"numbers.after_days": "5"}).status_code
        == 403
    )
    assert RuleSetting.cross_tenant_objects.get().numbers == {"after_days": 3}


def test_webhooks_page_shows_the_secret_once(world, receiver):
    client = browser(world, "acme_owner")
    response = client.post(
        "/app/settings/webhooks/", {"url": receiver.url, "events": ["*"], "description": "ERP"}
    )
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    secret = WebhookEndpoint.cross_tenant_objects.get().secret
    assert secret in detail
    assert secret not in client.get(response["Location"]).content.decode()
    services.notify(event=event(world))
    from notifications.models import WebhookDelivery

    delivery = WebhookDelivery.cross_tenant_objects.get()
    services.webhook_delivery_send(delivery_id=delivery.pk)
    detail = client.get(response["Location"]).content.decode()
    assert "HTTP 200" in detail
    assert "dispute.opened" in detail
    endpoint_id = re.search(r"/webhooks/([0-9a-f-]{36})/", response["Location"]).group(1)
    resend = client.post(f"/app/settings/webhooks/{endpoint_id}/deliveries/{delivery.pk}/resend/")
    assert resend.status_code == 302


def test_webhooks_page_refuses_private_targets(world, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    response = browser(world, "acme_owner").post(
        "/app/settings/webhooks/", {"url": "https://127.0.0.1/x", "events": ["*"]}
    )
    assert response.status_code == 400
    assert not WebhookEndpoint.cross_tenant_objects.exists()


@pytest.mark.parametrize("caller", ["acme_manager", "acme_agent", "acme_viewer"])
def test_webhooks_page_is_for_the_owner_only(world, caller):
    client = browser(world, caller)
    assert client.get("/app/settings/webhooks/").status_code == 403
    assert (
        client.post(
            "/app/settings/webhooks/", {"url": "http://127.0.0.1:9/", "events": ["*"]}
        ).status_code
        == 403
    )
    assert not WebhookEndpoint.cross_tenant_objects.exists()
