"""The daily order count of the overview (models.MerchantDay): the hand-computed overview
comes out the same from it, a refresh is idempotent and survives a failure, and a new order
counts at once."""

from unittest import mock

import pytest

from core.tenancy import cross_tenant_scope
from disputes.tests.conftest import Disputes
from insights import services
from insights.models import MerchantDay
from insights.tests import test_api_figures as figures
from insights.tests.world import PERIOD, at
from orders import services as order_services
from orders.tests.factories import order_body

OVERVIEW = figures.OVERVIEW


def merchant_days(merchant) -> list[tuple]:
    with cross_tenant_scope(reason="test"):
        return sorted(MerchantDay.objects.filter(merchant=merchant).values_list("day", "orders"))


def orders_of_period(world) -> int:
    return world.client("acme_viewer").get(OVERVIEW, PERIOD).json()["orders"]


@pytest.fixture
def summarized(world, analytics_world):
    services.supplier_days_refresh()
    return analytics_world


def test_the_summary_gives_the_hand_computed_overview(world, summarized):
    assert sum(orders for _day, orders in merchant_days(world.acme)) >= 7
    figures.test_overview_figures(world, summarized)
    # And the count does come from it: a row changed by hand shows. Acme's period starts
    # at 05:00 UTC on 2 March (New York), so 9 March is a whole day of the period.
    with cross_tenant_scope(reason="test"):
        row = MerchantDay.objects.get(merchant=world.acme, day=at(9).date())
        MerchantDay.objects.filter(pk=row.pk).update(orders=row.orders + 100)
    assert orders_of_period(world) == 107


def test_an_order_with_several_suppliers_counts_once(world, summarized):
    owner = Disputes(world).actor("acme_owner")
    body = order_body(external_id="TWO-1", placed_at=at(10, 8).isoformat())
    assert {line["supplier"] for line in body["lines"]} == {"shenzhen-supply", "yiwu-goods"}
    before = dict(merchant_days(world.acme)).get(at(10).date(), 0)
    order_services.order_create(actor=owner, **body)
    services.supplier_days_refresh()
    assert dict(merchant_days(world.acme))[at(10).date()] == before + 1
    assert orders_of_period(world) == 8


def test_a_refresh_is_idempotent(world, summarized):
    first = merchant_days(world.acme)
    assert services.supplier_days_refresh() == 0
    services.supplier_days_refresh()
    assert merchant_days(world.acme) == first
    assert orders_of_period(world) == 7


def test_a_failed_refresh_leaves_everything_and_the_next_one_completes(world, summarized):
    before = merchant_days(world.acme)
    order_services.order_create(
        actor=Disputes(world).actor("acme_owner"),
        **order_body(external_id="LATE-1", placed_at=at(9, 9).isoformat()),
    )
    with (
        mock.patch.object(
            MerchantDay.cross_tenant_objects, "bulk_create", side_effect=RuntimeError("crash")
        ),
        pytest.raises(RuntimeError),
    ):
        services.supplier_days_refresh()
    assert merchant_days(world.acme) == before  # rolled back
    assert orders_of_period(world) == 8  # the changed day counted from the orders meanwhile

    services.supplier_days_refresh()  # the retry
    after = dict(merchant_days(world.acme))
    assert after[at(9).date()] == dict(before).get(at(9).date(), 0) + 1
    assert orders_of_period(world) == 8


def test_a_new_order_counts_at_once_and_after_the_refresh(world, summarized):
    owner = Disputes(world).actor("acme_owner")
    order_services.order_create(
        actor=owner, **order_body(external_id="NEW-1", placed_at=at(11, 8).isoformat())
    )
    assert orders_of_period(world) == 8
    services.supplier_days_refresh()
    assert orders_of_period(world) == 8
