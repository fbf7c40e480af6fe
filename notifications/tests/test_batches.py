"""Deliveries go out in batches: one task, one claim, one mail connection or one kept
connection per webhook address for many rows, each row still claimed and recorded alone."""

import json
import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.actors import Actor
from accounts.models import Role
from notifications import services, tasks
from notifications.models import (
    DeliveryStatus,
    EmailDelivery,
    NotificationEvent,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from notifications.tests.factories import event

pytestmark = pytest.mark.django_db

FIVE = 5  # acme's owner, manager and agent, shenzhen's admin and agent (factories.event)


def owner(world):
    return Actor.member(user=world.users["acme_owner"], organization=world.acme, role=Role.OWNER)


def ids(model) -> list[str]:
    return [
        str(pk) for pk in model.cross_tenant_objects.order_by("pk").values_list("pk", flat=True)
    ]


def test_notify_enqueues_one_task_per_channel_with_every_row_of_the_event(
    world, receiver, monkeypatch, django_capture_on_commit_callbacks
):
    services.webhook_endpoint_create(actor=owner(world), url=receiver.url, events=["*"])
    services.webhook_endpoint_create(actor=owner(world), url=receiver.url + "/2", events=["*"])
    published = []

    class Recorded:
        def __init__(self, name, args):
            self.name, self.args = name, args

        def apply_async(self, **options):
            published.append((self.name, self.args))

    monkeypatch.setattr(services, "signature", lambda name, args: Recorded(name, args))
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(event=event(world))
    assert [(name, sorted(args[0])) for name, args in published] == [
        (services.EMAILS_SEND_TASK, ids(EmailDelivery)),
        (services.WEBHOOKS_SEND_TASK, ids(WebhookDelivery)),
    ]
    assert len(published[0][1][0]) == FIVE
    assert len(published[1][1][0]) == 2


def test_a_long_list_is_cut_into_tasks_of_a_bounded_size(monkeypatch):
    published = []

    class Recorded:
        def __init__(self, name, args):
            self.args = args

        def apply_async(self, **options):
            published.append(self.args[0])

    monkeypatch.setattr(services, "signature", lambda name, args: Recorded(name, args))
    many = [f"id-{number}" for number in range(2 * services.DELIVERIES_PER_TASK + 1)]
    services.enqueue_deliveries(many, [])
    assert [len(batch) for batch in published] == [50, 50, 1]
    assert [pk for batch in published for pk in batch] == many


def test_a_batch_of_emails_goes_through_one_mail_connection(world, settings, tmp_path):
    # Django's file backend writes one file per connection it opens.
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    services.notify(event=event(world))
    assert services.email_deliveries_send(delivery_ids=ids(EmailDelivery)) is None
    files = list(tmp_path.iterdir())
    assert len(files) == 1
    assert files[0].read_text().count("Message-ID: <") == FIVE
    assert set(EmailDelivery.cross_tenant_objects.values_list("status", flat=True)) == {
        DeliveryStatus.SENT
    }
    # Sent is sent: the same batch again (a redelivered task) sends nothing.
    assert services.email_deliveries_send(delivery_ids=ids(EmailDelivery)) is None
    assert len(list(tmp_path.iterdir())) == 1


def test_one_failure_in_a_batch_is_retried_alone_and_the_others_are_sent(world, monkeypatch):
    services.notify(event=event(world))
    failing = EmailDelivery.cross_tenant_objects.get(user=world.users["acme_agent"])
    real_send = mail.EmailMessage.send

    def send(message, *args, **kwargs):
        if message.to == [world.users["acme_agent"].email]:
            raise ConnectionResetError("the server hung up")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(mail.EmailMessage, "send", send)
    retry = services.email_deliveries_send(delivery_ids=ids(EmailDelivery))
    assert retry is not None
    assert retry.ids == [str(failing.pk)]
    assert retry.delay > 0
    assert len(mail.outbox) == FIVE - 1
    failing.refresh_from_db()
    assert failing.status == DeliveryStatus.PENDING
    assert "hung up" in failing.last_error
    assert EmailDelivery.cross_tenant_objects.filter(status=DeliveryStatus.SENT).count() == FIVE - 1


def test_the_batch_task_asks_celery_to_retry_only_the_failed_rows(world, monkeypatch):
    services.notify(event=event(world))
    retried = []

    def retry(**options):
        retried.append(options)
        raise RuntimeError("retry")

    monkeypatch.setattr(
        services,
        "email_deliveries_send",
        lambda delivery_ids: services.Retry(ids=delivery_ids[:1], delay=2.0),
    )
    monkeypatch.setattr(tasks.email_deliveries_send_task, "retry", retry)
    with pytest.raises(RuntimeError, match="retry"):
        tasks.email_deliveries_send_task.run(ids(EmailDelivery))
    assert retried == [{"args": [ids(EmailDelivery)[:1]], "countdown": 2.5}]


def test_webhooks_of_a_batch_to_one_address_share_one_kept_connection(world, receiver):
    services.webhook_endpoint_create(actor=owner(world), url=receiver.url, events=["*"])
    services.webhook_endpoint_create(actor=owner(world), url=receiver.url + "/2", events=["*"])
    services.notify(event=event(world, key="one"))
    services.notify(event=event(world, key="two"))
    receiver.statuses = [200, 503]  # the second POST fails: retried alone, the rest sent
    retry = services.webhook_deliveries_send(delivery_ids=ids(WebhookDelivery))
    assert len(receiver.received) == 4
    assert len({got.client for got in receiver.received}) == 1
    assert retry is not None
    assert len(retry.ids) == 1
    statuses = sorted(WebhookDelivery.cross_tenant_objects.values_list("status", flat=True))
    assert statuses == [DeliveryStatus.PENDING] + [DeliveryStatus.SENT] * 3
    assert WebhookAttempt.cross_tenant_objects.count() == 4
    failed = WebhookDelivery.cross_tenant_objects.get(status=DeliveryStatus.PENDING)
    assert failed.last_status_code == 503
    assert failed.last_error == "HTTP 503"


def endpoint(merchant, url):
    return WebhookEndpoint.cross_tenant_objects.create(
        merchant=merchant, url=url, events=["*"], secret="whsec_test"
    )


def hook_ids(event_key) -> list[str]:
    rows = WebhookDelivery.cross_tenant_objects.filter(event__dedup_key=event_key).order_by("pk")
    return [str(pk) for pk in rows.values_list("pk", flat=True)]


def statuses_by_merchant() -> dict:
    rows = WebhookDelivery.cross_tenant_objects.values_list("merchant__slug", "status")
    found: dict = {}
    for slug, status in rows:
        found.setdefault(slug, []).append(status)
    return {slug: sorted(statuses) for slug, statuses in found.items()}


def test_a_batch_gathers_the_due_rows_its_merchant_notified_since(world, receiver):
    endpoint(world.acme, receiver.url)
    services.notify(event=event(world, key="one"))
    services.notify(event=event(world, key="two"))
    services.notify(event=event(world, key="three"))
    # The first event's task sends the three: the later tasks find nothing left to send.
    assert services.webhook_deliveries_send(delivery_ids=hook_ids("one")) is None
    assert len(receiver.received) == 3
    assert services.webhook_deliveries_send(delivery_ids=hook_ids("two")) is None
    assert services.webhook_deliveries_send(delivery_ids=hook_ids("three")) is None
    assert len(receiver.received) == 3
    assert {json.loads(got.body)["id"] for got in receiver.received} == set(
        str(pk) for pk in NotificationEvent.cross_tenant_objects.values_list("pk", flat=True)
    )
    assert statuses_by_merchant() == {"acme": [DeliveryStatus.SENT] * 3}


def test_a_batch_never_gathers_another_merchants_rows(world, receiver):
    endpoint(world.acme, receiver.url)
    endpoint(world.globex, receiver.url + "/globex")
    services.notify(event=event(world, key="acme"))
    services.notify(event=event(world, key="globex", merchant=world.globex, recipients=()))
    # As a worker runs it: in the scope of the merchant of the listed rows.
    assert tasks.webhook_deliveries_send_task.run(hook_ids("acme")) is None
    assert [got.path for got in receiver.received] == ["/hooks"]
    assert statuses_by_merchant() == {
        "acme": [DeliveryStatus.SENT],
        "globex": [DeliveryStatus.PENDING],
    }
    # Nor without a scope (row-level security aside): the rows' own merchant only.
    assert services.webhook_deliveries_send(delivery_ids=hook_ids("acme")) is None
    assert len(receiver.received) == 1
    assert tasks.webhook_deliveries_send_task.run(hook_ids("globex")) is None
    assert [got.path for got in receiver.received] == ["/hooks", "/hooks/globex"]
    assert statuses_by_merchant() == {
        "acme": [DeliveryStatus.SENT],
        "globex": [DeliveryStatus.SENT],
    }


def test_a_retried_batch_sends_neither_its_delivered_rows_nor_gathered_ones_twice(world, receiver):
    endpoint(world.acme, receiver.url)
    services.notify(event=event(world, key="one"))
    services.notify(event=event(world, key="two"))
    receiver.statuses = [503]  # the first POST fails; the gathered one goes through
    retry = services.webhook_deliveries_send(delivery_ids=hook_ids("one"))
    assert retry is not None
    assert retry.ids == hook_ids("one")
    assert len(receiver.received) == 2
    # The retry, once due, sends the failed row alone: the delivered one is not gathered.
    WebhookDelivery.cross_tenant_objects.filter(pk__in=retry.ids).update(
        next_attempt_at=timezone.now()
    )
    assert services.webhook_deliveries_send(delivery_ids=retry.ids) is None
    assert [json.loads(got.body)["id"] for got in receiver.received[1:]] == [
        str(NotificationEvent.cross_tenant_objects.get(dedup_key=key).pk) for key in ("two", "one")
    ]
    # The second event's own task, redelivered or late, finds nothing to send.
    assert services.webhook_deliveries_send(delivery_ids=hook_ids("two")) is None
    assert len(receiver.received) == 3
    assert statuses_by_merchant() == {"acme": [DeliveryStatus.SENT] * 2}


def test_a_batch_leaves_rows_waiting_for_their_retry_alone(world, receiver):
    endpoint(world.acme, receiver.url)
    services.notify(event=event(world, key="later"))
    WebhookDelivery.cross_tenant_objects.update(
        next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    services.notify(event=event(world, key="now"))
    assert services.webhook_deliveries_send(delivery_ids=hook_ids("now")) is None
    assert len(receiver.received) == 1
    assert WebhookDelivery.cross_tenant_objects.get(event__dedup_key="later").status == (
        DeliveryStatus.PENDING
    )


def test_a_one_row_task_sends_its_row_only(world, settings):
    services.notify(event=event(world, key="one"))
    services.notify(event=event(world, key="two"))
    first = EmailDelivery.cross_tenant_objects.filter(event__dedup_key="one").first()
    assert services.email_delivery_send(delivery_id=first.pk) is None
    assert len(mail.outbox) == 1
    assert EmailDelivery.cross_tenant_objects.filter(status=DeliveryStatus.SENT).count() == 1


def test_a_dead_endpoint_is_tried_once_per_batch_and_its_rows_wait_for_their_retry(world, receiver):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    dead_url = f"http://127.0.0.1:{closed.getsockname()[1]}/hooks"
    closed.close()  # nothing listens there: every connection is refused
    dead = endpoint(world.acme, dead_url)
    endpoint(world.acme, receiver.url)
    for key in ("one", "two", "three"):
        services.notify(event=event(world, key=key))
    retry = services.webhook_deliveries_send(delivery_ids=hook_ids("one"))
    assert len(receiver.received) == 3
    assert WebhookAttempt.cross_tenant_objects.filter(delivery__endpoint=dead).count() == 1
    waiting = WebhookDelivery.cross_tenant_objects.filter(endpoint=dead)
    assert retry is not None
    assert sorted(retry.ids) == sorted(str(pk) for pk in waiting.values_list("pk", flat=True))
    assert {row.status for row in waiting} == {DeliveryStatus.PENDING}
    assert all(row.last_error for row in waiting)
