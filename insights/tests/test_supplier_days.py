"""The daily supplier summary: the hand-computed figures come out the same from it, a
refresh is idempotent and survives a failure, and a write is visible before the next one."""

from unittest import mock

import pytest

from core.tenancy import cross_tenant_scope, organization_scope
from deadlines.services import rule_setting_update
from disputes.tests.conftest import Disputes
from insights import services
from insights.models import SupplierDay, SupplierDayState
from insights.tests import test_api_figures as figures
from insights.tests.world import PERIOD, at
from orders import services as order_services
from orders.models import LineDayChange
from orders.tests.factories import order_body

SUPPLIERS = figures.SUPPLIERS
SCORECARD = figures.SCORECARD


def summary_rows() -> list[tuple]:
    with cross_tenant_scope(reason="test"):
        return sorted(
            (str(row.merchant_id), str(row.supplier_id), row.day, row.orders, row.lines,
             row.on_time_lines)
            for row in SupplierDay.objects.all()
        )  # fmt: skip


def changes(merchant) -> list:
    with cross_tenant_scope(reason="test"):
        return sorted(LineDayChange.objects.filter(merchant=merchant).values_list("day", flat=True))


def shenzhen_row(world, caller="acme_owner") -> dict:
    rows = world.client(caller).get(SUPPLIERS, PERIOD).json()["results"]
    return next(row for row in rows if row["supplier"]["slug"] == "shenzhen-supply")


@pytest.fixture
def summarized(world, analytics_world):
    services.supplier_days_refresh()
    return analytics_world


def test_the_summary_gives_the_hand_computed_figures(world, summarized):
    # The period's days all come from the summary now (the world was written before it).
    assert len(summary_rows()) >= 8
    figures.test_supplier_rows(world, summarized)
    figures.test_supplier_scorecard_spans_its_merchants(world, summarized)
    figures.test_yiwu_scorecard_is_only_its_own(world, summarized)
    figures.test_other_merchant_sees_only_its_own_figures(world, summarized)
    # And they do come from it: a row changed by hand shows (nothing else would). Acme
    # counts its days in New York: 2 March (UTC) starts before its period, so its lines
    # answer that day; 9 March is a whole day of the period.
    with cross_tenant_scope(reason="test"):
        SupplierDay.objects.filter(
            merchant=world.acme, supplier=world.shenzhen, day=at(9).date()
        ).update(orders=101)
    assert shenzhen_row(world)["orders"] == 104


def test_a_day_counts_an_order_once_per_supplier(world, summarized):
    with cross_tenant_scope(reason="test"):
        o2_day = SupplierDay.objects.get(merchant=world.acme, supplier=world.yiwu, day=at(3).date())
    assert (o2_day.orders, o2_day.lines, o2_day.on_time_lines) == (1, 1, 0)  # O2, unshipped


def test_a_refresh_is_idempotent(world, summarized):
    first = summary_rows()
    assert services.supplier_days_refresh() == 0  # nothing changed, no day ended
    services.supplier_days_refresh()
    assert summary_rows() == first


def test_a_failed_refresh_leaves_everything_and_the_next_one_completes(world, summarized):
    before = summary_rows()
    created = order_services.order_create(
        actor=Disputes(world).actor("acme_owner"),
        **order_body(external_id="LATE-1", placed_at=at(4, 9).isoformat()),
    )
    assert changes(world.acme) == [at(4).date()]
    with (
        mock.patch.object(
            SupplierDay.cross_tenant_objects, "bulk_create", side_effect=RuntimeError("crash")
        ),
        pytest.raises(RuntimeError),
    ):
        services.supplier_days_refresh()
    assert summary_rows() == before  # rolled back: the old rows, the change still noted
    assert changes(world.acme) == [at(4).date()]
    assert shenzhen_row(world)["orders"] == 5  # counted from its lines meanwhile

    services.supplier_days_refresh()  # the retry
    assert changes(world.acme) == []
    assert summary_rows() != before
    assert shenzhen_row(world)["orders"] == 5
    with cross_tenant_scope(reason="test"):
        day = SupplierDay.objects.get(
            merchant=world.acme, supplier=world.shenzhen, day=at(4).date()
        )
    assert (day.orders, day.lines) == (1, 1)
    assert created.merchant == world.acme


def test_new_orders_and_parcels_count_at_once_and_after_the_refresh(world, summarized):
    owner = Disputes(world).actor("acme_owner")
    assert shenzhen_row(world)["orders"] == 4
    order_services.order_create(
        actor=owner, **order_body(external_id="OLD-1", placed_at=at(9, 8).isoformat())
    )
    row = shenzhen_row(world)
    assert (row["orders"], row["on_time_ship_rate"]) == (5, "40.00")  # 2 of 5 lines on time
    scorecard = world.client("shenzhen_agent").get(SCORECARD, PERIOD).json()
    assert scorecard["orders"] == 6

    services.supplier_days_refresh()
    assert changes(world.acme) == []
    assert shenzhen_row(world)["orders"] == 5
    assert world.client("shenzhen_agent").get(SCORECARD, PERIOD).json()["orders"] == 6


def test_another_allowance_counts_from_the_lines_until_the_refresh(world, summarized):
    owner = Disputes(world).actor("acme_owner")
    with organization_scope(world.acme):
        rule_setting_update(actor=owner, code="ship-reminder", numbers={"after_days": 3})
    assert shenzhen_row(world)["on_time_ship_rate"] == "75.00"  # O2's 72 h is now on time
    services.supplier_days_refresh()
    with cross_tenant_scope(reason="test"):
        assert SupplierDayState.objects.get(merchant=world.acme).allowed_days == 3
    assert shenzhen_row(world)["on_time_ship_rate"] == "75.00"
