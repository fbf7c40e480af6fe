"""Who hears of what happens in a dispute: in-app, e-mail and the merchant's webhooks."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from core.tenancy import cross_tenant_scope
from deadlines.services import deadline_sweep
from disputes import services
from disputes.models import TimelineEvent
from disputes.services.transition_machinery import announce
from disputes.tests.samples import png_upload
from notifications.models import (
    EmailDelivery,
    Notification,
    NotificationEvent,
    WebhookDelivery,
    WebhookEndpoint,
)
from notifications.services import email_delivery_send

SUPPLIER_USERS = {"shenzhen_admin", "shenzhen_agent"}
MERCHANT_WORKERS = {"acme_owner", "acme_manager", "acme_agent"}


@pytest.fixture
def hook(world):
    with cross_tenant_scope(reason="test"):
        return WebhookEndpoint.cross_tenant_objects.create(
            merchant=world.acme, url="https://hooks.example.test/in", events=["*"], secret="s"
        )


def told(type=None):
    """{(user, event type, url)} of every in-app notification."""
    with cross_tenant_scope(reason="test"):
        rows = Notification.cross_tenant_objects.select_related("user")
        if type:
            rows = rows.filter(type=type)
        return {(row.user.email.split("@")[0], row.type, row.url) for row in rows}


def hooks(type):
    with cross_tenant_scope(reason="test"):
        return WebhookDelivery.cross_tenant_objects.filter(event__type=type).count()


def send_all_emails():
    with cross_tenant_scope(reason="test"):
        ids = list(EmailDelivery.cross_tenant_objects.values_list("pk", flat=True))
    for delivery_id in ids:
        email_delivery_send(delivery_id=str(delivery_id))
    return {message.to[0].split("@")[0] for message in mail.outbox}


def test_a_new_dispute_is_told_to_the_supplier_and_the_merchants_webhooks(world, disputes, hook):
    dispute = disputes.open()
    url = f"/portal/disputes/{dispute.pk}/"
    assert told() == {(user, "dispute.opened", url) for user in SUPPLIER_USERS}
    assert hooks("dispute.opened") == 1
    assert send_all_emails() == SUPPLIER_USERS


def test_the_supplier_hears_of_a_claim_only_once_its_evidence_arrives(world, disputes, hook):
    dispute = disputes.open(kind="refund", reason="damaged")
    assert told() == set()
    assert hooks("dispute.opened") == 1
    disputes.call("acme_agent", services.dispute_attachment_add, dispute, upload=png_upload())
    assert {user for user, _type, _url in told()} == SUPPLIER_USERS


def test_a_supplier_message_is_told_to_the_merchants_staff_not_its_viewer(world, disputes, hook):
    dispute = disputes.open()
    disputes.call("shenzhen_agent", services.dispute_message_post, dispute, body="Shipped.")
    url = f"/app/disputes/{dispute.pk}/"
    assert told("dispute.message") == {(u, "dispute.message", url) for u in MERCHANT_WORKERS}
    assert hooks("dispute.message") == 1


def test_a_merchant_message_is_told_to_the_supplier_but_not_to_its_author(world, disputes):
    dispute = disputes.open()
    disputes.call("acme_agent", services.dispute_message_post, dispute, body="Any news?")
    assert {user for user, _t, _u in told("dispute.message")} == SUPPLIER_USERS


def test_the_supplier_never_receives_anything_about_an_internal_note(world, disputes, hook):
    dispute = disputes.open()
    with cross_tenant_scope(reason="test"):
        before = NotificationEvent.cross_tenant_objects.count()
    mail.outbox.clear()
    disputes.call(
        "acme_agent",
        services.dispute_message_post,
        dispute,
        body="Supplier is slow, push hard",
        internal=True,
    )
    with cross_tenant_scope(reason="test"):
        assert NotificationEvent.cross_tenant_objects.count() == before
        for caller in SUPPLIER_USERS:
            user = world.users[caller]
            assert not Notification.cross_tenant_objects.filter(user=user).exclude(
                type="dispute.opened"
            )
            assert not EmailDelivery.cross_tenant_objects.filter(user=user).exclude(
                event__type="dispute.opened"
            )
        assert not Notification.cross_tenant_objects.filter(body__contains="push hard").exists()
    sent = send_all_emails()
    assert all("push hard" not in message.body for message in mail.outbox)
    assert sent <= SUPPLIER_USERS  # only the opening's e-mails
    assert hooks("dispute.message") == 0


def test_escalation_resolution_and_closing_each_have_their_event(world, disputes, hook):
    dispute = disputes.in_state("resolved")
    disputes.call("acme_agent", services.dispute_close, dispute)
    assert {user for user, _t, _u in told("dispute.resolved")} == MERCHANT_WORKERS
    assert {user for user, _t, _u in told("dispute.closed")} == SUPPLIER_USERS
    assert {user for user, _t, _u in told("dispute.status_changed")} >= MERCHANT_WORKERS
    other = disputes.open()
    disputes.call("acme_agent", services.dispute_escalate, other, to="refund")
    assert {user for user, _t, _u in told("dispute.escalated")} == SUPPLIER_USERS
    for type in ("dispute.resolved", "dispute.closed", "dispute.escalated"):
        assert hooks(type) >= 1


def test_a_deadline_reminder_is_addressed_to_the_supplier(world, disputes, hook):
    dispute = disputes.open()
    with cross_tenant_scope(reason="test"):
        Notification.cross_tenant_objects.all().delete()
    deadline_sweep(now=timezone.now() + timedelta(hours=49))
    assert {user for user, _t, _u in told("deadline.fired")} == SUPPLIER_USERS
    assert hooks("deadline.fired") == 1
    assert disputes.refresh(dispute).status == "awaiting_supplier"


def test_announcing_an_event_again_doubles_nothing(world, disputes, hook):
    dispute = disputes.open()
    disputes.call("shenzhen_agent", services.dispute_message_post, dispute, body="Hello")
    with cross_tenant_scope(reason="test"):
        counts = (
            Notification.cross_tenant_objects.count(),
            EmailDelivery.cross_tenant_objects.count(),
            WebhookDelivery.cross_tenant_objects.count(),
        )
        dispute = disputes.refresh(dispute)
        events = list(TimelineEvent.cross_tenant_objects.filter(dispute=dispute))
        announce(dispute, events)
        assert (
            Notification.cross_tenant_objects.count(),
            EmailDelivery.cross_tenant_objects.count(),
            WebhookDelivery.cross_tenant_objects.count(),
        ) == counts


def test_a_notification_body_starts_with_the_kind_capitalised(world, disputes):
    disputes.open()
    with cross_tenant_scope(reason="test"):
        bodies = set(Notification.cross_tenant_objects.values_list("body", flat=True))
    assert bodies == {"Problem report: Customer did not receive the order"}


def test_a_status_change_is_told_in_words_and_your_turn_as_yours(world, disputes):
    dispute = disputes.open()
    disputes.call("shenzhen_agent", services.proposal_create, dispute, resolution="reship")
    with cross_tenant_scope(reason="test"):
        titles = {
            (row.user.email.split("@")[0], row.title)
            for row in Notification.cross_tenant_objects.select_related("user").filter(
                type="dispute.status_changed"
            )
        }
    number = dispute.number
    assert ("acme_agent", f"Dispute #{number} is now waiting for your answer") in titles
    assert all("resolution proposed" not in title for _user, title in titles)
