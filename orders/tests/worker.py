"""A real Celery worker in a thread, for tests that must not use eager mode."""

import uuid
from contextlib import contextmanager

from celery.contrib.testing.worker import start_worker

from config.celery import app as celery_app
from orders import tasks

# One queue per test process: parallel test processes share the broker, and another
# process's worker would take the task and not find the job in its own test database. (One
# name for the whole process, too: a second embedded worker that selects another queue in
# the same process does not consume from it.)
QUEUE = f"test-orders-{uuid.uuid4().hex[:12]}"


@contextmanager
def running_worker(monkeypatch):
    monkeypatch.setattr(tasks.order_import_run_task, "queue", QUEUE, raising=False)
    with start_worker(
        celery_app,
        pool="solo",
        perform_ping_check=False,
        queues=[QUEUE],
        loglevel="WARNING",
        shutdown_timeout=30,
    ) as worker:
        yield worker
