"""The analytics' main queries read their period indexes (EXPLAIN, not a stopwatch; see
tests/test_list_plans.py for why sequential scans are switched off on tiny test tables)."""

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

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


def _index_columns(name: str) -> set[str]:
    index = next(index for index in Dispute._meta.indexes if index.name == name)
    fields = [
        Dispute._meta.get_field(field.lstrip("-")) for field in (*index.fields, *index.include)
    ]
    return {field.column for field in fields}


def test_the_overviews_disputes_are_read_from_their_indexes_alone(world, analytics_world):
    """Every column the overview reads of the period's opened disputes is in the index that
    finds them: at scale (tens of thousands of disputes) they are read from the index alone.
    (Which index a planner picks on a test's few rows says nothing: every index of a tenant
    costs about the same there.)"""
    period, _split = split_for(world.acme, summarized=False)
    with organization_scope(world.acme), CaptureQueriesContext(connection) as captured:
        selectors.overview_for_merchant(period=period)
    read = [
        set(re.findall(r'"disputes_dispute"\."(\w+)"', query["sql"]))
        for query in captured.captured_queries
        if 'FROM "disputes_dispute"' in query["sql"]
    ]
    opened = [columns for columns in read if columns.isdisjoint({"status", "resolved_at"})]
    assert len(opened) == 2, read
    for columns in opened:
        assert columns <= _index_columns("dispute_merchant_opened"), columns
    assert _index_columns("dispute_merchant_opened") >= {"merchant_id", "opened_at"}
