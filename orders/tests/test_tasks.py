"""The import task through a real Celery worker and the Redis broker (not eager mode)."""

import time
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.tenancy import cross_tenant_scope
from orders import services, tasks
from orders.models import ImportStatus, Order, OrderImport
from orders.services import imports as import_module
from orders.tests.factories import csv_bytes, csv_row
from orders.tests.worker import running_worker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def celery_worker(transactional_db, monkeypatch):
    with running_worker(monkeypatch) as worker:
        yield worker


def wait_until_finished(job: OrderImport, seconds: float = 30) -> OrderImport:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in (ImportStatus.DONE, ImportStatus.FAILED):
            return job
        time.sleep(0.05)
    raise AssertionError(f"the import is still {job.status} after {seconds} s")


def start(actor, rows) -> OrderImport:
    data = csv_bytes(rows)
    # Committed for real here: the on_commit hook sends the task to the broker.
    return services.order_import_start(
        actor=actor, file=SimpleUploadedFile("orders.csv", data, content_type="text/csv")
    )


def test_a_worker_imports_the_uploaded_file(world, actor_for, celery_worker):
    rows = [csv_row(f"#{n}") for n in range(30)] + [csv_row("#bad", quantity="x")]
    job = wait_until_finished(start(actor_for("acme_owner"), rows))
    assert job.status == ImportStatus.DONE
    assert (job.total, job.processed, job.created, job.error_count) == (31, 31, 30, 1)
    with cross_tenant_scope(reason="test"):
        assert Order.objects.filter(merchant=world.acme).count() == 30


def test_a_long_import_goes_on_over_several_task_runs_and_counts_once(
    world, actor_for, celery_worker, monkeypatch
):
    # Every run stops after one chunk of 3 orders and queues the next run.
    monkeypatch.setattr(import_module, "ORDERS_PER_CHUNK", 3)
    monkeypatch.setattr(tasks, "IMPORT_TIME_BUDGET", 0)
    rows = [csv_row(f"#{n}") for n in range(10)]
    job = wait_until_finished(start(actor_for("acme_owner"), rows))
    assert (job.status, job.processed, job.created, job.updated) == (ImportStatus.DONE, 10, 10, 0)

    # A duplicate delivery of the task (acks_late, a worker restart) changes nothing.
    tasks.order_import_run_task.delay(str(job.pk))
    tasks.order_import_run_task.delay(str(uuid.uuid4()))  # a job that is gone: ignored
    time.sleep(0.5)
    job.refresh_from_db()
    assert (job.processed, job.created, job.updated) == (10, 10, 0)
