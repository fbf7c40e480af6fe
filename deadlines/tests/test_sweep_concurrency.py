"""Several sweeps at once against real Postgres: SKIP LOCKED shares rows, none fires twice."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from deadlines import services
from deadlines.models import Deadline, DeadlineState

ROWS = 300


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_fire_each_deadline_exactly_once(world, test_rules, monkeypatch):
    # Given 300 due deadlines whose action takes a little time, so the sweeps overlap
    monkeypatch.setenv("TEST_DEADLINE_ACTION_SECONDS", "0.003")
    subject = world.users["acme_agent"]
    now = timezone.now()
    for number in range(ROWS):
        services.deadline_schedule(
            merchant=world.acme, rule=test_rules.TOUCH, subject=subject, key=str(number), due_at=now
        )
    start = threading.Barrier(2)
    fired_by_thread: list[int] = []
    errors: list[BaseException] = []

    def sweep():
        try:
            start.wait()
            fired_by_thread.append(services.deadline_sweep(batch_size=20, now=now))
        except BaseException as error:  # surfaced in the main thread below
            errors.append(error)
        finally:
            connection.close()

    # When two sweeps run at the same time
    threads = [threading.Thread(target=sweep) for _number in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Then every deadline fired, exactly once, and both sweeps did part of the work
    assert errors == []
    assert sum(fired_by_thread) == ROWS
    assert min(fired_by_thread) > 0
    counts = test_rules.fired_counts()
    assert len(counts) == ROWS
    assert set(counts.values()) == {1}
    assert Deadline.cross_tenant_objects.filter(state=DeadlineState.FIRED).count() == ROWS
