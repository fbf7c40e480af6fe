"""A real worker process rides out a broker restart: it stays up and the work gets done.

Against both brokers, each a server of the test's own that it can crash and start again:
- Redis, which here keeps nothing across its restart (no persistence), harsher than
  production's append-only file: whatever was queued is lost, and the outbox sweep
  enqueues it again;
- RabbitMQ, a node of its own (the machine's shared one cannot be restarted by a test),
  killed with SIGKILL and started again on the same port and data: durable queues and
  persistent messages come back, the worker reconnects.
"""

import time

import pytest
from celery import Celery

from accounts.actors import Actor
from accounts.models import Role
from config.celery import app as project_app
from notifications import services
from notifications.events import Recipients
from notifications.models import DeliveryStatus, EmailDelivery, WebhookDelivery
from notifications.tests import workers
from notifications.tests.factories import event

pytestmark = pytest.mark.django_db(transaction=True)

# Long enough for the worker to lose its connection and fail to publish its retries.
OUTAGE_SECONDS = 8


def sent(model) -> int:
    return model.cross_tenant_objects.filter(status=DeliveryStatus.SENT).count()


def publisher(broker_url: str) -> Celery:
    app = workers.make_app(broker_url)
    app.conf.task_default_queue = "celery"  # the queue the worker process reads
    return app


@pytest.fixture(params=["redis", "rabbitmq"])
def broker(request):
    server = workers.ThrowawayRedis() if request.param == "redis" else workers.ThrowawayRabbitMQ()
    yield server
    if isinstance(server, workers.ThrowawayRabbitMQ):
        server.remove()
    else:
        server.stop()


def test_a_worker_rides_out_a_broker_restart_and_then_does_the_work(
    world, receiver, settings, tmp_path, broker
):
    settings.NOTIFICATION_OUTBOX_GRACE_SECONDS = 0
    broker.start()
    worker = workers.WorkerProcess(
        broker.url, tmp_path / "worker.log", include="notifications.tests.fast_retries"
    )
    owner = Actor.member(user=world.users["acme_owner"], organization=world.acme, role=Role.OWNER)
    services.webhook_endpoint_create(actor=owner, url=receiver.url, events=["*"])
    receiver.statuses = [500] * 1000  # retried, again and again, through the outage
    try:
        publisher(broker.url)
        worker.start()
        # Given a worker busy retrying a failing webhook
        services.notify(event=event(world, key="before", recipients=(owner_recipients(world),)))
        workers.wait_for(lambda: sent(EmailDelivery) == 1, 60, "the first e-mail")
        workers.wait_for(lambda: len(receiver.received) >= 2, 30, "webhook retries")

        # When the broker crashes, stays away for a while and comes back
        broker.stop()
        time.sleep(OUTAGE_SECONDS)  # the outage itself: nothing to wait for
        receiver.statuses = []  # the endpoint recovers too
        broker.start()
        publisher(broker.url)

        # Then the same worker process is up, takes new work...
        services.notify(event=event(world, key="after", recipients=(owner_recipients(world),)))
        workers.wait_for(lambda: sent(EmailDelivery) == 2, 30, "the e-mail sent after")
        # ...and the webhook whose retry was lost with the broker (or held by the worker
        # across it) is delivered, by the worker or the sweep
        workers.wait_for(
            lambda: services.outbox_sweep() >= 0 and sent(WebhookDelivery) == 2,
            30,
            "both webhooks",
        )
        assert worker.alive, (tmp_path / "worker.log").read_text()[-3000:]
    finally:
        worker.stop()
        broker.stop()
        workers.restore_project_app()
    log = (tmp_path / "worker.log").read_text()
    assert "UnpicklingError" not in log
    assert "Unrecoverable error" not in log


def owner_recipients(world) -> Recipients:
    return Recipients(world.acme, roles={Role.OWNER})


def test_tasks_travel_as_json_only():
    # A pickled message (from a stranger with broker access, or an old release) is refused.
    assert project_app.conf.task_serializer == "json"
    assert project_app.conf.result_serializer == "json"
    assert project_app.conf.accept_content == ["json"]
