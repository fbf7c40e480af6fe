"""Insights bench: server time of the analytics endpoints on a large merchant.

    DATABASE_URL=postgres://…/scale .venv/bin/python bench/insights.py --merchant scale-m0 \\
        --supplier scale-shenzhen

Reads a database that already holds the scale data set (`manage.py generate_scale_data
--orders-per-merchant 1000000 --disputes-per-merchant 100000`); writes nothing but one API
token per organization, revoked at the end. Each endpoint is called through Django's test
client (URLs, authentication, tenant scope, rendering: the server's whole share of a call),
a few times after one warm-up call; the median and the worst are printed.

The supplier figures read the daily summary that Celery beat keeps; `--refresh-summary`
brings it up to date first, as beat would (the first run counts every day: minutes).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

from accounts.models import Membership  # noqa: E402
from accounts.services import api_token_create, api_token_revoke  # noqa: E402
from insights import services  # noqa: E402

MERCHANT_CALLS = [
    "/api/v1/analytics/overview/",
    "/api/v1/analytics/suppliers/",
    "/api/v1/analytics/products/",
]
SUPPLIER_CALLS = ["/api/v1/analytics/scorecard/"]


def measure(client: Client, path: str, runs: int) -> tuple[float, float]:
    assert client.get(path).status_code == 200, path  # warm-up (and a check)
    times = []
    for _run in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, path
    return statistics.median(times), max(times)


def client_for(slug: str):
    membership = (
        Membership.objects.select_related("user", "organization")
        .filter(organization__slug=slug)
        .first()
    )
    if membership is None:
        sys.exit(f"No member of {slug}: generate the scale data first.")
    token, key = api_token_create(user=membership.user, organization=membership.organization)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_HOST="127.0.0.1"), token


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--merchant", default="scale-m0")
    parser.add_argument("--supplier", default="scale-shenzhen")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="", help="measure only paths containing this")
    parser.add_argument("--refresh-summary", action="store_true")
    arguments = parser.parse_args()
    if arguments.refresh_summary:
        started = time.perf_counter()
        services.supplier_days_refresh()
        print(f"summary refreshed in {time.perf_counter() - started:.1f} s")
    for slug, paths in ((arguments.merchant, MERCHANT_CALLS), (arguments.supplier, SUPPLIER_CALLS)):
        client, token = client_for(slug)
        try:
            for path in (p for p in paths if arguments.only in p):
                median, worst = measure(client, path, arguments.runs)
                print(f"{slug:16} {path:34} median {median:7.1f} ms   worst {worst:7.1f} ms")
        finally:
            api_token_revoke(token=token)


if __name__ == "__main__":
    main()
