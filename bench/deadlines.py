"""Deadline sweep rate: a million pending deadlines, a hundred thousand of them due.

.venv/bin/python bench/deadlines.py [--pending 1000000] [--due 100000] [--sweepers 1]

Rows are written with COPY (a no-op test rule, one merchant), then one sweep per sweeper
thread runs until nothing is due; the figure is deadlines fired per second, each in its
own savepoint and marked fired, exactly as the beat's sweep does it.
"""

import argparse
import io
import json
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

from _setup import settings  # noqa: F401 — Django is set up on import
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection

from accounts.models import Organization, OrganizationKind, User
from deadlines import registry, services
from deadlines.models import Deadline, DeadlineState
from deadlines.rule_definitions import Number, Rule, Unit

RULE = "bench.noop"
CHUNK = 100_000


def write_rows(*, merchant, subject, pending: int, due: int, now) -> None:
    content_type = ContentType.objects.get_for_model(User).pk
    settings_json = json.dumps({"enabled": True, "numbers": {"after_hours": 1}, "options": {}})
    columns = (
        "id, merchant_id, rule, subject_type_id, subject_id, key, state, due_at, run_at, "
        "country, settings, created_at, attempts, last_error"
    )
    with connection.cursor() as cursor:
        for start in range(0, pending, CHUNK):
            buffer = io.StringIO()
            for number in range(start, min(start + CHUNK, pending)):
                # Due rows spread over the day before `now`; the rest over thirty days from a
                # day after it, so that none falls due while the rows are being written.
                if number < due:
                    moment = now - timedelta(seconds=(number * 7919) % 86_400 + 1)
                else:
                    moment = now + timedelta(days=1, seconds=(number * 7919) % (30 * 86_400))
                stamp = moment.isoformat()
                buffer.write(
                    f"{uuid.uuid4()}\t{merchant.pk}\t{RULE}\t{content_type}\t{subject.pk}\t"
                    f"{number}\tpending\t{stamp}\t{stamp}\tUS\t{settings_json}\t"
                    f"{now.isoformat()}\t0\t\n"
                )
            buffer.seek(0)
            cursor.cursor.copy_expert(f"COPY deadlines_deadline ({columns}) FROM STDIN", buffer)
        cursor.execute("ANALYZE deadlines_deadline")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pending", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=100_000)
    parser.add_argument("--sweepers", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=500)
    arguments = parser.parse_args()
    call_command("migrate", verbosity=0)
    registry.register_rule(
        Rule(
            code=RULE,
            label="No-op",
            numbers=(Number("after_hours", "After", Unit.HOURS, 1),),
            action=lambda deadline: None,
        )
    )
    merchant, _created = Organization.objects.get_or_create(
        slug="bench-deadlines", defaults={"kind": OrganizationKind.MERCHANT, "name": "Bench"}
    )
    subject, _created = User.objects.get_or_create(email="bench-deadlines@example.test")
    Deadline.cross_tenant_objects.filter(merchant=merchant).delete()

    # One `now` for writing and sweeping, in the year 2000 before any other row of the
    # database: the sweep fires exactly the rows written as due, and nothing else.
    now = datetime(2000, 1, 15, tzinfo=UTC)
    started = time.perf_counter()
    write_rows(
        merchant=merchant, subject=subject, pending=arguments.pending, due=arguments.due, now=now
    )
    print(
        f"wrote {arguments.pending:,} pending deadlines ({arguments.due:,} due) "
        f"in {time.perf_counter() - started:.1f} s"
    )

    fired: list[int] = []

    def sweep():
        try:
            fired.append(services.deadline_sweep(batch_size=arguments.batch_size, now=now))
        finally:
            connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=sweep) for _sweeper in range(arguments.sweepers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    total = sum(fired)
    assert total == arguments.due, (total, arguments.due)
    left = Deadline.cross_tenant_objects.filter(
        merchant=merchant, state=DeadlineState.PENDING, run_at__lte=now
    ).count()
    assert left == 0
    print(
        f"sweep: {total:,} fired in {elapsed:.1f} s with {arguments.sweepers} sweeper(s), "
        f"batch {arguments.batch_size}: {total / elapsed:,.0f} deadlines/s"
    )
    Deadline.cross_tenant_objects.filter(merchant=merchant).delete()
    subject.delete()
    merchant.delete()


if __name__ == "__main__":
    main()
