"""A `celery -A config worker` process of the bench's own, told which queue to drain."""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

from celery import Celery
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


class BenchWorker:
    """Prefork with 2 children, as production runs it; it starts on an idle queue and
    consumes a filled one when told, so that a drain is timed from its first task."""

    def __init__(self, *, broker_url: str, email_dir: Path, log: Path, concurrency: int = 2):
        self.broker_url, self.email_dir, self.log = broker_url, email_dir, log
        self.concurrency = concurrency
        self.name = f"bench-{uuid.uuid4().hex[:8]}@{socket.gethostname()}"
        self.idle_queue = f"bench-idle-{uuid.uuid4().hex[:8]}"
        self.process: subprocess.Popen | None = None

    def start(self, app: Celery) -> None:
        self.email_dir.mkdir(parents=True, exist_ok=True)
        database = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": (
                f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
                f"{database['NAME']}"
            ),
            "BENCH_WORKER_BROKER_URL": self.broker_url,
            "BENCH_EMAIL_DIR": str(self.email_dir),
        }
        command = [
            str(Path(sys.executable).with_name("celery")), "-A", "config", "worker",
            f"--concurrency={self.concurrency}", "--loglevel=WARNING", "-n", self.name,
            "--queues", self.idle_queue, "--include", "bench.tasks",
            "--without-gossip", "--without-mingle",
        ]  # fmt: skip
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 — the bench's own command
                command,
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while not app.control.ping(destination=[self.name], timeout=0.5):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"the bench worker did not start: {self.log.read_text()[-2000:]}"
                )

    def consume(self, app: Celery, queue: str) -> None:
        answer = app.control.add_consumer(queue, destination=[self.name], reply=True, timeout=10)
        if not answer:
            raise RuntimeError(f"the bench worker did not take queue {queue}")

    def delete_queue(self, app: Celery, queue: str) -> None:
        with app.connection_for_write() as broker:
            broker.default_channel.queue_delete(queue)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
