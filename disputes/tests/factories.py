"""Orders for dispute tests; `merchant` always comes from the parent order."""

from decimal import Decimal

import factory
from django.utils import timezone

from accounts.tests.factories import MerchantFactory, SupplierFactory
from core.testing import TenantModelFactory
from orders.models import Order, OrderLine


class OrderFactory(TenantModelFactory):
    class Meta:
        model = Order

    merchant = factory.SubFactory(MerchantFactory)
    external_id = factory.Sequence(lambda n: f"ORD-{n:05d}")
    placed_at = factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(days=10))
    currency = "USD"
    customer_name = factory.Faker("name")
    customer_email = factory.Sequence(lambda n: f"customer{n}@example.test")
    ship_line1 = "1 Main Street"
    ship_city = "Springfield"
    ship_country = "US"


class OrderLineFactory(TenantModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    merchant = factory.LazyAttribute(lambda line: line.order.merchant)
    supplier = factory.SubFactory(SupplierFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:04d}")
    title = "Cotton bandana"
    variant = "blue"
    quantity = 2
    unit_price = Decimal("12.50")
