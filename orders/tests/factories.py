from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.tests.factories import MerchantFactory, SupplierFactory
from core.testing import TenantModelFactory
from orders.models import Order, OrderLine, Shipment


class OrderFactory(TenantModelFactory):
    class Meta:
        model = Order

    merchant = factory.SubFactory(MerchantFactory)
    external_id = factory.Sequence(lambda n: f"#{1000 + n}")
    placed_at = factory.Sequence(lambda n: timezone.now() - timedelta(days=1, minutes=n))
    currency = "USD"
    total = Decimal("0.00")
    customer_name = factory.Sequence(lambda n: f"Customer {n}")
    customer_email = factory.Sequence(lambda n: f"customer{n}@shop.test")
    ship_line1 = "1 Main Street"
    ship_city = "Springfield"
    ship_postal_code = "12345"
    ship_country = "US"


class OrderLineFactory(TenantModelFactory):
    """A line of `order`; its merchant is the order's, so data never straddles tenants."""

    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    merchant = factory.SelfAttribute("order.merchant")
    supplier = factory.SubFactory(SupplierFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n}")
    title = "Camping stove"
    variant = "Green"
    quantity = 1
    unit_price = Decimal("25.00")


class ShipmentFactory(TenantModelFactory):
    class Meta:
        model = Shipment

    order = factory.SubFactory(OrderFactory)
    merchant = factory.SelfAttribute("order.merchant")
    supplier = factory.SubFactory(SupplierFactory)
    carrier = "upu"
    tracking_number = factory.Sequence(lambda n: f"RR{n:08d}0CN")
    tracking_valid = True
    shipped_at = factory.LazyFunction(timezone.now)


def order_body(**overrides) -> dict:
    """A valid order body for the world's acme, with a line from shenzhen."""
    body = {
        "external_id": "#5001",
        "placed_at": (timezone.now() - timedelta(hours=3)).isoformat(),
        "currency": "USD",
        "customer": {"name": "Ada Lovelace", "email": "Ada@Example.test"},
        "shipping_address": {
            "line1": "12 Analytical Row",
            "line2": "",
            "city": "Boston",
            "region": "MA",
            "postal_code": "02110",
            "country": "US",
        },
        "lines": [
            {
                "sku": "TENT-2P",
                "title": "Two-person tent",
                "variant": "Olive",
                "quantity": 2,
                "unit_price": "79.90",
                "supplier": "shenzhen-supply",
            },
            {
                "sku": "STOVE",
                "title": "Camping stove",
                "variant": "",
                "quantity": 1,
                "unit_price": "25.00",
                "supplier": "yiwu-goods",
            },
        ],
    }
    body.update(overrides)
    return body


def csv_row(external_id="#1", **values) -> dict:
    row = {
        "external_id": external_id,
        "placed_at": (timezone.now() - timedelta(days=1)).isoformat(),
        "currency": "USD",
        "customer_name": "Ada Lovelace",
        "customer_email": "ada@example.test",
        "ship_line1": "12 Analytical Row",
        "ship_line2": "",
        "ship_city": "Boston",
        "ship_region": "MA",
        "ship_postal_code": "02110",
        "ship_country": "US",
        "sku": "TENT-2P",
        "title": "Two-person tent",
        "variant": "Olive",
        "quantity": "1",
        "unit_price": "79.90",
        "supplier": "shenzhen-supply",
    }
    row.update(values)
    return row


def csv_bytes(rows: list[dict], columns=None, *, bom: bool = False) -> bytes:
    import csv
    import io

    from orders.csv_format import COLUMNS

    columns = columns or COLUMNS
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    data = buffer.getvalue().encode()
    return b"\xef\xbb\xbf" + data if bom else data
