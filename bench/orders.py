"""Orders bench: CSV import rate, bulk-upsert rate and list latency for one merchant.

    .venv/bin/python bench/orders.py --orders 100000

Runs against PostgreSQL (DATABASE_URL, default the test settings' server) in a throwaway
database that it creates, migrates and drops again, with a throwaway merchant and supplier;
the CSV file and the stored upload live in a temporary folder that is removed at the end.
The import runs the service in this process (as a worker would, without the broker), so the
rate is the import's own; the list is called through Django's test client with a token.
"""

import argparse
import csv
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/redress")

FIRST_NAMES = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia"]
LAST_NAMES = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Perlman"]
COUNTRIES = ["US"] * 7 + ["CA", "GB", "DE", "AU"]


def order_rows(external_id: str, placed_at: datetime, rng: random.Random, supplier: str):
    """The CSV rows (one per line) of one generated order."""
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    header = {
        "external_id": external_id,
        "placed_at": placed_at.isoformat(),
        "currency": "USD",
        "customer_name": f"{first} {last}",
        "customer_email": f"{first}.{last}.{external_id}@example.test".lower(),
        "ship_line1": f"{rng.randint(1, 999)} Main Street",
        "ship_line2": "",
        "ship_city": "Springfield",
        "ship_region": "",
        "ship_postal_code": f"{rng.randint(10000, 99999)}",
        "ship_country": rng.choice(COUNTRIES),
    }
    for position in range(rng.choice((1, 1, 2, 3))):
        yield {
            **header,
            "sku": f"SKU-{rng.randint(1, 5000)}-{position}",
            "title": "Generated product",
            "variant": rng.choice(["", "S", "M", "L"]),
            "quantity": str(rng.randint(1, 4)),
            "unit_price": f"{rng.randint(100, 20000) / 100:.2f}",
            "supplier": supplier,
        }


def body_of(rows: list[dict]) -> dict:
    from orders.csv_format import rows_to_body

    return rows_to_body(rows)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=10_000, help="orders to generate")
    parser.add_argument("--requests", type=int, default=100, help="requests per list case")
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.urls import get_resolver

    # Fail now, not after the slow part, if the URL configuration does not load.
    get_resolver().resolve("/api/v1/orders/")

    work = Path(tempfile.mkdtemp(prefix="redress-bench-"))
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(work / "media")},
        },
    }
    connection.settings_dict["TEST"]["NAME"] = os.environ.get(
        "BENCH_DATABASE_NAME", "bench_redress_orders"
    )
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        run(options, work)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        for path in sorted(work.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        work.rmdir()
    return 0


def run(options, work: Path) -> None:
    from django.core.files import File
    from django.db import connection
    from rest_framework.test import APIClient

    from accounts.actors import Actor
    from accounts.models import Membership, Organization, OrganizationKind, Role, User
    from accounts.tests.factories import token_for
    from core.tenancy import organization_scope
    from orders import services
    from orders.csv_format import COLUMNS
    from orders.models import Order
    from orders.services.orders import MAX_BULK_ORDERS
    from suppliers.services import supplier_link_create

    rng = random.Random(options.seed)
    n = options.orders
    merchant = Organization.objects.create(
        kind=OrganizationKind.MERCHANT, slug="bench-merchant", name="Bench", country="US"
    )
    supplier = Organization.objects.create(
        kind=OrganizationKind.SUPPLIER, slug="bench-supplier", name="Bench Supply", verified=True
    )
    supplier_link_create(merchant=merchant, supplier=supplier)
    user = User.objects.create_user("bench@example.test", "bench-password-1")
    Membership.objects.create(user=user, organization=merchant, role=Role.OWNER)
    actor = Actor.member(user=user, organization=merchant, role=Role.OWNER)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    print(f"Orders bench: N = {n:,} orders per run, PostgreSQL {connection.pg_version}")

    # 1. CSV import
    path = work / "orders.csv"
    rows = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        for i in range(n):
            placed_at = start + timedelta(seconds=i * 97)
            for row in order_rows(f"C-{i:07d}", placed_at, rng, supplier.slug):
                writer.writerow(row)
                rows += 1
    size_mb = path.stat().st_size / 1024 / 1024
    rss_before = max_rss_mb()
    with path.open("rb") as handle:
        job = services.order_import_start(actor=actor, file=File(handle, name="orders.csv"))
    began = time.perf_counter()
    job = services.order_import_run(order_import=job)
    seconds = time.perf_counter() - began
    assert job.status == "done", job.errors[:3]
    assert job.created == n, (job.created, job.error_count, job.errors[:3])
    print(
        f"CSV import     {rows:,} rows ({size_mb:.1f} MB), {n:,} orders in {seconds:.1f} s: "
        f"{rows / seconds:,.0f} rows/s, {n / seconds:,.0f} orders/s; "
        f"peak RSS grew {max_rss_mb() - rss_before:.0f} MB"
    )

    # 2. Bulk upsert, in calls of 1,000 orders: new orders, then the same orders again.
    bodies = [
        body_of(
            list(
                order_rows(f"B-{i:07d}", start + timedelta(seconds=i * 97 + 13), rng, supplier.slug)
            )
        )
        for i in range(n)
    ]
    for label in ("create", "re-send"):
        began = time.perf_counter()
        created = updated = 0
        for offset in range(0, n, MAX_BULK_ORDERS):
            result = services.order_bulk_upsert(
                actor=actor, orders=bodies[offset : offset + MAX_BULK_ORDERS]
            )
            assert not result.errors, result.errors[:3]
            created, updated = created + result.created, updated + result.updated
        seconds = time.perf_counter() - began
        print(
            f"Bulk upsert    {label:8} {n:,} orders in {seconds:.1f} s: {n / seconds:,.0f} "
            f"orders/s ({created:,} created, {updated:,} updated)"
        )
    del bodies

    # 3. List latency, the merchant now holding 2 N orders.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    client = APIClient(SERVER_NAME="localhost")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user, merchant)}")
    deep = client.get("/api/v1/orders/?page_size=100")
    for _ in range(20):
        if deep.json()["next"] is None:
            break
        deep = client.get(deep.json()["next"])
    with organization_scope(merchant):
        email = Order.objects.filter(external_id=f"C-{n // 2:07d}").get().customer_email
    span = timedelta(seconds=n * 97)
    month_from = (start + span * 0.4).date().isoformat()
    month_to = (start + span * 0.4 + timedelta(days=30)).date().isoformat()
    cases = {
        "first page (50)": "/api/v1/orders/",
        "page of 100": "/api/v1/orders/?page_size=100",
        "page 21 (cursor)": deep.request["PATH_INFO"] + "?" + deep.request["QUERY_STRING"],
        "status filter": "/api/v1/orders/?status=unshipped",
        "date range": f"/api/v1/orders/?placed_after={month_from}&placed_before={month_to}",
        "search by name": "/api/v1/orders/?q=lovelace",
        "search by e-mail": f"/api/v1/orders/?q={email}",
        "supplier filter": f"/api/v1/orders/?supplier={supplier.slug}",
    }
    print(f"List latency   {options.requests} requests each, {2 * n:,} orders in the shop:")
    for label, url in cases.items():
        timings = []
        for _ in range(options.requests):
            began = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, (url, response.content[:300])
        print(
            f"  {label:18} p50 {statistics.median(timings):6.1f} ms   "
            f"p95 {percentile(timings, 0.95):6.1f} ms   ({len(response.json()['results'])} rows)"
        )


if __name__ == "__main__":
    sys.exit(main())
