"""The engines against their own ceilings, in this process (as a worker runs them):

- the deadline sweep against a raw `FOR UPDATE SKIP LOCKED` batch-update loop over the
  same rows;
- the CSV import against COPY of the same orders and lines.
"""

import csv
import gc
import json
import random
import resource
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files import File
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from accounts.actors import Actor
from accounts.models import Membership, Organization, OrganizationKind, Role
from core.tenancy import cross_tenant_scope, organization_scope
from deadlines import registry, services
from deadlines.models import Deadline, DeadlineState
from deadlines.rule_definitions import Number, Rule, Unit
from disputes.scale_data import CopyTable, uuid7_text
from orders import services as order_services
from orders.csv_format import COLUMNS
from orders.models import Order, OrderLine

NOOP_RULE = "bench.noop"
NOOP_BATCH_RULE = "bench.noop-batch"
BATCH = 500
SWEEP_NOW = datetime(2000, 1, 15, tzinfo=UTC)


def _noop(deadline) -> None:
    """An action with nothing to do: what is measured is the engine."""


def _noop_batch(deadlines) -> None:
    """The same for a batch."""


def _register_rules() -> None:
    numbers = (Number("after_hours", "After", Unit.HOURS, 1),)
    registry.register_rule(
        Rule(code=NOOP_RULE, label="No-op", numbers=numbers, action=_noop), replace=True
    )
    registry.register_rule(
        Rule(
            code=NOOP_BATCH_RULE,
            label="No-op in batches",
            numbers=numbers,
            action=_noop,
            batch_action=_noop_batch,
        ),
        replace=True,
    )


def _bench_merchant() -> Organization:
    merchant, _created = Organization.objects.get_or_create(
        slug="bench-deadlines", defaults={"kind": OrganizationKind.MERCHANT, "name": "Bench"}
    )
    return merchant


def _write_deadlines(*, merchant, rule: str, pending: int, due: int, now) -> None:
    """`pending` rows, the first `due` of them due at `now`, the rest a day or more later.

    `now` lies in the year 2000, before any row of the scale data, so that the sweep and
    the raw loop meet only these rows; and rows written after `now` never fall due during
    the sweep, so the count checks hold however long the writing takes.
    """
    subject_type = ContentType.objects.get_for_model(Organization).pk
    settings_json = json.dumps({"enabled": True, "numbers": {"after_hours": 1}, "options": {}})
    columns = ["id", "merchant_id", "rule", "subject_type_id", "subject_id", "key"]
    columns += ["state", "due_at", "run_at", "country", "settings", "created_at"]
    with connection.cursor() as cursor:
        for start in range(0, pending, 100_000):
            table = CopyTable(Deadline, columns)
            for number in range(start, min(start + 100_000, pending)):
                if number < due:
                    moment = now - timedelta(seconds=number % 86_400 + 1)
                else:
                    moment = now + timedelta(days=1, seconds=number % (30 * 86_400))
                table.add(
                    str(uuid.uuid4()),
                    merchant.pk,
                    rule,
                    subject_type,
                    str(merchant.pk),
                    str(number),
                    DeadlineState.PENDING,
                    moment,
                    moment,
                    "US",
                    settings_json,
                    now,
                )
            table.flush(cursor.cursor)
        cursor.execute(f"ANALYZE {Deadline._meta.db_table}")


def _raw_skip_locked_loop(*, merchant, now) -> int:
    """The ceiling: claim and mark batches with one statement each, nothing else."""
    table = Deadline._meta.db_table
    total = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET state = 'fired', fired_at = now() WHERE id IN ("  # noqa: S608
                f"SELECT id FROM {table} WHERE state = 'pending' AND run_at <= %s "
                "ORDER BY run_at LIMIT %s FOR UPDATE SKIP LOCKED) RETURNING id",
                [now, BATCH],
            )
            claimed = len(cursor.fetchall())
        total += claimed
        if claimed < BATCH:
            return total


def sweep(*, pending: int, due: int, log) -> list[dict]:
    """Sweep rates (row actions, batch action) and the raw loop's, over the same rows."""
    _register_rules()
    merchant = _bench_merchant()
    results = []
    try:
        with cross_tenant_scope(reason="bench"):
            for rule in (NOOP_RULE, NOOP_BATCH_RULE):
                Deadline.objects.filter(merchant=merchant).delete()
                now = SWEEP_NOW
                _write_deadlines(merchant=merchant, rule=rule, pending=pending, due=due, now=now)
                started = time.perf_counter()
                fired = services.deadline_sweep(batch_size=BATCH, now=now)
                seconds = time.perf_counter() - started
                assert fired == due, (fired, due)
                # The same rows again, for the ceiling.
                Deadline.objects.filter(merchant=merchant, state=DeadlineState.FIRED).update(
                    state=DeadlineState.PENDING, fired_at=None
                )
                started = time.perf_counter()
                raw = _raw_skip_locked_loop(merchant=merchant, now=now)
                raw_seconds = time.perf_counter() - started
                assert raw == due, (raw, due)
                name = "deadline sweep, " + ("row actions" if rule == NOOP_RULE else "batch action")
                results.append(
                    {
                        "name": name,
                        "rows_per_s": fired / seconds,
                        "ceiling_rows_per_s": raw / raw_seconds,
                        "ratio_to_ceiling": (fired / seconds) / (raw / raw_seconds),
                        "note": f"{due:,} due among {pending:,} pending",
                    }
                )
                log(f"{name}: {fired / seconds:,.0f}/s against {raw / raw_seconds:,.0f}/s raw")
    finally:
        with cross_tenant_scope(reason="bench"):
            Deadline.objects.filter(merchant=merchant).delete()
    return results


def _rss_mb() -> float:
    """This process's resident memory now (Linux), in MB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 1024 / 1024


class _PeakMemory(threading.Thread):
    """Samples the resident memory every 20 ms: the peak above the level before."""

    def __init__(self):
        super().__init__(daemon=True)
        self.before = self.peak = _rss_mb()
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.02):
            self.peak = max(self.peak, _rss_mb())

    def __enter__(self) -> "_PeakMemory":
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stopped.set()
        self.join()
        self.peak = max(self.peak, _rss_mb())

    @property
    def growth_mb(self) -> float:
        return self.peak - self.before


def csv_import(*, lines: int, merchant_slug: str, supplier_slug: str, log) -> dict:
    """CSV import of `lines` lines (two per order) against COPY of the same rows, and the
    import's memory at a fifth of that size and at the full size: constant when streamed."""
    # A first small import loads what any import needs once (code, caches, connections).
    _import(lines=1_000, merchant_slug=merchant_slug, supplier_slug=supplier_slug)
    small = _import(lines=lines // 5, merchant_slug=merchant_slug, supplier_slug=supplier_slug)
    full = _import(lines=lines, merchant_slug=merchant_slug, supplier_slug=supplier_slug)
    rate, ceiling = lines / full["seconds"], lines / full["copy_seconds"]
    log(
        f"CSV import: {rate:,.0f} lines/s against {ceiling:,.0f}/s by COPY; memory peak "
        f"+{small['memory_mb']:.1f} MB for {lines // 5:,} lines, +{full['memory_mb']:.1f} MB "
        f"for {lines:,}"
    )
    return {
        "name": f"CSV import, {lines:,} lines",
        "rows_per_s": rate,
        "ceiling_rows_per_s": ceiling,
        "ratio_to_ceiling": rate / ceiling,
        "memory_peak_mb": {str(lines // 5): small["memory_mb"], str(lines): full["memory_mb"]},
        "note": (
            f"resident memory peak +{small['memory_mb']:.1f} MB at {lines // 5:,} lines, "
            f"+{full['memory_mb']:.1f} MB at {lines:,}"
        ),
    }


def _import(*, lines: int, merchant_slug: str, supplier_slug: str) -> dict:
    """One import of `lines` lines and one COPY of as many: seconds and memory growth."""
    merchant = Organization.objects.get(slug=merchant_slug)
    supplier = Organization.objects.get(slug=supplier_slug)
    owner = Membership.objects.select_related("user").get(organization=merchant, role=Role.OWNER)
    actor = Actor.member(user=owner.user, organization=merchant, role=Role.OWNER)
    run = timezone.now().strftime("%H%M%S%f")
    placed = timezone.now() - timedelta(days=30)
    with tempfile.TemporaryDirectory(prefix="redress-bench-") as work:
        path = Path(work) / "orders.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\r\n")
            writer.writeheader()
            for number in range(lines):
                writer.writerow(_csv_row(f"IMP-{run}-{number // 2:07d}", number, placed, supplier))
        storage = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": work},
            },
        }
        with override_settings(STORAGES=storage), organization_scope(merchant):
            with path.open("rb") as handle:
                job = order_services.order_import_start(
                    actor=actor, file=File(handle, name="orders.csv")
                )
            gc.collect()
            with _PeakMemory() as memory:
                started = time.perf_counter()
                job = order_services.order_import_run(order_import=job)
                seconds = time.perf_counter() - started
        assert job.status == "done", job.errors[:3]
        assert job.error_count == 0, job.errors[:3]
    copy_seconds = _copy_orders(merchant=merchant, supplier=supplier, lines=lines, run=run)
    with cross_tenant_scope(reason="bench"):
        for prefix in (f"IMP-{run}-", f"CPY-{run}-"):
            orders = Order.objects.filter(merchant=merchant, external_id__startswith=prefix)
            OrderLine.objects.filter(order__in=orders).delete()
            orders.delete()
    return {"seconds": seconds, "copy_seconds": copy_seconds, "memory_mb": memory.growth_mb}


def _csv_row(external_id: str, number: int, placed, supplier) -> dict:
    return {
        "external_id": external_id,
        "placed_at": (placed + timedelta(seconds=number)).isoformat(),
        "currency": "USD",
        "customer_name": f"Customer {number // 2}",
        "customer_email": f"customer{number // 2}@example.test",
        "ship_line1": "1 Main Street",
        "ship_line2": "",
        "ship_city": "Springfield",
        "ship_region": "",
        "ship_postal_code": "12345",
        "ship_country": "US",
        "sku": f"SKU-{number % 2}",
        "title": "Imported product",
        "variant": "",
        "quantity": "1",
        "unit_price": "12.50",
        "supplier": supplier.slug,
    }


def _copy_orders(*, merchant, supplier, lines: int, run: str) -> float:
    """Seconds to COPY the same orders and lines (the ceiling of the import)."""
    now = timezone.now()
    started = time.perf_counter()
    orders = CopyTable(
        Order,
        [
            *("id", "merchant_id", "external_id", "placed_at", "currency", "total"),
            *("customer_name", "customer_email", "ship_line1", "ship_city", "ship_postal_code"),
            *("ship_country", "status", "created_at", "updated_at"),
        ],
    )
    order_lines = CopyTable(
        OrderLine,
        [
            *("id", "merchant_id", "order_id", "supplier_id", "sku", "title", "variant"),
            *("quantity", "unit_price", "placed_at"),
        ],
    )
    random_source = random.Random(1)
    order_id = None
    for number in range(lines):
        if number % 2 == 0:
            order_id = uuid7_text(now, random_source)
            orders.add(
                order_id, merchant.pk, f"CPY-{run}-{number // 2:07d}", now, "USD", "25.00",
                f"Customer {number // 2}", f"customer{number // 2}@example.test",
                "1 Main Street", "Springfield", "12345", "US", "unshipped", now, now,
            )  # fmt: skip
        order_lines.add(
            uuid7_text(now, random_source), merchant.pk, order_id, supplier.pk,
            f"SKU-{number % 2}", "Imported product", "", 1, "12.50", now,
        )  # fmt: skip
    with transaction.atomic(), connection.cursor() as cursor:
        orders.flush(cursor.cursor)
        order_lines.flush(cursor.cursor)
    return time.perf_counter() - started
