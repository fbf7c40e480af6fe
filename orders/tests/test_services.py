from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from core.tenancy import cross_tenant_scope, organization_scope
from deadlines.selectors import deadline_list_for_subject
from orders import services
from orders.models import Order, OrderLine, OrderStatus, Shipment, ShipmentStatus
from orders.tests.factories import order_body

VALID_S10 = "RR123456785CN"
VALID_UPS = "1Z999AA10123456784"
BAD_S10 = "RR123456795CN"


def create(actor, **overrides) -> Order:
    return services.order_create(actor=actor, **order_body(**overrides))


def all_orders():
    with cross_tenant_scope(reason="test"):
        return list(Order.objects.order_by("external_id"))


def lines_of(order):
    with cross_tenant_scope(reason="test"):
        return list(OrderLine.objects.filter(order=order).order_by("sku"))


def test_order_create_computes_total_and_domestic(world, actor_for):
    order = create(actor_for("acme_agent"))
    assert order.merchant == world.acme
    assert order.total == Decimal("184.80")
    assert order.is_international is False
    assert order.customer_email == "ada@example.test"
    assert order.status == OrderStatus.UNSHIPPED
    assert {line.supplier.slug for line in lines_of(order)} == {"shenzhen-supply", "yiwu-goods"}


def test_order_to_another_country_is_international(world, actor_for):
    body = order_body()
    body["shipping_address"]["country"] = "ca"
    order = services.order_create(actor=actor_for("acme_owner"), **body)
    assert order.is_international is True
    assert order.ship_country == "CA"


def test_duplicate_external_id_is_a_conflict_and_writes_nothing(world, actor_for):
    create(actor_for("acme_owner"))
    with pytest.raises(Conflict):
        create(actor_for("acme_owner"), customer={"name": "Someone else"})
    assert len(all_orders()) == 1


def test_the_same_external_id_in_another_shop_is_fine(world, actor_for):
    create(actor_for("acme_owner"))
    body = order_body()
    for line in body["lines"]:
        line["supplier"] = "shenzhen-supply"
    services.order_create(actor=actor_for("globex_owner"), **body)
    assert len(all_orders()) == 2


@pytest.mark.parametrize("slug", ["no-such-supplier", "ali-market-typo"])
def test_unknown_supplier_slug_is_refused(world, actor_for, slug):
    body = order_body()
    body["lines"][1]["supplier"] = slug
    with pytest.raises(ValidationFailed) as caught:
        services.order_create(actor=actor_for("acme_owner"), **body)
    assert caught.value.field_errors["lines"][0] == {}
    assert "No supplier linked" in caught.value.field_errors["lines"][1]["supplier"][0]
    assert all_orders() == []


def test_supplier_not_linked_to_the_merchant_is_refused(world, actor_for):
    # yiwu-goods works for acme only.
    with pytest.raises(ValidationFailed):
        create(actor_for("globex_owner"))
    assert all_orders() == []


def test_viewer_and_supplier_cannot_create_orders(world, actor_for):
    with pytest.raises(PermissionDenied):
        create(actor_for("acme_viewer"))
    with pytest.raises(PermissionDenied):
        create(actor_for("shenzhen_admin"))


def test_order_create_ignores_a_wider_caller_scope(world, actor_for):
    # A command runs cross-tenant; the service still resolves suppliers as acme's.
    with cross_tenant_scope(reason="test"):
        order = create(actor_for("acme_owner"))
    assert order.merchant_id == world.acme.pk


def test_bulk_upsert_reports_bad_orders_by_index_and_lands_the_rest(world, actor_for):
    bad = order_body(external_id="#2")
    bad["lines"][0]["quantity"] = 0
    orders = [order_body(external_id="#1"), bad, order_body(external_id="#3", currency="ZZZ")]
    result = services.order_bulk_upsert(actor=actor_for("acme_owner"), orders=orders)
    assert (result.created, result.updated) == (1, 0)
    assert [error["index"] for error in result.errors] == [1, 2]
    assert result.errors[0]["errors"]["lines"][0] == {
        "quantity": ["The quantity must be at least 1."]
    }
    assert "currency" in result.errors[1]["errors"]
    assert [order.external_id for order in all_orders()] == ["#1"]


def test_bulk_upsert_updates_by_external_id_and_is_idempotent(world, actor_for):
    actor = actor_for("acme_owner")
    first = services.order_bulk_upsert(actor=actor, orders=[order_body()])
    assert (first.created, first.updated) == (1, 0)
    changed = order_body(customer={"name": "Ada King", "email": "ada@example.test"})
    changed["lines"][0]["quantity"] = 3
    again = services.order_bulk_upsert(
        actor=actor, orders=[changed, changed | {"external_id": "#9"}]
    )
    assert (again.created, again.updated) == (1, 1)
    order = next(o for o in all_orders() if o.external_id == "#5001")
    assert order.customer_name == "Ada King"
    assert order.total == Decimal("264.70")
    line_ids = [line.pk for line in lines_of(order)]
    services.order_bulk_upsert(actor=actor, orders=[changed])
    assert [line.pk for line in lines_of(order)] == line_ids


def test_bulk_upsert_replaces_removed_lines_but_keeps_shipped_ones(world, actor_for):
    actor = actor_for("acme_owner")
    order = create(actor)
    stove = next(line for line in lines_of(order) if line.sku == "STOVE")
    with organization_scope(world.acme):
        services.shipment_create(actor=actor, order=order, lines=[stove], tracking_number=VALID_UPS)
    tent_only = order_body()
    tent_only["lines"] = tent_only["lines"][:1]
    result = services.order_bulk_upsert(actor=actor, orders=[tent_only])
    assert "has shipped" in result.errors[0]["errors"]["lines"][0]
    stove_only = order_body()
    stove_only["lines"] = stove_only["lines"][1:]
    result = services.order_bulk_upsert(actor=actor, orders=[stove_only])
    assert result.errors == []
    assert [line.sku for line in lines_of(order)] == ["STOVE"]
    assert all_orders()[0].status == OrderStatus.SHIPPED


def test_bulk_upsert_refuses_more_than_1000_orders(world, actor_for):
    with pytest.raises(ValidationFailed):
        services.order_bulk_upsert(actor=actor_for("acme_owner"), orders=[{}] * 1001)


def test_bulk_upsert_reports_a_repeated_external_id(world, actor_for):
    result = services.order_bulk_upsert(
        actor=actor_for("acme_owner"), orders=[order_body(), order_body()]
    )
    assert result.created == 1
    assert result.errors[0]["index"] == 1


# Parcels


@pytest.fixture
def order(world, actor_for):
    return create(actor_for("acme_owner"))


def line_of(order, slug):
    with cross_tenant_scope(reason="test"):
        return OrderLine.objects.get(order=order, supplier__slug=slug)


def test_supplier_records_a_parcel_for_its_lines(world, actor_for, order):
    tent = line_of(order, "shenzhen-supply")
    with organization_scope(world.shenzhen):
        shipment = services.shipment_create(
            actor=actor_for("shenzhen_agent"),
            order=order,
            lines=[tent],
            tracking_number="rr 1234 5678 5cn",
        )
    assert shipment.tracking_number == VALID_S10
    assert (shipment.carrier, shipment.tracking_valid, shipment.tracking_problem) == (
        "upu",
        True,
        "",
    )
    assert shipment.supplier == world.shenzhen
    tent.refresh_from_db()
    assert tent.shipped_at == shipment.shipped_at
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_SHIPPED


def test_invalid_tracking_number_is_stored_with_its_problem(world, actor_for, order):
    shipment = services.shipment_create(
        actor=actor_for("acme_agent"),
        order=order,
        lines=[line_of(order, "shenzhen-supply")],
        tracking_number=BAD_S10,
    )
    assert shipment.tracking_valid is False
    assert "check digit" in shipment.tracking_problem


def test_all_lines_shipped_then_delivered(world, actor_for, order):
    actor = actor_for("acme_agent")
    parcels = [
        services.shipment_create(
            actor=actor, order=order, lines=[line_of(order, slug)], tracking_number=number
        )
        for slug, number in [("shenzhen-supply", VALID_S10), ("yiwu-goods", VALID_UPS)]
    ]
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    for parcel in parcels:
        services.shipment_update_status(
            actor=actor, shipment=parcel, status=ShipmentStatus.DELIVERED
        )
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED


def test_a_parcel_never_mixes_suppliers(world, actor_for, order):
    with pytest.raises(ValidationFailed):
        services.shipment_create(
            actor=actor_for("acme_agent"),
            order=order,
            lines=lines_of(order),
            tracking_number=VALID_S10,
        )


def test_a_supplier_cannot_ship_another_suppliers_lines(world, actor_for, order):
    with pytest.raises(ValidationFailed):
        services.shipment_create(
            actor=actor_for("shenzhen_admin"),
            order=order,
            lines=[line_of(order, "yiwu-goods")],
            tracking_number=VALID_S10,
        )


def test_another_merchant_cannot_ship_the_order(world, actor_for, order):
    with pytest.raises(NotFound):
        services.shipment_create(
            actor=actor_for("globex_owner"),
            order=order,
            lines=[line_of(order, "shenzhen-supply")],
            tracking_number=VALID_S10,
        )


def test_the_same_tracking_number_twice_is_a_conflict(world, actor_for, order):
    actor = actor_for("acme_agent")
    tent = line_of(order, "shenzhen-supply")
    services.shipment_create(actor=actor, order=order, lines=[tent], tracking_number=VALID_S10)
    with pytest.raises(Conflict):
        services.shipment_create(actor=actor, order=order, lines=[tent], tracking_number=VALID_S10)
    with cross_tenant_scope(reason="test"):
        assert Shipment.objects.count() == 1


def test_shipped_at_must_have_an_offset_and_follow_the_order(world, actor_for, order):
    actor = actor_for("acme_agent")
    tent = line_of(order, "shenzhen-supply")
    for shipped_at in ["2025-01-01T10:00:00", order.placed_at - timedelta(days=1)]:
        with pytest.raises(ValidationFailed):
            services.shipment_create(
                actor=actor,
                order=order,
                lines=[tent],
                tracking_number=VALID_S10,
                shipped_at=shipped_at,
            )
    moment = timezone.now() - timedelta(minutes=5)
    shipment = services.shipment_create(
        actor=actor, order=order, lines=[tent], tracking_number=VALID_S10, shipped_at=moment
    )
    assert shipment.shipped_at == moment


def test_cancelling_an_order_withdraws_its_ship_deadlines_and_is_idempotent(world, actor_for):
    order = create(actor_for("acme_agent"))
    assert deadline_list_for_subject(order).exists()
    cancelled = services.order_cancel(actor=actor_for("acme_agent"), order=order)
    assert cancelled.status == OrderStatus.CANCELLED
    assert cancelled.cancelled_at is not None
    assert not deadline_list_for_subject(order).exists()
    again = services.order_cancel(actor=actor_for("acme_agent"), order=order)
    assert again.cancelled_at == cancelled.cancelled_at
    # A cancelled order ships nothing, and stays cancelled when the shop sends it again.
    with pytest.raises(Conflict):
        services.shipment_create(
            actor=actor_for("acme_agent"),
            order=order,
            lines=lines_of(order)[:1],
            tracking_number=VALID_UPS,
        )
    services.order_bulk_upsert(actor=actor_for("acme_agent"), orders=[order_body()])
    assert all_orders()[0].status == OrderStatus.CANCELLED


def test_only_the_merchants_workers_cancel_its_orders(world, actor_for):
    order = create(actor_for("acme_agent"))
    with pytest.raises(PermissionDenied):
        services.order_cancel(actor=actor_for("acme_viewer"), order=order)
    with pytest.raises(NotFound):
        services.order_cancel(actor=actor_for("globex_owner"), order=order)
    assert all_orders()[0].status == OrderStatus.UNSHIPPED
