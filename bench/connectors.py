"""Shop connector intake throughput: signed Shopify deliveries through the webhook view and a
real Celery worker (a separate process on the Redis broker), until every one is an order.

.venv/bin/python bench/connectors.py [--deliveries 500] [--concurrency 2]

Needs REDIS_URL (the broker; default redis://127.0.0.1:6379/7). Each delivery is Shopify's
example orders/create payload under its own order name, signed as Shopify signs it, POSTed
through Django's full middleware stack (in-process client, no HTTP server). Prints the
intake rate (answers/s: verified, stored, queued) and the end-to-end rate (deliveries/s from
the first POST until the worker has turned the last one into an order).
"""

import argparse
import copy
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/7")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

from _setup import settings  # noqa: F401 — Django is set up on import
from django.core.management import call_command
from django.test import Client

from accounts.models import Organization, OrganizationKind
from connectors import crypto
from connectors.models import Connector, ConnectorEvent, Platform
from connectors.tests.payloads import SHOPIFY_ORDER, body_of, shop_signature
from deadlines.models import Deadline
from orders.models import Order
from suppliers.models import SupplierLink

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-shopify-secret"  # noqa: S105 — a throwaway shop secret


def world() -> Connector:
    merchant, _ = Organization.objects.get_or_create(
        slug="bench-connectors-shop",
        defaults={"kind": OrganizationKind.MERCHANT, "name": "Shop", "country": "US"},
    )
    supplier, _ = Organization.objects.get_or_create(
        slug="bench-connectors-supplier",
        defaults={"kind": OrganizationKind.SUPPLIER, "name": "Supplier", "verified": True},
    )
    SupplierLink.cross_tenant_objects.get_or_create(merchant=merchant, supplier=supplier)
    connector, _ = Connector.cross_tenant_objects.update_or_create(
        merchant=merchant,
        platform=Platform.SHOPIFY,
        shop="bench.myshopify.com",
        defaults={"secret_encrypted": crypto.encrypt(SECRET), "default_supplier": supplier},
    )
    return connector


def clean(connector: Connector) -> None:
    ConnectorEvent.cross_tenant_objects.filter(connector=connector).delete()
    Deadline.cross_tenant_objects.filter(merchant_id=connector.merchant_id).delete()
    Order.cross_tenant_objects.filter(merchant_id=connector.merchant_id).delete()


def start_worker(concurrency: int) -> subprocess.Popen:
    worker = subprocess.Popen(  # noqa: S603 — a fixed command line
        [
            str(ROOT / ".venv/bin/celery"), "-A", "config", "worker", "--loglevel", "WARNING",
            "--concurrency", str(concurrency), "--without-gossip", "--without-mingle",
        ],
        cwd=ROOT,
        env={**os.environ},
    )  # fmt: skip
    time.sleep(4)  # the worker's start-up is not what is measured
    if worker.poll() is not None:
        sys.exit("The Celery worker did not start.")
    return worker


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deliveries", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=2)
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    connector = world()
    clean(connector)
    url = f"/api/v1/shop-webhooks/{connector.pk}/"
    bodies = []
    for number in range(options.deliveries):
        payload = copy.deepcopy(SHOPIFY_ORDER)
        payload["id"] = 10_000 + number
        payload["name"] = f"#B{number}"
        bodies.append(body_of(payload))
    worker = start_worker(options.concurrency)
    client = Client()
    try:
        started = time.perf_counter()
        for number, body in enumerate(bodies):
            response = client.post(
                url,
                data=body,
                content_type="application/json",
                headers={
                    "X-Shopify-Topic": "orders/create",
                    "X-Shopify-Hmac-Sha256": shop_signature(SECRET, body),
                    "X-Shopify-Webhook-Id": f"bench-{number}",
                },
            )
            assert response.status_code == 200, response.content
        intake = time.perf_counter() - started
        events = ConnectorEvent.cross_tenant_objects.filter(connector=connector)
        while events.filter(result="").exists():
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        assert events.filter(result="imported").count() == options.deliveries
        assert Order.cross_tenant_objects.filter(merchant_id=connector.merchant_id).count() == (
            options.deliveries
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        clean(connector)
    count = options.deliveries
    print(
        f"intake: {count:,} signed deliveries answered in {intake:.1f} s: "
        f"{count / intake:,.0f} deliveries/s (verify, store, queue; mean "
        f"{intake / count * 1000:.1f} ms each)"
    )
    print(
        f"end to end: {count:,} deliveries turned into orders by a worker "
        f"(concurrency {options.concurrency}) in {elapsed:.1f} s: {count / elapsed:,.0f} "
        "deliveries/s"
    )


if __name__ == "__main__":
    main()
