"""A real Celery worker in a thread, on a queue of this test process's own (not eager)."""

import uuid
from contextlib import contextmanager

from celery.contrib.testing.worker import start_worker

from config.celery import app as celery_app
from connectors import tasks

# Parallel test processes share the broker: each reads only its own queue.
QUEUE = f"test-connectors-{uuid.uuid4().hex[:12]}"


@contextmanager
def running_worker(monkeypatch):
    for task in (tasks.connector_event_process_task, tasks.connector_events_reprocess_waiting_task):
        monkeypatch.setattr(task, "queue", QUEUE, raising=False)
    with start_worker(
        celery_app,
        pool="solo",
        perform_ping_check=False,
        queues=[QUEUE],
        loglevel="WARNING",
        shutdown_timeout=30,
    ) as worker:
        yield worker
