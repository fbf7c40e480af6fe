"""Reads on a real Postgres streaming replica: a throwaway primary and its hot standby
(pg_clusters.py), and the list and insights checks (replica_checks.py) run against them in
a pytest of their own, whose settings name the replica (`DATABASE_REPLICA_URL`).

A second pytest because Django reads its databases when it starts: this one's test
database lives on the shared server, which allows no replication.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from core import replicas
from core.replicas import REPLICA, ReplicaRouter, on_replica, read_alias, replica_reads
from core.tests.pg_clusters import Clusters, postgres_bindir
from disputes.models import Dispute

BINDIR = postgres_bindir()
CHECKS = Path(__file__).with_name("replica_checks.py")
CHECKS_DATABASE = "test_replica_checks"


@pytest.mark.skipif(BINDIR is None, reason="the Postgres server binaries are not installed")
def test_lists_and_insights_read_on_a_real_streaming_replica(db):
    assert connection.settings_dict["NAME"].startswith("test_")
    clusters = Clusters(BINDIR)
    try:
        clusters.start()
        # This run's test database, migrated, copied to the primary (and so to the replica).
        clusters.copy_database(connection.settings_dict, CHECKS_DATABASE)
        env = {
            **os.environ,
            "DATABASE_URL": clusters.url(clusters.primary_port, "postgres"),
            # The throwaway cluster has one user (its superuser): the owner there too.
            "DATABASE_OWNER_URL": clusters.url(clusters.primary_port, "postgres"),
            "DATABASE_REPLICA_URL": clusters.url(clusters.replica_port, "postgres"),
            "TEST_DATABASE_NAME": CHECKS_DATABASE,
            # The checks pause replay for a few seconds: that lag is what they look at.
            "DATABASE_REPLICA_MAX_LAG_SECONDS": "300",
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
        }
        env.pop("PYTEST_XDIST_WORKER", None)
        answer = subprocess.run(
            [sys.executable, "-m", "pytest", str(CHECKS), "-p", "no:xdist", "--reuse-db", "-q"],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
        )
    finally:
        logs = clusters.logs()
        clusters.stop()
    report = answer.stdout[-6000:] + answer.stderr[-3000:]
    assert answer.returncode == 0, report + logs
    assert "5 passed" in answer.stdout, report


def test_without_a_replica_every_read_is_on_the_primary():
    assert REPLICA not in settings.DATABASES
    assert read_alias() == "default"
    with replica_reads():
        assert ReplicaRouter().db_for_read(Dispute) == "default"
    assert on_replica(Dispute.cross_tenant_objects.all()).db == "default"


def test_the_router_writes_and_migrates_only_on_the_primary():
    router = ReplicaRouter()
    assert router.db_for_write(Dispute, instance=Dispute(pk=None)) == "default"
    assert router.allow_migrate("default", "disputes")
    assert not router.allow_migrate(REPLICA, "disputes")
    assert router.db_for_read(Dispute) is None  # unmarked reads: where their instance lives


@pytest.mark.parametrize(
    ("sql", "writes"),
    [
        ('INSERT INTO "disputes_dispute" ("id") VALUES (%s)', True),
        ('UPDATE "orders_order" SET "status" = %s', True),
        ('DELETE FROM "orders_orderline" WHERE "id" IN (%s)', True),
        ('SELECT "id" FROM "disputes_dispute" WHERE "id" = %s FOR UPDATE', True),
        ('SELECT "id" FROM "disputes_dispute" WHERE "id" = %s', False),
        # Bookkeeping no list reads back: a token's last use, the session row.
        ('UPDATE "accounts_apitoken" SET "last_used_at" = %s WHERE "id" = %s', False),
        ('UPDATE "django_session" SET "session_data" = %s', False),
    ],
)
def test_what_counts_as_a_write_of_the_client(sql, writes):
    assert replicas._is_write(sql) is writes
