from django.core.management import call_command

from core.tenancy import cross_tenant_scope
from orders.models import Order, OrderLine, OrderStatus, Shipment, ShipmentStatus


def snapshot():
    with cross_tenant_scope(reason="test"):
        return (
            sorted(Order.objects.values_list("id", "external_id", "status")),
            sorted(OrderLine.objects.values_list("id", "shipped_at")),
            sorted(Shipment.objects.values_list("id", "status", "tracking_valid")),
        )


def test_seed_demo_gives_the_spread_and_is_idempotent(db):
    call_command("seed_demo", stdout=None)
    first = snapshot()
    call_command("seed_demo", stdout=None)
    assert snapshot() == first

    with cross_tenant_scope(reason="test"):
        for slug in ("acme", "globex"):
            orders = Order.objects.filter(merchant__slug=slug)
            statuses = set(orders.values_list("status", flat=True))
            assert {OrderStatus.UNSHIPPED, OrderStatus.SHIPPED, OrderStatus.DELIVERED} <= statuses
            assert orders.filter(is_international=True).exists()
            assert orders.filter(is_international=False).exists()
            parcels = Shipment.objects.filter(merchant__slug=slug)
            assert parcels.filter(status=ShipmentStatus.CUSTOMS_HOLD).exists()
            assert parcels.filter(tracking_valid=False).exists()
            assert any(order.shipments.count() > 1 for order in orders)
        acme = Order.objects.filter(merchant__slug="acme")
        assert acme.filter(status=OrderStatus.PARTIALLY_SHIPPED).exists()
        multi_supplier = [o for o in acme if o.lines.values("supplier").distinct().count() > 1]
        assert multi_supplier
