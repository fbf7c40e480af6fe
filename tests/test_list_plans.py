"""The main list queries read their tenant-first index (EXPLAIN, not a stopwatch).

Test tables are tiny, so Postgres would rather scan them whole; with sequential scans,
bitmap scans and sorts discouraged the plan shows which index the query's shape can use
at all: a list whose filter or order drifted away from its index would fall back to a
sort over every row of the tenant, which is what a merchant with a million orders cannot
afford.
"""

import pytest
from django.db import connection, transaction

from core.tenancy import organization_scope
from disputes import selectors as dispute_selectors
from orders import selectors as order_selectors


def plan(queryset) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        # Nor a bitmap scan and a sort, which a tiny table with fresh statistics may favour
        # over the ordered index scan; a query that cannot use the index still sorts.
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        return queryset.explain()


@pytest.mark.parametrize(
    ("name", "build", "index"),
    [
        (
            "disputes, newest first",
            lambda: dispute_selectors.dispute_list_for_merchant().order_by("-id")[:26],
            "dispute_merchant_recent",
        ),
        (
            "disputes of one status",
            lambda: dispute_selectors.dispute_list_for_merchant(
                filters=dispute_selectors.DisputeFilters(status="awaiting_supplier")
            ).order_by("-id")[:26],
            # Either tenant-first index keeps the rows in order; which one costs less depends
            # on the tiny test table's statistics of the moment.
            ("dispute_merchant_status", "dispute_merchant_recent"),
        ),
        (
            "orders, newest first",
            lambda: order_selectors.order_list_for_merchant()[:51],
            "order_merchant_placed",
        ),
    ],
)
def test_merchant_lists_scan_their_tenant_first_index(world, name, build, index):
    with organization_scope(world.acme):
        explained = plan(build())
    indexes = (index,) if isinstance(index, str) else index
    assert any(
        f"Index Scan using {name} " in explained
        or f"Index Scan Backward using {name} " in explained
        for name in indexes
    ), (name, explained)
    # Rows come in the index order: no sort of the tenant's rows.
    assert "Sort" not in explained, (name, explained)


def test_the_portal_inbox_reads_its_index(world):
    # The inbox's page: the supplier's most urgent disputes across merchants in index order,
    # so that a page never sorts every open dispute of a busy supplier.
    with organization_scope(world.shenzhen):
        page = dispute_selectors.dispute_inbox_for_supplier(view="open")[:51]
        explained = plan(page)
    assert "Index Scan using dispute_supplier_inbox" in explained, explained
    assert "Sort" not in explained, explained
