"""List rows written directly say exactly what the field-by-field serializers say."""

import pytest

from core.tenancy import organization_scope
from orders import selectors
from orders.api import serializers
from orders.tests.factories import OrderFactory, OrderLineFactory


@pytest.fixture
def two_orders(world):
    for external_id in ("R-1", "R-2"):
        order = OrderFactory(
            merchant=world.acme, external_id=external_id, ship_line2="Unit 4", total="1234.5"
        )
        OrderLineFactory(order=order, supplier=world.shenzhen, unit_price="0.1")
        OrderLineFactory(order=order, supplier=world.yiwu, shipped_at=order.placed_at)


def _rows(write):
    orders = list(selectors.order_row_list())
    lines = selectors.order_line_rows_for_orders(order_ids=[order["id"] for order in orders])
    return write(orders, lines)


def test_a_merchant_list_row_is_the_order_serializer_row(world, two_orders):
    with organization_scope(world.acme):
        direct = _rows(serializers.order_list_rows)
        walked = serializers.OrderSerializer(selectors.order_list(), many=True).data
    assert sorted(row["external_id"] for row in direct) == ["R-1", "R-2"]
    assert len(direct[0]["lines"]) == 2
    assert direct[0]["total"] == "1234.50"
    assert direct == walked


def test_a_supplier_list_row_is_the_supplier_serializer_row(world, two_orders):
    with organization_scope(world.shenzhen):
        direct = _rows(serializers.supplier_order_list_rows)
        walked = serializers.SupplierOrderSerializer(selectors.order_list(), many=True).data
    # Its own line only, and no price.
    assert [len(row["lines"]) for row in direct] == [1, 1]
    assert "unit_price" not in direct[0]["lines"][0]
    assert direct == walked


def test_list_rows_keep_the_order_of_the_fields(world, two_orders):
    with organization_scope(world.acme):
        direct = _rows(serializers.order_list_rows)
        walked = serializers.OrderSerializer(selectors.order_list(), many=True).data
    assert list(direct[0]) == list(walked[0])
    assert list(direct[0]["lines"][0]) == list(walked[0]["lines"][0])
