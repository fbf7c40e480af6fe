"""At least once, never lost, recognisably the same: the outbox's claim lease and Message-ID."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMessage
from django.utils import timezone

from accounts.models import Role
from notifications import services
from notifications.events import Recipients
from notifications.models import DeliveryStatus, EmailDelivery
from notifications.tests import workers
from notifications.tests.factories import event


class WorkerKilled(BaseException):
    """Stands for SIGKILL in the middle of a send: nothing after it runs."""


def owner_only(world, key="lease"):
    return event(world, key=key, recipients=(Recipients(world.acme, roles={Role.OWNER}),))


def the_delivery() -> EmailDelivery:
    return EmailDelivery.cross_tenant_objects.get()


@pytest.mark.django_db
def test_a_killed_send_is_sent_again_after_the_short_lease_with_the_same_message_id(
    world, monkeypatch
):
    services.notify(event=owner_only(world))
    delivery = the_delivery()
    handed_to_the_mail_server = []

    def sent_then_killed(message, *args, **kwargs):
        # The server took the message; the worker dies before recording it.
        handed_to_the_mail_server.append(message.message())
        raise WorkerKilled

    monkeypatch.setattr(EmailMessage, "send", sent_then_killed)
    with pytest.raises(WorkerKilled):
        services.email_delivery_send(delivery_id=delivery.pk)
    monkeypatch.undo()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENDING
    assert delivery.lease_until <= delivery.claimed_at + timedelta(seconds=30)

    enqueued = []
    monkeypatch.setattr(
        services, "enqueue_deliveries", lambda emails, hooks: enqueued.extend(emails)
    )
    # While the lease runs the row is left alone; once it has run out, it is sent again.
    assert services.outbox_sweep() == 0
    with time_machine.travel(delivery.lease_until + timedelta(seconds=1), tick=False):
        assert services.outbox_sweep() == 1
        assert enqueued == [str(delivery.pk)]
        services.email_delivery_send(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert len(mail.outbox) == 1
    first, resent = handed_to_the_mail_server[0], mail.outbox[0].message()
    assert first["Message-ID"] == resent["Message-ID"] == f"<{delivery.pk}@redress.localhost>"


@pytest.mark.django_db
def test_message_ids_differ_between_deliveries_and_use_the_senders_domain(world, settings):
    settings.DEFAULT_FROM_EMAIL = "Shop help <help@mail.example.test>"
    services.notify(event=owner_only(world, key="one"))
    services.notify(event=owner_only(world, key="two"))
    for delivery in EmailDelivery.cross_tenant_objects.all():
        services.email_delivery_send(delivery_id=delivery.pk)
    ids = {message.message()["Message-ID"] for message in mail.outbox}
    assert len(ids) == 2
    assert all(value.endswith("@mail.example.test>") for value in ids)


@pytest.mark.django_db(transaction=True)
def test_a_slow_send_keeps_renewing_its_lease_so_the_sweep_leaves_it_alone(
    world, settings, monkeypatch
):
    settings.NOTIFICATION_CLAIM_LEASE_SECONDS = 0.6
    settings.NOTIFICATION_OUTBOX_GRACE_SECONDS = 0
    services.notify(event=owner_only(world))
    enqueued = []
    monkeypatch.setattr(
        services, "enqueue_deliveries", lambda emails, hooks: enqueued.extend(emails)
    )
    swept_during_the_send = []
    real_send = EmailMessage.send

    def slow_send(message, *args, **kwargs):
        first_lease = the_delivery().lease_until
        # The server takes well past the first lease to answer...
        workers.wait_for(
            lambda: timezone.now() > first_lease + timedelta(seconds=0.6), 5, "a slow server"
        )
        # ...and meanwhile the lease has moved on, so the sweep does not take it.
        assert the_delivery().lease_until > timezone.now()
        swept_during_the_send.append(services.outbox_sweep())
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", slow_send)
    services.email_delivery_send(delivery_id=the_delivery().pk)

    assert swept_during_the_send == [0]
    assert enqueued == []
    assert the_delivery().status == DeliveryStatus.SENT
    assert len(mail.outbox) == 1
