"""Shared start-up for benchmarks: Django on Postgres, and small timing helpers."""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/redress_bench")
# The login throttle protects people, not benchmarks.
os.environ.setdefault("AUTH_THROTTLE_RATE", "1000000/min")

import django
import psycopg2
from django.conf import settings


def _create_database_if_missing() -> None:
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        sys.exit("Benchmarks measure Postgres: set DATABASE_URL to a postgres:// URL.")
    server = psycopg2.connect(
        host=database["HOST"],
        port=database["PORT"] or 5432,
        user=database["USER"],
        password=database["PASSWORD"] or None,
        dbname="postgres",
    )
    server.autocommit = True
    with server.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{database["NAME"]}"')
    server.close()


_create_database_if_missing()
django.setup()


def timed(function, repeat: int) -> list[float]:
    """Milliseconds per call, one figure per call."""
    figures = []
    for _call in range(repeat):
        started = time.perf_counter()
        function()
        figures.append((time.perf_counter() - started) * 1000)
    return figures


def summary(figures: list[float]) -> str:
    ordered = sorted(figures)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"p50 {statistics.median(ordered):.2f} ms, p95 {p95:.2f} ms, n={len(ordered)}"
