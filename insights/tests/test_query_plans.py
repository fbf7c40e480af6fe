"""The analytics' main queries read their period indexes (EXPLAIN, not a stopwatch; see
tests/test_list_plans.py for why sequential scans are switched off on tiny test tables)."""

import re

import pytest
from django.db import connection, transaction

from core.tenancy import organization_scope
from disputes.models import Dispute
from insights import selectors, services
from insights.coverage import period_split
from insights.period import period_parse
from insights.tests.world import PERIOD


def plan(queryset) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        return queryset.explain()


def split_for(organization, *, summarized: bool):
    if summarized:
        services.supplier_days_refresh()
    with organization_scope(organization):
        period = period_parse(organization=organization, first=PERIOD["from"], last=PERIOD["to"])
        return period, period_split(period)


def test_a_suppliers_lines_of_a_period_are_read_by_their_index(world, analytics_world):
    _period, split = split_for(world.shenzhen, summarized=False)
    assert split.has_live
    assert not split.has_summary
    with organization_scope(world.shenzhen):
        explained = plan(selectors.live_line_counts(split))
    assert "using orderline_supplier_placed" in explained, explained


@pytest.mark.parametrize("caller", ["acme", "shenzhen"])
def test_summarized_days_are_read_by_their_index(world, analytics_world, caller):
    organization = world.organization(caller)
    _period, split = split_for(organization, summarized=True)
    assert split.has_summary
    with organization_scope(organization):
        explained = plan(selectors.summary_line_counts(split))
    assert "Index Scan using supplier" in explained, explained  # supplierday_… or _unique


def test_disputes_of_a_period_are_read_by_their_index(world, analytics_world):
    period, _split = split_for(world.acme, summarized=False)
    with organization_scope(world.acme):
        opened = Dispute.objects.filter(opened_at__gte=period.start, opened_at__lt=period.end)
        explained = plan(opened.values("kind", "reason"))
    # On these tiny tables every merchant-first index costs the same to the planner (under
    # row-level security it may pick the assignee's); what must hold is a tenant-first index.
    assert re.search(r"Index Scan using dispute_merchant_\w+", explained), explained
    assert "Seq Scan" not in explained, explained
