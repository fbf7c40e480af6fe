"""List and insights requests against a real streaming replica (run by test_replica.py).

Not collected by a plain test run (the file name does not start with test_): it needs
DATABASE_URL to be a primary and DATABASE_REPLICA_URL its hot standby, which
test_replica.py starts and then runs this module with. Replay on the replica is paused at
moments, so that what a request shows tells where it read: a row the replica has not
replayed yet is seen only by a request that reads from the primary.
"""

import os
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.replicas import LAG_SQL, REPLICA, forget_lag
from disputes.tests.conftest import Disputes

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])

DISPUTES = "/api/v1/disputes/"
OVERVIEW = "/api/v1/analytics/overview/"


@pytest.fixture(autouse=True)
def replica():
    """The `replica` alias on the real standby (the test setup made it a mirror of the
    primary's test database, which the standby replays under the same name)."""
    address = urlsplit(os.environ["DATABASE_REPLICA_URL"])
    alias = connections[REPLICA]
    alias.close()
    alias.settings_dict = {
        **connections["default"].settings_dict,
        "HOST": address.hostname,
        "PORT": str(address.port),
    }
    forget_lag()
    yield alias
    replay(resume=True)
    alias.close()


def scalar(alias: str, sql: str, params=()):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def caught_up() -> None:
    """Wait until the replica has replayed everything the primary has written so far
    (the insert position: a commit that did not wait for the disk counts too)."""
    target = scalar("default", "SELECT pg_current_wal_insert_lsn()::text")
    deadline = time.monotonic() + 30
    while not scalar(REPLICA, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]):
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.02)


def replay(*, resume: bool) -> None:
    scalar(REPLICA, f"SELECT pg_wal_replay_{'resume' if resume else 'pause'}()::text")


def dispute_ids(response) -> set[str]:
    assert response.status_code == 200, response.content[:500]
    return {row["id"] for row in response.json()["results"]}


def test_the_replica_is_a_hot_standby_of_the_primary():
    assert scalar(REPLICA, "SELECT pg_is_in_recovery()") is True
    assert scalar("default", "SELECT pg_is_in_recovery()") is False
    assert (
        connections[REPLICA].settings_dict["PORT"] != connections["default"].settings_dict["PORT"]
    )


def test_lists_read_on_the_replica_and_whoever_wrote_reads_the_primary(world):
    disputes = Disputes(world)
    first = disputes.open("acme_agent")
    caught_up()
    reader, writer = world.client("acme_viewer"), world.client("acme_agent")

    # Replay stops: what the primary writes now, the replica does not have.
    replay(resume=False)
    order = disputes.order()
    line = disputes.lines(order)[0]
    opened = writer.post(
        DISPUTES,
        {
            "order": str(order.pk),
            "lines": [str(line.pk)],
            "kind": "problem",
            "reason": "not_received",
            "description": "Never came.",
        },
        format="json",
    )
    assert opened.status_code == 201, opened.content[:500]
    second = opened.json()["id"]

    # A reader is served by the replica: the list as it was, and not one query on the primary.
    with (
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        assert dispute_ids(reader.get(DISPUTES)) == {str(first.pk)}
    assert any('"disputes_dispute"' in query["sql"] for query in on_replica.captured_queries)
    assert not any('"disputes_dispute"' in query["sql"] for query in on_primary.captured_queries)

    # The client that wrote reads its write (the primary), the next requests too.
    for _request in range(2):
        with CaptureQueriesContext(connections[REPLICA]) as on_replica:
            assert dispute_ids(writer.get(DISPUTES)) == {str(first.pk), second}
        assert on_replica.captured_queries == []

    # Once replayed, the replica shows it to everyone.
    replay(resume=True)
    caught_up()
    assert dispute_ids(reader.get(DISPUTES)) == {str(first.pk), second}


def test_order_lists_of_merchant_and_supplier_read_on_the_replica(world):
    disputes = Disputes(world)
    disputes.order()
    caught_up()
    replay(resume=False)
    disputes.order()  # not replayed: invisible to the readers below
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        merchant = world.client("acme_viewer").get("/api/v1/orders/")
        supplier = world.client("shenzhen_admin").get("/api/v1/orders/")
    for answer in (merchant, supplier):
        assert answer.status_code == 200, answer.content[:500]
        assert len(answer.json()["results"]) == 1
    assert any('"orders_order"' in query["sql"] for query in on_replica.captured_queries)
    replay(resume=True)
    caught_up()
    assert len(world.client("shenzhen_admin").get("/api/v1/orders/").json()["results"]) == 2


def test_insights_read_on_the_replica(world):
    disputes = Disputes(world)
    disputes.open("acme_agent")
    caught_up()
    today = timezone.localdate()
    period = {"from": (today - timedelta(days=1)).isoformat(), "to": today.isoformat()}
    reader = world.client("acme_owner")
    replay(resume=False)
    disputes.open("acme_agent")
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        stale = reader.get(OVERVIEW, period)
    assert stale.status_code == 200, stale.content[:500]
    assert stale.json()["disputes_opened"] == 1
    assert len(on_replica.captured_queries) >= 3
    replay(resume=True)
    caught_up()
    assert reader.get(OVERVIEW, period).json()["disputes_opened"] == 2


def test_a_replica_too_far_behind_is_left_alone_until_it_catches_up(world, settings):
    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 0.3
    disputes = Disputes(world)
    disputes.order()
    caught_up()
    replay(resume=False)
    disputes.order()
    deadline = time.monotonic() + 10
    while float(scalar(REPLICA, LAG_SQL)) <= 0.5:
        assert time.monotonic() < deadline, "the replica did not fall behind"
        time.sleep(0.05)
    forget_lag()
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        orders = world.client("acme_viewer").get("/api/v1/orders/")
    assert len(orders.json()["results"]) == 2  # the primary's
    assert not any('"orders_order"' in query["sql"] for query in on_replica.captured_queries)
    replay(resume=True)
    caught_up()
    forget_lag()
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        orders = world.client("acme_viewer").get("/api/v1/orders/")
    assert len(orders.json()["results"]) == 2
    assert any('"orders_order"' in query["sql"] for query in on_replica.captured_queries)
