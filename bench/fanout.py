"""Notification fan-out through a real Celery worker, against the same worker's no-op drain.

One `celery -A config worker` process (prefork, 2 children, as production runs it) on a
real broker (Redis by default, `--broker amqp://…` for RabbitMQ). Each measurement fills a
queue of its own first, then tells the worker to consume it (`add_consumer`) and times the
drain, so that the bench's own writing and publishing are not in the figure:

- the ceiling: N no-op tasks (bench.tasks.noop), then a marker task;
- e-mail: `notify()` of events to 7 people each (5 merchant members, 2 supplier members):
  7 in-app notifications written by notify() itself and 7 e-mails, rendered by the worker
  and written by Django's file backend;
- webhooks: events of a merchant with 2 endpoints on a local sink (HTTP/1.1 on loopback,
  answering 200), so 2 signed POSTs per event.
"""

import shutil
import socket
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from celery import Celery
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_noop

from accounts.models import Membership, Organization, OrganizationKind, Role, User
from bench.workers import BenchWorker
from config.broker import broker_settings
from config.celery import app as project_app
from core.tenancy import cross_tenant_scope
from notifications import services
from notifications.events import Event, Recipients, Text
from notifications.models import (
    DeliveryStatus,
    EmailDelivery,
    NotificationEvent,
    WebhookDelivery,
    WebhookEndpoint,
)

MERCHANT_ROLES = [Role.OWNER, Role.MANAGER, Role.AGENT, Role.AGENT, Role.VIEWER]
WEBHOOK_ENDPOINTS = 2
DRAIN_TIMEOUT_SECONDS = 600


class Sink:
    """A webhook receiver on loopback: HTTP/1.1 (connections kept), 200 to every POST."""

    def __init__(self):
        self.received = 0
        sink = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                # Headers and body leave in two writes: without this, Nagle's algorithm
                # holds the second until the client's delayed ACK (40 ms a request).
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                sink.received += 1
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/{path}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _publisher(broker_url: str) -> Celery:
    """A Celery app on the worker's broker, current while the bench publishes."""
    app = Celery(f"bench-{uuid.uuid4().hex[:6]}")
    app.config_from_object("django.conf:settings", namespace="CELERY")
    chosen = broker_settings(broker_url, var_dir=settings.VAR_DIR)
    app.conf.broker_url = broker_url
    app.conf.broker_transport = chosen.transport
    app.conf.broker_transport_options = chosen.transport_options
    app.conf.broker_use_ssl = chosen.use_ssl
    app.set_current()
    app.set_default()
    return app


@contextmanager
def _publishing_to(app: Celery, queue: str):
    app.conf.task_default_queue = queue
    try:
        yield
    finally:
        app.conf.task_default_queue = "celery"


def _people(slug: str, kind: str, roles: list[str], first: int) -> Organization:
    organization, _created = Organization.objects.get_or_create(
        slug=slug, defaults={"kind": kind, "name": slug, "verified": True}
    )
    for number, role in enumerate(roles, start=first):
        user, _created = User.objects.get_or_create(
            email=f"bench-fanout-{number}@example.test",
            defaults={"language": "es" if number % 2 else ""},
        )
        Membership.objects.get_or_create(user=user, organization=organization, role=role)
    return organization


def _world(sink: Sink) -> dict:
    mail_shop = _people("bench-fanout-mail", OrganizationKind.MERCHANT, MERCHANT_ROLES, 0)
    supplier = _people(
        "bench-fanout-supplier", OrganizationKind.SUPPLIER, [Role.ADMIN, Role.AGENT], 5
    )
    hook_shop = _people("bench-fanout-hooks", OrganizationKind.MERCHANT, [], 7)
    with cross_tenant_scope(reason="bench"):
        WebhookEndpoint.cross_tenant_objects.filter(merchant=hook_shop).delete()
        for number in range(WEBHOOK_ENDPOINTS):
            WebhookEndpoint.cross_tenant_objects.create(
                merchant=hook_shop,
                url=sink.url(f"hooks/{number}"),
                events=["*"],
                secret=f"whsec_bench{number}",
            )
    return {"mail_shop": mail_shop, "supplier": supplier, "hook_shop": hook_shop}


def _clean(world: dict) -> None:
    with cross_tenant_scope(reason="bench"):
        NotificationEvent.cross_tenant_objects.filter(
            merchant__in=[world["mail_shop"], world["hook_shop"]]
        ).delete()


def _notify(count: int, *, merchant, recipients, run: str) -> float:
    """`count` events, each in its own transaction (as a domain service writes them); s."""
    started = time.perf_counter()
    for number in range(count):
        with transaction.atomic():
            services.notify(
                event=Event(
                    type="dispute.message",
                    merchant=merchant,
                    dedup_key=f"bench:{run}:{number}",
                    title=Text(gettext_noop("Dispute #%(number)s opened"), {"number": number}),
                    body=Text(gettext_noop("Log out")),
                    url=f"/app/disputes/{number}/",
                    data={"dispute": {"number": number}},
                    recipients=recipients,
                )
            )
    return time.perf_counter() - started


def _sent(model, merchant) -> int:
    with cross_tenant_scope(reason="bench"):
        return model.cross_tenant_objects.filter(
            merchant=merchant, status=DeliveryStatus.SENT
        ).count()


def _wait(condition, what: str) -> None:
    # Every 0.1 s: often enough for drains of seconds, rarely enough not to compete with
    # the worker for the database and with the sink (in this process) for the CPU.
    deadline = time.monotonic() + DRAIN_TIMEOUT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.1)


def run(*, broker_url: str, noops: int, events: int, log) -> list[dict]:
    """The e-mail and webhook fan-out rates and the no-op drain's, in one run."""
    sink = Sink()
    world = _world(sink)
    _clean(world)
    app = _publisher(broker_url)
    queues = {name: f"bench-{name}-{uuid.uuid4().hex[:8]}" for name in ("noop", "mail", "hooks")}
    work = Path(tempfile.mkdtemp(prefix="redress-bench-fanout-"))
    worker = BenchWorker(broker_url=broker_url, email_dir=work / "mail", log=work / "worker.log")
    run_id = uuid.uuid4().hex[:8]
    rows = []
    try:
        worker.start(app)
        # The ceiling: a queue of no-ops, drained.
        with _publishing_to(app, queues["noop"]):
            for _number in range(noops):
                app.send_task("bench.noop")
            marker = work / "drained"
            app.send_task("bench.drained", args=[str(marker)])
        started = time.perf_counter()
        worker.consume(app, queues["noop"])
        _wait(marker.exists, "the no-op drain")
        noop_rate = noops / (time.perf_counter() - started)
        log(f"no-op drain: {noop_rate:,.0f} tasks/s")

        # E-mail: notify() writes the in-app rows and the outbox; the worker sends.
        mail_recipients = (Recipients(world["mail_shop"]), Recipients(world["supplier"]))
        with _publishing_to(app, queues["mail"]):
            notify_seconds = _notify(
                events, merchant=world["mail_shop"], recipients=mail_recipients, run=run_id
            )
        emails = events * (len(MERCHANT_ROLES) + 2)
        started = time.perf_counter()
        worker.consume(app, queues["mail"])
        _wait(lambda: _sent(EmailDelivery, world["mail_shop"]) == emails, "the e-mails")
        email_rate = emails / (time.perf_counter() - started)
        files = sum(1 for _path in (work / "mail").iterdir())
        log(f"e-mail fan-out: {email_rate:,.0f} e-mails/s ({files} files)")
        rows.append(
            _row(
                "notification fan-out: e-mail (file backend)",
                email_rate,
                noop_rate,
                f"{events:,} events x 7 people: {emails:,} e-mails and {emails:,} in-app rows "
                f"(notify(): {events / notify_seconds:,.0f} events/s)",
            )
        )

        # Webhooks: 2 endpoints of one merchant on the local sink.
        with _publishing_to(app, queues["hooks"]):
            _notify(events, merchant=world["hook_shop"], recipients=(), run=run_id)
        hooks = events * WEBHOOK_ENDPOINTS
        started = time.perf_counter()
        worker.consume(app, queues["hooks"])
        _wait(lambda: _sent(WebhookDelivery, world["hook_shop"]) == hooks, "the webhooks")
        hook_rate = hooks / (time.perf_counter() - started)
        assert sink.received == hooks, (sink.received, hooks)
        log(f"webhook fan-out: {hook_rate:,.0f} POSTs/s")
        rows.append(
            _row(
                "notification fan-out: webhooks (local sink)",
                hook_rate,
                noop_rate,
                f"{events:,} events x {WEBHOOK_ENDPOINTS} endpoints: {hooks:,} signed POSTs",
            )
        )
    finally:
        worker.stop()
        for queue in queues.values():
            worker.delete_queue(app, queue)
        project_app.set_current()
        project_app.set_default()
        sink.stop()
        _clean(world)
    # Kept when the run failed: the worker's log says why.
    shutil.rmtree(work, ignore_errors=True)
    return rows


def _row(name: str, rate: float, ceiling: float, note: str) -> dict:
    return {
        "name": name,
        "rows_per_s": rate,
        "ceiling_rows_per_s": ceiling,
        "ceiling_name": "no-op tasks drained by the same worker",
        "ratio_to_ceiling": rate / ceiling,
        "note": note,
    }
