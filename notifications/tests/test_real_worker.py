"""Behaviour that depends on a real worker and a real Redis (never eager mode)."""

import hashlib
import hmac
import json
import time

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction

from accounts.actors import Actor
from accounts.models import Role
from notifications import services, tasks
from notifications.events import Recipients
from notifications.models import DeliveryStatus, EmailDelivery, WebhookAttempt, WebhookDelivery
from notifications.tests import workers
from notifications.tests.factories import event

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shared_redis_app():
    app = workers.make_app(settings.CELERY_BROKER_URL)
    yield app
    with app.connection_for_write() as broker:
        broker.default_channel.queue_delete(app.conf.task_default_queue)
    workers.restore_project_app()


@pytest.fixture
def throwaway_redis():
    redis = workers.ThrowawayRedis()
    redis.start()
    yield redis
    redis.stop()


def owner_only(world, key):
    return event(world, key=key, recipients=(Recipients(world.acme, roles={Role.OWNER}),))


def sent_emails() -> int:
    return EmailDelivery.cross_tenant_objects.filter(status=DeliveryStatus.SENT).count()


def test_notify_enqueues_after_commit_and_the_worker_sends_each_email_once(
    world, shared_redis_app, mailoutbox
):
    with workers.running_worker(shared_redis_app):
        with transaction.atomic():
            services.notify(event=event(world))
            services.notify(event=event(world))  # the same key: nothing more
        workers.wait_for(lambda: sent_emails() == 5, message="five e-mails")
        # The same rows enqueued again (a redelivery, a sweep) are not sent again.
        for delivery_id in EmailDelivery.cross_tenant_objects.values_list("pk", flat=True):
            tasks.email_delivery_send_task.delay(str(delivery_id))
            tasks.email_delivery_send_task.delay(str(delivery_id))
        workers.wait_for(lambda: len(mail.outbox) >= 5)
        time.sleep(1)  # time enough for a duplicate to arrive, were one to be sent
    assert len(mail.outbox) == 5
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        f"{name}@example.test"
        for name in ("acme_owner", "acme_manager", "acme_agent", "shenzhen_admin", "shenzhen_agent")
    )


def test_a_rolled_back_transaction_sends_nothing(world, shared_redis_app, mailoutbox):
    def failing_domain_service():
        with transaction.atomic():
            services.notify(event=event(world))
            raise RuntimeError("the domain's transaction fails")

    with workers.running_worker(shared_redis_app):
        with pytest.raises(RuntimeError):
            failing_domain_service()
        time.sleep(1)  # time enough for a wrongly enqueued task to arrive
        assert not EmailDelivery.cross_tenant_objects.exists()
    assert mail.outbox == []


def test_a_notification_survives_a_redis_restart(world, throwaway_redis, settings, mailoutbox):
    settings.NOTIFICATION_OUTBOX_GRACE_SECONDS = 0
    app = workers.make_app(throwaway_redis.url)
    try:
        # Given one event enqueued while no worker runs...
        services.notify(event=owner_only(world, "before-crash"))
        # ...Redis goes down, losing that message (no persistence)...
        throwaway_redis.stop()
        # ...and another event happens while Redis is down: its enqueue fails, quietly.
        services.notify(event=owner_only(world, "during-outage"))
        assert EmailDelivery.cross_tenant_objects.filter(status=DeliveryStatus.PENDING).count() == 2

        # When Redis comes back empty, a worker starts and the beat's outbox sweep runs
        throwaway_redis.start()
        with workers.running_worker(app):
            assert services.outbox_sweep() == 2
            workers.wait_for(lambda: sent_emails() == 2, message="both e-mails")
            # A later sweep finds nothing to do: nothing is sent twice.
            assert services.outbox_sweep() == 0
    finally:
        workers.restore_project_app()
    # Then both were sent, once each
    assert len(mail.outbox) == 2
    assert {m.to[0] for m in mail.outbox} == {"acme_owner@example.test"}


def test_a_failing_webhook_is_retried_by_the_worker_until_it_answers(
    world, shared_redis_app, receiver, settings
):
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 0.2
    receiver.statuses = [500, 502]
    actor = Actor.member(user=world.users["acme_owner"], organization=world.acme, role=Role.OWNER)
    _endpoint, secret = services.webhook_endpoint_create(
        actor=actor, url=receiver.url, events=["dispute.opened"]
    )
    with workers.running_worker(shared_redis_app):
        services.notify(event=event(world))
        workers.wait_for(
            lambda: WebhookDelivery.cross_tenant_objects.filter(
                status=DeliveryStatus.SENT
            ).exists(),
            message="the third attempt to succeed",
        )
    statuses = list(
        WebhookAttempt.cross_tenant_objects.order_by("at").values_list("status_code", flat=True)
    )
    assert statuses == [500, 502, 200]
    assert len(receiver.received) == 3
    for request in receiver.received:
        parts = dict(item.split("=", 1) for item in request.headers["Redress-Signature"].split(","))
        expected = hmac.new(
            secret.encode(), f"{parts['t']}.".encode() + request.body, hashlib.sha256
        ).hexdigest()
        assert hmac.compare_digest(parts["v1"], expected)
        assert json.loads(request.body)["type"] == "dispute.opened"


def test_a_slow_endpoint_does_not_hold_up_other_deliveries(world, shared_redis_app, settings):
    from notifications.tests.receiver import Receiver

    settings.WEBHOOK_READ_TIMEOUT_SECONDS = 0.5
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 60
    slow, fast = Receiver(delay=3).start(), Receiver().start()
    actor = Actor.member(user=world.users["acme_owner"], organization=world.acme, role=Role.OWNER)
    try:
        services.webhook_endpoint_create(actor=actor, url=slow.url, events=["*"])
        services.webhook_endpoint_create(actor=actor, url=fast.url, events=["*"])
        with workers.running_worker(shared_redis_app):
            for number in range(3):
                services.notify(event=event(world, key=f"e{number}"))
            workers.wait_for(lambda: len(fast.received) == 3, timeout=10, message="fast endpoint")
    finally:
        slow.stop()
        fast.stop()
    # One delivery per task, each bounded by the read timeout: the fast endpoint got all
    # three while the slow one timed out (and waits for its retry).
    slow_attempts = WebhookAttempt.cross_tenant_objects.filter(status_code__isnull=True)
    assert slow_attempts.exists()
    assert all(attempt.latency_ms < 2000 for attempt in slow_attempts)
