"""`cross_tenant_objects` (the unscoped manager) only where this list says, and why.

The one rule for tenant rows: work done on behalf of another party runs in the owner's
scope (core.tenancy.owner_scope), deliberate cross-tenant work under the audited system
context (cross_tenant_scope). A new production use of the unscoped manager fails here
until it is listed with its reason, or rewritten to one of those; row-level security
still walls each of them by the scope the statement runs in.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

ALLOWED = {
    "core/tenancy.py": (2, "the manager's definition"),
    "accounts/models.py": (2, "the audit log's managers (it has no merchant column)"),
    "core/testing.py": (1, "test factories write every tenant's rows (test set-up)"),
    "orders/models.py": (
        1,
        "Order.visible_to's subquery over the supplier's own lines, inside the scope filter",
    ),
    "orders/services/orders.py": (
        2,
        "re-read by primary key to lock an order found in the caller's scope; a connector "
        "writes its merchant's unassigned lines by (merchant, external id)",
    ),
    "orders/services/imports.py": (1, "the import row locked by primary key, in its scope"),
    "orders/services/shipments.py": (
        1,
        "the order locked by primary key in the merchant's scope: its status counts every "
        "line, other suppliers' too",
    ),
    "disputes/selectors.py": (
        1,
        "open claims on order lines the caller already holds, as the one-open-dispute-a-line "
        "constraint sees them",
    ),
    "disputes/services/merchant_policies.py": (
        3,
        "the merchant owner's own policy rows, filtered by that merchant",
    ),
    "disputes/scale_data.py": (3, "benchmark data for every merchant, under the system context"),
    "deadlines/api/views.py": (1, "an empty queryset for the schema generator"),
    "deadlines/selectors.py": (
        5,
        "the merchant's rule settings, history and a subject's deadlines, filtered by them; "
        "the rule settings of merchants a shipping desk serves (in the caller's scope)",
    ),
    "deadlines/services.py": (
        10,
        "the sweep's claim, load and marks (system context, the raw SQL claim beside them); "
        "a merchant's rule setting update, filtered by that merchant; pending deadlines of a "
        "subject that is no tenant row, in the caller's scope; a deadline plan's withdrawal and "
        "insert, in the merchant's scope (DeadlinePlan.flush)",
    ),
    "notifications/services.py": (
        20,
        "deliveries claimed (with the due rows of the same merchant), leased and finished "
        "by id in the task's scope (core.tasks) or "
        "by the outbox sweep (system context); a merchant owner's webhook endpoints; the "
        "rows of one change written together in the merchant's scope (notify_all)",
    ),
    "notifications/selectors.py": (
        1,
        "the bell counts the reader's own notifications in each of their organizations "
        "(system context, filtered by the user)",
    ),
    "insights/services.py": (
        10,
        "the daily supplier and merchant summaries' refresh, every merchant's days (its task "
        "runs under the system context)",
    ),
    "insights/coverage.py": (
        2,
        "which days of the merchants the summary covers and which changed since (dates, "
        "under the system context)",
    ),
    "insights/ship_timing.py": (
        1,
        "the ship-reminder rule of the merchants the caller's scope picked (system context)",
    ),
    "connectors/services/processing.py": (
        4,
        "a delivery's event claimed by id in its task's scope; the connector sweep (system "
        "context) finds the events never processed",
    ),
    "suppliers/services.py": (1, "a link is both parties': created by the merchant's side"),
    "bench/ceiling.py": (1, "benchmark, run on demand"),
    "bench/connectors.py": (7, "benchmark set-up and clean-up, run on demand"),
    "bench/deadlines.py": (3, "benchmark set-up and clean-up, run on demand"),
    "bench/fanout.py": (4, "benchmark set-up and clean-up, run on demand"),
    "bench/notifications.py": (3, "benchmark set-up and clean-up, run on demand"),
}


def _production_files():
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0].startswith(".") or parts[0] in {"var", "node_modules"}:
            continue
        if "tests" in parts or "migrations" in parts or path.name == "conftest.py":
            continue
        yield path


def test_the_unscoped_manager_is_used_only_where_listed_with_a_reason():
    found = {}
    for path in _production_files():
        count = path.read_text(encoding="utf-8").count("cross_tenant_objects")
        if count:
            found[path.relative_to(ROOT).as_posix()] = count
    listed = {path: count for path, (count, _reason) in ALLOWED.items()}
    # More than listed: a new use to justify here or rewrite; fewer: lower the count.
    assert found == listed
    assert all(reason for _count, reason in ALLOWED.values())
