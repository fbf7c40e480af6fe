"""A real Celery worker (in a thread) on a broker and queue of the test's own.

A fresh Celery app per test, made current so that the engine's `shared_task`s publish
through it: the test chooses the broker (the shared Redis with a queue no other test
process reads, or a throwaway redis-server it may stop and start).
"""

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection
from kombu import Connection

from config.broker import broker_settings
from config.celery import app as project_app

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
RABBITMQ_SERVER = shutil.which("rabbitmq-server") or "/usr/sbin/rabbitmq-server"


def make_app(broker_url: str) -> Celery:
    app = Celery(f"redress-test-{uuid.uuid4().hex[:6]}")
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.broker_url = broker_url
    app.conf.broker_transport = broker_settings(broker_url, var_dir=settings.VAR_DIR).transport
    app.conf.task_default_queue = f"test-notifications-{uuid.uuid4().hex[:8]}"
    app.conf.broker_transport_options = {}
    # A stopped broker must fail a publish fast (the outbox sweep recovers), not hang.
    app.conf.broker_connection_timeout = 1
    app.conf.broker_connection_max_retries = 1
    app.loader.import_default_modules()
    app.autodiscover_tasks(force=True)
    app.set_current()
    app.set_default()
    return app


def restore_project_app() -> None:
    project_app.set_current()
    project_app.set_default()


@contextmanager
def running_worker(app: Celery):
    with start_worker(
        app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=20
    ) as worker:
        yield worker


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ThrowawayRedis:
    """A redis-server of the test's own, with no persistence: a restart loses everything."""

    def __init__(self):
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


class ThrowawayRabbitMQ:
    """A rabbitmq-server node of the test's own: its own node name, ports and data directory.

    The machine's RabbitMQ (5672) is shared by every test run and cannot be restarted by a
    test; a node of our own can be killed (SIGKILL, as a crash) and started again on the
    same port and data, as a broker restart in production. Started by root, the server
    script runs the node as the `rabbitmq` user, so the directory is handed to it.
    """

    def __init__(self):
        self.port, self.dist_port = free_port(), free_port()
        self.root = Path(tempfile.mkdtemp(prefix="redress-rabbitmq-"))
        (self.root / "enabled_plugins").write_text("[].\n")  # no management plugin, no port
        if os.geteuid() == 0:
            account = pwd.getpwnam("rabbitmq")
            os.chown(self.root, account.pw_uid, account.pw_gid)
            os.chown(self.root / "enabled_plugins", account.pw_uid, account.pw_gid)
        self.name = f"redress-test-{uuid.uuid4().hex[:8]}@localhost"
        self.process: subprocess.Popen | None = None

    @property
    def pid_file(self) -> Path:
        return self.root / "node.pid"

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}//"

    def start(self) -> None:
        env = {
            **os.environ,
            "RABBITMQ_NODENAME": self.name,
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(self.root / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.root / "log"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.root / "enabled_plugins"),
            "RABBITMQ_CONFIG_FILE": str(self.root / "none"),
            # The Erlang VM's own process id: the server script hands it to another user
            # and session, out of reach of a signal to the script's process group.
            "RABBITMQ_PID_FILE": str(self.pid_file),
        }
        with (self.root / "server.log").open("ab") as log:
            self.process = subprocess.Popen(
                [RABBITMQ_SERVER],
                cwd=self.root,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                probe = Connection(self.url, connect_timeout=1)
                probe.connect()
                probe.release()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"rabbitmq-server did not start: {self.log()[-3000:]}")

    def log(self) -> str:
        path = self.root / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        """A crash: the node's VM killed at once (SIGKILL), then the script that started it."""
        if self.pid_file.exists():
            text = self.pid_file.read_text().strip()
            if text.isdigit():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(text), signal.SIGKILL)
            self.pid_file.unlink()
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        wait_for(lambda: not _answers(self.port), 20, "rabbitmq-server to stop")

    def remove(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def wait_for(condition, timeout: float = 30, message: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out: {message}")


class WorkerProcess:
    """`celery -A config worker` as production runs it (prefork pool, heartbeats, gossip),
    on the test's own database and the broker the test chooses."""

    def __init__(self, broker_url: str, log: Path, include: str = "", queue: str = ""):
        self.broker_url, self.log, self.include, self.queue = broker_url, log, include, queue
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
            "CELERY_BROKER_URL": self.broker_url,
        }
        command = [
            str(Path(sys.executable).with_name("celery")), "-A", "config", "worker",
            "--concurrency=2", "--loglevel=INFO",
        ]  # fmt: skip
        if self.include:
            command += ["--include", self.include]
        if self.queue:
            command += ["--queues", self.queue]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=settings.BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if not self.alive:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
