"""List rows written directly say exactly what the field-by-field serializers say."""

import pytest

from core.tenancy import organization_scope
from orders import selectors
from orders.api import serializers
from orders.tests.factories import OrderFactory, OrderLineFactory


@pytest.fixture
def two_orders(world):
    for external_id in ("R-1", "R-2"):
        order = OrderFactory(merchant=world.acme, external_id=external_id, ship_line2="Unit 4")
        OrderLineFactory(order=order, supplier=world.shenzhen)
        OrderLineFactory(order=order, supplier=world.yiwu, shipped_at=order.placed_at)


def test_a_merchant_list_row_is_the_order_serializer_row(world, two_orders):
    with organization_scope(world.acme):
        orders = list(selectors.order_list())
        direct = serializers.OrderListItemSerializer(orders, many=True).data
        walked = serializers.OrderSerializer(orders, many=True).data
    assert sorted(row["external_id"] for row in direct) == ["R-1", "R-2"]
    assert len(direct[0]["lines"]) == 2
    assert direct == walked


def test_a_supplier_list_row_is_the_supplier_serializer_row(world, two_orders):
    with organization_scope(world.shenzhen):
        orders = list(selectors.order_list())
        direct = serializers.SupplierOrderListItemSerializer(orders, many=True).data
        walked = serializers.SupplierOrderSerializer(orders, many=True).data
    # Its own line only, and no price.
    assert [len(row["lines"]) for row in direct] == [1, 1]
    assert "unit_price" not in direct[0]["lines"][0]
    assert direct == walked
