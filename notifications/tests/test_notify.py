import pytest
from django.core import mail
from django.utils.translation import gettext_lazy

from accounts.models import Role
from core.tenancy import organization_scope
from notifications import services
from notifications.events import Event, Recipients, Text
from notifications.models import (
    DeliveryStatus,
    EmailDelivery,
    EmailPreference,
    Notification,
    NotificationEvent,
    WebhookDelivery,
)
from notifications.tests.factories import event

WORKERS = {"acme_owner", "acme_manager", "acme_agent", "shenzhen_admin", "shenzhen_agent"}


def readers():
    return {
        (n.user.email.split("@")[0], n.organization.slug)
        for n in Notification.cross_tenant_objects.select_related("user", "organization")
    }


def test_notify_writes_one_in_app_row_and_one_pending_email_per_recipient(world):
    services.notify(event=event(world))
    assert {reader for reader, _org in readers()} == WORKERS
    assert EmailDelivery.cross_tenant_objects.count() == 5
    assert set(EmailDelivery.cross_tenant_objects.values_list("status", flat=True)) == {
        DeliveryStatus.PENDING
    }
    # The viewer was not addressed (roles), and the other supplier not at all.
    assert ("acme_viewer", "acme") not in readers()


def test_notify_is_idempotent_by_dedup_key(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        services.notify(event=event(world))
        services.notify(event=event(world))
    assert NotificationEvent.cross_tenant_objects.count() == 1
    assert Notification.cross_tenant_objects.count() == 5
    assert EmailDelivery.cross_tenant_objects.count() == 5
    assert len(callbacks) == 2  # the second enqueues ids that do not exist: a no-op


def test_same_key_with_new_recipients_adds_only_them(world):
    services.notify(event=event(world, recipients=(Recipients(world.shenzhen),)))
    services.notify(event=event(world))
    assert Notification.cross_tenant_objects.count() == 5


def test_the_actor_is_not_told_of_what_they_did(world):
    services.notify(event=event(world, exclude_users=(world.users["acme_agent"],)))
    assert "acme_agent" not in {reader for reader, _org in readers()}


def test_titles_are_rendered_in_each_readers_language(world):
    world.users["shenzhen_admin"].language = "es"
    world.users["shenzhen_admin"].save()
    services.notify(
        event=event(
            world,
            title=Text("Log out"),  # a message id the catalogue already translates
            body=Text("%(what)s", {"what": gettext_lazy("Log out")}),
        )
    )
    by_reader = {n.user.email: n for n in Notification.cross_tenant_objects.select_related("user")}
    assert by_reader["shenzhen_admin@example.test"].title == "Cerrar sesión"
    assert by_reader["shenzhen_admin@example.test"].body == "Cerrar sesión"
    assert by_reader["acme_owner@example.test"].title == "Log out"


def test_email_preferences_mute_a_type_for_that_person_only(world):
    EmailPreference.objects.create(
        user=world.users["acme_owner"], event_type="dispute.opened", email=False
    )
    services.notify(event=event(world))
    emailed = set(EmailDelivery.cross_tenant_objects.values_list("user__email", flat=True))
    assert "acme_owner@example.test" not in emailed
    assert "acme_agent@example.test" in emailed
    # The bell still tells them.
    assert ("acme_owner", "acme") in readers()


def test_an_internal_event_may_not_reach_a_supplier(world):
    with pytest.raises(ValueError, match="internal"):
        services.notify(event=event(world, internal=True))
    assert not NotificationEvent.cross_tenant_objects.exists()
    services.notify(event=event(world, internal=True, recipients=(Recipients(world.acme),)))
    assert {org for _reader, org in readers()} == {"acme"}


def test_unknown_event_types_are_a_bug(world):
    with pytest.raises(ValueError, match="Unknown"):
        services.notify(event=event(world, type="dispute.exploded"))


def test_listed_users_must_be_members_of_the_organization(world):
    stranger = world.users["globex_owner"]
    services.notify(
        event=event(
            world,
            recipients=(Recipients(world.acme, users=(stranger, world.users["acme_viewer"])),),
        )
    )
    assert readers() == {("acme_viewer", "acme")}


def test_webhook_deliveries_go_to_subscribed_active_endpoints_of_the_merchant(world):
    from notifications.models import WebhookEndpoint

    make = WebhookEndpoint.cross_tenant_objects.create
    everything = make(merchant=world.acme, url="http://127.0.0.1:9/a", events=["*"], secret="s")
    opened = make(
        merchant=world.acme, url="http://127.0.0.1:9/b", events=["dispute.opened"], secret="s"
    )
    make(merchant=world.acme, url="http://127.0.0.1:9/c", events=["dispute.closed"], secret="s")
    make(merchant=world.acme, url="http://127.0.0.1:9/d", events=["*"], secret="s", active=False)
    make(merchant=world.globex, url="http://127.0.0.1:9/e", events=["*"], secret="s")
    services.notify(event=event(world))
    endpoints = set(WebhookDelivery.cross_tenant_objects.values_list("endpoint_id", flat=True))
    assert endpoints == {everything.pk, opened.pk}


def test_supplier_sees_its_notification_only_in_its_own_scope(world):
    services.notify(event=event(world))
    with organization_scope(world.shenzhen):
        assert Notification.objects.count() == 2
    with organization_scope(world.yiwu):
        assert Notification.objects.count() == 0


def test_email_is_sent_once_in_the_readers_language(world):
    world.users["acme_agent"].language = "es"
    world.users["acme_agent"].save()
    services.notify(event=event(world, title=Text("Log out")))
    delivery = EmailDelivery.cross_tenant_objects.get(user=world.users["acme_agent"])
    assert services.email_delivery_send(delivery_id=delivery.pk) is None
    assert services.email_delivery_send(delivery_id=delivery.pk) is None  # claimed: no-op
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["acme_agent@example.test"]
    assert message.subject == "[Redress] Cerrar sesión"
    assert "http://" in message.body
    assert "/app/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Cerrar sesión" in html
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attempts == 1


def test_a_failing_mail_server_is_retried_later(world, settings, monkeypatch):
    services.notify(event=event(world, recipients=(Recipients(world.acme, roles={Role.OWNER}),)))
    delivery = EmailDelivery.cross_tenant_objects.get()

    def broken(self, *args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    delay = services.email_delivery_send(delivery_id=delivery.pk)
    assert delay is not None
    assert delay > 0
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert "mail server down" in delivery.last_error
    assert delivery.next_attempt_at > delivery.claimed_at


def test_notify_accepts_plain_strings(world):
    services.notify(
        event=Event(
            type="order.overdue",
            merchant=world.acme,
            dedup_key="plain",
            title="Order 1001 is overdue",
            recipients=(Recipients(world.acme, roles={Role.OWNER}),),
        )
    )
    assert Notification.cross_tenant_objects.get().title == "Order 1001 is overdue"


def test_the_email_footer_does_not_double_the_full_stop_of_a_name_ending_in_one(world):
    world.acme.name = "Acme Outdoor Co."
    world.acme.save()
    services.notify(event=event(world, recipients=(Recipients(world.acme, roles={Role.OWNER}),)))
    delivery = EmailDelivery.cross_tenant_objects.get()
    services.email_delivery_send(delivery_id=delivery.pk)
    message = mail.outbox[0]
    html, _mimetype = message.alternatives[0]
    assert "As a member of Acme Outdoor Co., you receive this e-mail." in message.body
    assert "Co.." not in message.body
    assert "Co.." not in html
