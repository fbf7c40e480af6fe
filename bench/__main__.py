"""One benchmark: `python -m bench [--quick] [--json FILE]` (bench/README.md).

Generates (or completes) the scale data set, starts gunicorn with it, drives each scenario
with wrk from this second process on loopback, measures the ceiling in the same run
(alternately with the scenarios), then the engines against theirs, and prints one table.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/redress_bench")

import django
import psycopg2

SIZES = {
    # merchants, orders per merchant, disputes per merchant, sweep pending, sweep due, import
    # lines, no-op tasks drained, notification events fanned out
    "quick": (1, 100_000, 10_000, 100_000, 10_000, 20_000, 2_000, 300),
    "full": (10, 1_000_000, 100_000, 1_000_000, 100_000, 100_000, 5_000, 1_000),
}


def _database_exists_or_create(url: str) -> None:
    name = url.rsplit("/", 1)[-1]
    server = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    server.autocommit = True
    with server.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    server.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one merchant, 100,000 orders")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--seconds", type=int, help="wrk duration per run (quick 5, full 15)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--only",
        action="append",
        metavar="WORDS",
        help=(
            "run only the scenarios whose name contains these words (case ignored); "
            "repeat or separate by commas: --only 'disputes/,inbox' --only sweep"
        ),
    )
    parser.add_argument(
        "--broker",
        default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        help="the fan-out worker's broker: redis://… (default REDIS_URL) or amqp://…",
    )
    options = parser.parse_args()
    if not os.environ["DATABASE_URL"].startswith("postgres"):
        sys.exit("The bench measures Postgres: DATABASE_URL must be a postgres:// URL.")
    _database_exists_or_create(os.environ["DATABASE_URL"])
    django.setup()
    from bench import scenarios

    mode = "quick" if options.quick else "full"
    report = scenarios.run(
        sizes=SIZES[mode],
        seconds=options.seconds or (5 if options.quick else 15),
        connections=options.connections,
        workers=options.workers,
        port=options.port,
        only=[word.strip() for words in options.only or () for word in words.split(",") if word],
        broker_url=options.broker,
        log=lambda line: print(f"[{time.strftime('%H:%M:%S')}] {line}", flush=True),
    )
    report["mode"] = mode
    print()
    print(scenarios.table(report))
    if options.json:
        options.json.write_text(json.dumps(report, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
