"""The same work done through RabbitMQ (`CELERY_BROKER_URL=amqp://…`): a real broker and
real workers, the in-thread one of the other worker tests and `celery worker` as
production runs it. RabbitMQ runs on the test machines; a missing one fails, loudly."""

import os
import re
import socket
import uuid
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.db import transaction

from notifications import services
from notifications.models import DeliveryStatus, EmailDelivery
from notifications.tests import workers
from notifications.tests.factories import event

pytestmark = pytest.mark.django_db(transaction=True)

# Another RabbitMQ than the test machines' (TEST_RABBITMQ_URL) is for a developer's checkout.
RABBITMQ_URL = os.environ.get("TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//")
FIVE_RECIPIENTS = sorted(
    f"{name}@example.test"
    for name in ("acme_owner", "acme_manager", "acme_agent", "shenzhen_admin", "shenzhen_agent")
)


@pytest.fixture
def rabbitmq_url() -> str:
    address = urlsplit(RABBITMQ_URL)
    try:
        socket.create_connection((address.hostname, address.port or 5672), timeout=3).close()
    except OSError as error:
        pytest.fail(
            f"RabbitMQ is not reachable at {address.hostname}:{address.port} ({error}); "
            "these tests need it running (set TEST_RABBITMQ_URL to point elsewhere)."
        )
    return RABBITMQ_URL


@pytest.fixture
def rabbitmq_app(rabbitmq_url):
    """A Celery app on RabbitMQ with a queue of this test's own (the broker is shared)."""
    app = workers.make_app(rabbitmq_url)
    yield app
    with app.connection_for_write() as broker:
        broker.default_channel.queue_delete(app.conf.task_default_queue)
    workers.restore_project_app()


def sent_emails() -> int:
    return EmailDelivery.cross_tenant_objects.filter(status=DeliveryStatus.SENT).count()


def test_the_broker_settings_are_rabbitmqs_for_an_amqp_url(rabbitmq_app):
    with rabbitmq_app.connection_for_write() as broker:
        assert broker.transport.driver_type == "amqp"
    assert rabbitmq_app.conf.broker_transport is None  # not the project's Redis transport


def test_a_worker_on_rabbitmq_sends_each_email_once(world, rabbitmq_app, mailoutbox):
    with workers.running_worker(rabbitmq_app):
        with transaction.atomic():
            services.notify(event=event(world))
            services.notify(event=event(world))  # the same key: nothing more
        workers.wait_for(lambda: sent_emails() == 5, message="five e-mails through RabbitMQ")
    assert sorted(m.to[0] for m in mail.outbox) == FIVE_RECIPIENTS


def test_celery_worker_as_production_runs_it_does_the_work_through_rabbitmq(
    world, rabbitmq_url, rabbitmq_app, tmp_path
):
    queue = f"test-rabbitmq-{uuid.uuid4().hex[:8]}"
    rabbitmq_app.conf.task_default_queue = queue
    # The worker process reads only CELERY_BROKER_URL: config/broker.py does the rest.
    worker = workers.WorkerProcess(rabbitmq_url, tmp_path / "worker.log", queue=queue)
    try:
        worker.start()
        with transaction.atomic():
            services.notify(event=event(world))
        workers.wait_for(lambda: sent_emails() == 5, 60, "five e-mails from the worker process")
        assert worker.alive
    finally:
        worker.stop()
    assert re.search(r"transport:\s+amqp://", (tmp_path / "worker.log").read_text())
