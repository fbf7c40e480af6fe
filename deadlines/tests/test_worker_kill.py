"""A real `celery -A config worker` process, killed with SIGKILL in the middle of a batch.

The batch in flight rolls back with the dead connection; the next sweep redoes it. Every
deadline fires, and none twice (each firing leaves one LogEntry row: see tests/rules.py).
On both brokers: Redis and RabbitMQ (`CELERY_BROKER_URL=amqp://…`).
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection
from django.utils import timezone

from config.broker import broker_settings
from deadlines import services
from deadlines.models import Deadline, DeadlineState

RABBITMQ_URL = os.environ.get("TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//")
ROWS = 60
BATCH = 10
ROOT = Path(settings.BASE_DIR)


def wait_for(condition, timeout: float, message: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out: {message}")


def fired_count() -> int:
    return Deadline.cross_tenant_objects.filter(state=DeadlineState.FIRED).count()


def broker_app(broker_url: str) -> Celery:
    """A Celery app publishing to `broker_url` (the project's is Redis in the tests)."""
    app = Celery(f"redress-test-{uuid.uuid4().hex[:6]}")
    app.config_from_object("django.conf:settings", namespace="CELERY")
    chosen = broker_settings(broker_url, var_dir=settings.VAR_DIR)
    app.conf.broker_url = broker_url
    app.conf.broker_transport = chosen.transport
    app.conf.broker_transport_options = chosen.transport_options
    return app


class WorkerProcess:
    def __init__(self, queue: str, started_file: Path, log: Path, broker_url: str):
        self.queue, self.started_file, self.log = queue, started_file, log
        self.broker_url = broker_url
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        database = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            # The worker talks to the very database this test uses (test_…, per xdist worker).
            "DATABASE_URL": (
                f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
                f"{database['NAME']}"
            ),
            "REDIS_URL": settings.CELERY_BROKER_URL,
            "CELERY_BROKER_URL": self.broker_url,
            "TEST_DEADLINE_ACTION_SECONDS": "0.05",
            "TEST_DEADLINE_STARTED_FILE": str(self.started_file),
        }
        command = [
            str(Path(sys.executable).with_name("celery")),
            "-A", "config", "worker",
            "--pool=solo", "--concurrency=1", "--queues", self.queue,
            "--include", "deadlines.tests.worker_rules",
            "--without-heartbeat", "--without-gossip", "--without-mingle",
            "--loglevel=WARNING",
        ]  # fmt: skip
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self) -> None:
        # The whole process group: no child may finish the batch after the "crash".
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def started_ids(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


@pytest.fixture(params=["redis", "rabbitmq"])
def broker_url(request, settings) -> str:
    # RabbitMQ: the machine's shared one, with a queue of this test's own. Unlike Redis, it
    # hands the killed worker's unacknowledged task back as soon as the connection drops.
    return settings.CELERY_BROKER_URL if request.param == "redis" else RABBITMQ_URL


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_loses_nothing_and_doubles_nothing(
    world, test_rules, tmp_path, broker_url
):
    # Given 60 due deadlines and a real worker sweeping them in batches of 10
    subject = world.users["acme_agent"]
    now = timezone.now()
    for number in range(ROWS):
        services.deadline_schedule(
            merchant=world.acme, rule=test_rules.TOUCH, subject=subject, key=str(number), due_at=now
        )
    queue = f"test-deadlines-{uuid.uuid4().hex[:8]}"
    started_file, log = tmp_path / "started.txt", tmp_path / "worker.log"
    worker = WorkerProcess(queue, started_file, log, broker_url)
    celery_app = broker_app(broker_url)
    try:
        worker.start()
        celery_app.send_task("deadlines.sweep", kwargs={"batch_size": BATCH}, queue=queue)

        # When it is killed while a batch is in flight (some batches committed, the
        # current one begun but not committed)
        wait_for(lambda: fired_count() >= 2 * BATCH, 90, "the first batches to commit")
        wait_for(
            lambda: len(started_ids(started_file)) > fired_count() + 2, 30, "a batch in flight"
        )
        worker.kill()
        fired_before_restart = fired_count()
        started_before_restart = set(started_ids(started_file))
        assert fired_before_restart < ROWS
        assert fired_before_restart % BATCH == 0  # the killed batch left no trace
        in_flight = started_before_restart - set(
            map(
                str,
                Deadline.cross_tenant_objects.filter(state="fired").values_list("pk", flat=True),
            )
        )
        assert in_flight
        assert set(test_rules.fired_counts()) == started_before_restart - in_flight

        # And a worker comes back and the next tick sweeps again
        worker.start()
        celery_app.send_task("deadlines.sweep", kwargs={"batch_size": BATCH}, queue=queue)
        wait_for(lambda: fired_count() == ROWS, 90, "every deadline to fire")
    finally:
        worker.stop()
        with celery_app.connection_for_write() as broker:
            broker.default_channel.queue_delete(queue)

    # Then every deadline fired exactly once; the interrupted ones were run again, whole
    counts = test_rules.fired_counts()
    assert len(counts) == ROWS
    assert set(counts.values()) == {1}
    started = started_ids(started_file)
    assert set(started) == set(counts)
    assert in_flight <= {pk for pk in started if started.count(pk) == 2}
