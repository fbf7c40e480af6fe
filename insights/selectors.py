"""Every figure of API.md's "Analytics", computed by the database (grouped aggregates;
Python only formats the few rows that come back), on the replica when there is one
(core.replicas).

Reads run in the caller's tenant scope: a merchant's figures see only its rows, a supplier's
scorecard only the lines and disputes addressed to it.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from core.replicas import on_replica, reads_on_replica
from disputes.models import (
    OPEN_STATUSES,
    Dispute,
    DisputeLine,
    DisputeStatus,
    LedgerEntry,
    LedgerSide,
)
from disputes.selectors import overdue_now
from insights.aggregates import HoursBetween, Median
from insights.coverage import merchant_day_rows, period_split, summary_rows
from insights.period import Period
from insights.ship_timing import on_time, with_ship_timing
from orders.models import Order, OrderLine
from suppliers.selectors import supplier_list_for_merchant

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
MONEY_FIELD = DecimalField(max_digits=16, decimal_places=2)
ZERO = Value(Decimal("0.00"), output_field=MONEY_FIELD)
NOT_OPEN = (DisputeStatus.RESOLVED, DisputeStatus.CLOSED, DisputeStatus.CANCELLED)


# Formatting: rates and medians are decimal strings with two places; over nothing, None.


def rate(part: int, whole: int) -> str | None:
    if not whole:
        return None
    return str((Decimal(part) * HUNDRED / Decimal(whole)).quantize(CENT, ROUND_HALF_UP))


def hours(value: float | None) -> str | None:
    if value is None:
        return None
    return str(Decimal(repr(value)).quantize(CENT, ROUND_HALF_UP))


def amount(value: Decimal) -> str:
    return str(value.quantize(CENT, ROUND_HALF_UP))


def money_rows(rows) -> list[dict]:
    """One row per currency (sorted by code); amounts of two currencies are never added."""
    return [
        {
            "currency": row["currency"],
            "refunded_to_customers": amount(row["refunded"]),
            "recovered_from_suppliers": amount(row["recovered"]),
            "net_loss": amount(row["refunded"] - row["recovered"]),
        }
        for row in rows
    ]


# Period filters and per-dispute expressions.


def _between(field: str, period: Period) -> Q:
    return Q(**{f"{field}__gte": period.start, f"{field}__lt": period.end})


def _resolved_in(period: Period) -> Q:
    """Reached resolved or closed during the period."""
    return _between("resolved_at", period) | _between("closed_at", period)


def _reached_at(period: Period):
    """When a dispute of `_resolved_in` reached resolved/closed within the period."""
    return Case(When(_between("resolved_at", period), then=F("resolved_at")), default="closed_at")


def _with_first_response(disputes: QuerySet) -> QuerySet:
    """Annotate hours from the supplier's clock start to its first answer (or None).

    The disputes domain stores the first answer (disputes.policies says what counts and when
    the clock starts: opening, or the evidence's arrival for a reason that needs it).
    """
    clock_start = Case(
        When(evidence_required=True, then=F("evidence_received_at")), default=F("opened_at")
    )
    return disputes.annotate(first_response_hours=HoursBetween(F("first_response_at"), clock_start))


def _money_by(period: Period, *group) -> QuerySet:
    return (
        LedgerEntry.objects.filter(_between("dispute__opened_at", period))
        .values(*group, "currency")
        .annotate(
            refunded=Coalesce(
                Sum("amount", filter=Q(side=LedgerSide.CUSTOMER)), ZERO, output_field=MONEY_FIELD
            ),
            recovered=Coalesce(
                Sum("amount", filter=Q(side=LedgerSide.SUPPLIER)), ZERO, output_field=MONEY_FIELD
            ),
        )
        .order_by(*group, "currency")
    )


# The merchant's overview.


@reads_on_replica
def overview_for_merchant(*, period: Period) -> dict:
    orders = _order_count(period)
    opened_in = _between("opened_at", period)
    resolved_in = _resolved_in(period)
    zone = period.zone
    # Each query reads only the disputes it is about, by its own index where it has one
    # (opened, resolved or closed in the period); the merchant's open disputes once.
    opened_counts = list(
        Dispute.objects.filter(opened_in)
        .annotate(week=TruncWeek("opened_at", tzinfo=zone))
        .values("week", "kind", "reason")
        .annotate(count=Count("pk"))
        .order_by()
    )
    opened = _with_first_response(Dispute.objects.filter(opened_in)).aggregate(
        median_first_response=Median("first_response_hours")
    )
    resolved = Dispute.objects.filter(resolved_in).aggregate(
        count=Count("pk"),
        median_resolution=Median(
            HoursBetween(Coalesce("resolved_at", "closed_at"), F("opened_at"))
        ),
    )
    resolved_by_week = (
        Dispute.objects.filter(resolved_in)
        .annotate(week=TruncWeek(_reached_at(period), tzinfo=zone))
        .values("week")
        .annotate(count=Count("pk"))
        .order_by()
    )
    # Both counts read only unfinished disputes (a resolved one can still be overdue).
    now = Dispute.objects.filter(status__in=OPEN_STATUSES).aggregate(
        open_now=Count("pk", filter=~Q(status__in=NOT_OPEN)),
        # Exactly what GET /api/v1/disputes/?overdue=true lists, by the same filter.
        overdue_now=Count("pk", filter=overdue_now()),
    )
    # Python only adds up the few (week, kind, reason) rows.
    by_reason: dict = defaultdict(int)
    opened_by_week: dict = defaultdict(int)
    for row in opened_counts:
        by_reason[(row["kind"], row["reason"])] += row["count"]
        opened_by_week[_local_date(row["week"], zone)] += row["count"]
    disputes_opened = sum(by_reason.values())
    resolved_weeks = {_local_date(row["week"], zone): row["count"] for row in resolved_by_week}
    return {
        "period": period.as_dict(),
        "orders": orders,
        "disputes_opened": disputes_opened,
        "disputes_resolved": resolved["count"],
        "open_now": now["open_now"],
        "overdue_now": now["overdue_now"],
        "dispute_rate": rate(disputes_opened, orders),
        "median_first_response_hours": hours(opened["median_first_response"]),
        "median_resolution_hours": hours(resolved["median_resolution"]),
        "by_reason": [
            {"kind": kind, "reason": reason, "count": count}
            for (kind, reason), count in sorted(
                by_reason.items(), key=lambda item: (-item[1], *item[0])
            )
        ],
        "by_week": [
            {
                "week_start": monday.isoformat(),
                "opened": opened_by_week.get(monday, 0),
                "resolved": resolved_weeks.get(monday, 0),
            }
            for monday in period.weeks()
        ],
        "money": money_rows(_money_by(period)),
    }


def _order_count(period: Period) -> int:
    """The merchant's orders placed in the period: whole days from the daily summary, the
    rest from the orders (insights.coverage); an order falls in exactly one part."""
    split = period_split(period)
    count = 0
    if split.has_summary:
        count += merchant_day_rows(split).aggregate(orders=Sum("orders"))["orders"] or 0
    if split.has_live:
        count += Order.objects.filter(split.live).count()
    return count


def _local_date(moment, zone):
    if hasattr(moment, "astimezone"):
        return (
            timezone.localtime(moment, zone).date() if timezone.is_aware(moment) else moment.date()
        )
    return moment


# Suppliers: the merchant's rows, and a supplier's own scorecard.


@dataclass
class SupplierFigures:
    orders: int = 0
    lines: int = 0
    on_time: int = 0
    disputes: int = 0
    arbitrated: int = 0
    median_first_response: float | None = None

    def as_dict(self) -> dict:
        return {
            "orders": self.orders,
            "disputes": self.disputes,
            "dispute_rate": rate(self.disputes, self.orders),
            "median_first_response_hours": hours(self.median_first_response),
            "on_time_ship_rate": rate(self.on_time, self.lines),
            "arbitration_rate": rate(self.arbitrated, self.disputes),
        }


def summary_line_counts(split) -> QuerySet:
    """Orders, lines and on-time lines per supplier over the split's summarized days."""
    return (
        summary_rows(split)
        .values("supplier_id")
        .annotate(orders=Sum("orders"), lines=Sum("lines"), on_time=Sum("on_time_lines"))
        .order_by()
    )


def live_line_counts(split) -> QuerySet:
    """The same figures over the split's other hours, from the lines themselves."""
    return (
        with_ship_timing(OrderLine.objects.filter(split.live))
        .values("supplier_id")
        .annotate(
            # Lines counted by their (never null) order, not their id: the period indexes
            # hold every column read here, so the table itself is not read.
            orders=Count("order_id", distinct=True),
            lines=Count("order_id"),
            on_time=Count("order_id", filter=on_time()),
        )
        .order_by()
    )


def _supplier_line_rows(period: Period):
    """Orders, lines and on-time lines per supplier: whole days from the daily summary, the
    rest from the lines (insights.coverage); the parts add up."""
    split = period_split(period)
    if split.has_summary:
        yield from summary_line_counts(split)
    if split.has_live:
        yield from live_line_counts(split)


def _supplier_figures(period: Period) -> dict:
    """Figures of every supplier in the scope, keyed by supplier id: a few grouped queries."""
    figures: dict = {}
    for row in _supplier_line_rows(period):
        entry = figures.setdefault(row["supplier_id"], SupplierFigures())
        entry.orders += row["orders"]
        entry.lines += row["lines"]
        entry.on_time += row["on_time"]
    disputes = (
        _with_first_response(Dispute.objects.filter(_between("opened_at", period)))
        .values("supplier_id")
        .annotate(
            disputes=Count("pk"),
            arbitrated=Count("pk", filter=Q(arbitration_requested_at__isnull=False)),
            median_first_response=Median("first_response_hours"),
        )
        .order_by()
    )
    for row in disputes:
        entry = figures.setdefault(row["supplier_id"], SupplierFigures())
        entry.disputes = row["disputes"]
        entry.arbitrated = row["arbitrated"]
        entry.median_first_response = row["median_first_response"]
    return figures


@reads_on_replica
def supplier_rows_for_merchant(*, period: Period) -> list[dict]:
    """One row per linked supplier, by name; suppliers with nothing in the period included."""
    suppliers = list(supplier_list_for_merchant().order_by("name", "slug"))
    figures = _supplier_figures(period)
    money: dict = {}
    for row in _money_by(period, "dispute__supplier_id"):
        money.setdefault(row["dispute__supplier_id"], []).append(row)
    return [
        {
            "supplier": {"slug": supplier.slug, "name": supplier.name},
            **figures.get(supplier.pk, SupplierFigures()).as_dict(),
            "money": money_rows(money.get(supplier.pk, [])),
        }
        for supplier in suppliers
    ]


@reads_on_replica
def scorecard_for_supplier(*, supplier, period: Period) -> dict:
    """The supplier's own figures across all its merchants (its scope sees only its rows)."""
    figures = _supplier_figures(period).get(supplier.pk, SupplierFigures())
    return {"supplier": {"slug": supplier.slug, "name": supplier.name}, **figures.as_dict()}


@reads_on_replica
def supplier_trend_for_merchant(*, supplier, period: Period) -> list[dict]:
    """A linked supplier's disputes and orders week by week over the period."""
    zone = period.zone
    orders = (
        OrderLine.objects.filter(_between("placed_at", period), supplier=supplier)
        .annotate(week=TruncWeek("placed_at", tzinfo=zone))
        .values("week")
        .annotate(count=Count("order_id", distinct=True))
        .order_by()
    )
    disputes = (
        Dispute.objects.filter(_between("opened_at", period), supplier=supplier)
        .annotate(week=TruncWeek("opened_at", tzinfo=zone))
        .values("week")
        .annotate(count=Count("pk"))
        .order_by()
    )
    orders_by_week = {_local_date(row["week"], zone): row["count"] for row in orders}
    disputes_by_week = {_local_date(row["week"], zone): row["count"] for row in disputes}
    return [
        {
            "week_start": monday.isoformat(),
            "orders": orders_by_week.get(monday, 0),
            "disputes": disputes_by_week.get(monday, 0),
            "dispute_rate": rate(disputes_by_week.get(monday, 0), orders_by_week.get(monday, 0)),
        }
        for monday in period.weeks()
    ]


# Products.


@reads_on_replica
def product_rows_for_merchant(*, period: Period, supplier=None) -> list[dict]:
    """Per sku: orders and disputes of the period and the most frequent reason, most
    disputes first (then by sku).

    Two grouped queries (orders per sku; disputes per sku and reason); Python only merges
    their rows. A dispute has one reason, so a sku's disputes are the sum of its per-reason
    counts. A sku disputed in the period on an older order is listed too, with the orders
    of the period (maybe none).
    """
    lines = OrderLine.objects.filter(_between("placed_at", period))
    disputed = DisputeLine.objects.filter(_between("dispute__opened_at", period))
    if supplier is not None:
        lines = lines.filter(supplier=supplier)
        disputed = disputed.filter(supplier=supplier)
    rows: dict[str, dict] = {}
    ordered = (
        lines.values("sku")
        .annotate(title=Max("title"), orders=Count("order_id", distinct=True))
        .order_by()
    )
    for row in ordered:
        rows[row["sku"]] = {**row, "disputes": 0, "top_reason": None}
    reasons = (
        disputed.values(sku=F("order_line__sku"), reason=F("dispute__reason"))
        .annotate(title=Max("order_line__title"), count=Count("dispute_id", distinct=True))
        .order_by("sku", "-count", "reason")
    )
    not_ordered = set()
    for row in reasons:
        if row["sku"] not in rows:
            not_ordered.add(row["sku"])
            rows[row["sku"]] = {"sku": row["sku"], "title": row["title"], "orders": 0}
            rows[row["sku"]].update(disputes=0, top_reason=None)
        entry = rows[row["sku"]]
        if entry["top_reason"] is None:  # the first is the most frequent (ties: by code)
            entry["top_reason"] = row["reason"]
        if row["sku"] in not_ordered:  # its title from its disputed lines, as for orders
            entry["title"] = max(entry["title"], row["title"])
        entry["disputes"] += row["count"]
    return sorted(rows.values(), key=lambda row: (-row["disputes"], row["sku"]))


def product_row(row: dict) -> dict:
    return {
        "sku": row["sku"],
        "title": row["title"],
        "orders": row["orders"],
        "disputes": row["disputes"],
        "dispute_rate": rate(row["disputes"], row["orders"]),
        "top_reason": row["top_reason"],
    }


@reads_on_replica
def supplier_comparison_for_merchant(*, supplier, period: Period) -> list[dict]:
    """For each sku the supplier ships, every linked supplier of that sku side by side.

    Rows: sku, supplier, orders, disputes, dispute_rate, on_time_ship_rate; the skus come
    from the given supplier's lines in the period (at most 50, most disputed first).
    """
    skus = [row["sku"] for row in product_rows_for_merchant(period=period, supplier=supplier)][:50]
    rows = (
        with_ship_timing(OrderLine.objects.filter(_between("placed_at", period), sku__in=skus))
        .values("sku", "supplier_id", "supplier__slug", "supplier__name")
        .annotate(
            orders=Count("order_id", distinct=True),
            lines=Count("pk"),
            on_time=Count("pk", filter=on_time()),
        )
        .order_by("sku", "supplier__name")
    )
    disputes = dict(
        (
            (row["lines__sku"], row["supplier_id"]),
            row["count"],
        )
        for row in Dispute.objects.filter(_between("opened_at", period), lines__sku__in=skus)
        .values("lines__sku", "supplier_id")
        .annotate(count=Count("pk", distinct=True))
        .order_by()
    )
    answer = []
    for row in rows:
        count = disputes.get((row["sku"], row["supplier_id"]), 0)
        answer.append(
            {
                "sku": row["sku"],
                "supplier": {"slug": row["supplier__slug"], "name": row["supplier__name"]},
                "is_this_supplier": row["supplier_id"] == supplier.pk,
                "orders": row["orders"],
                "disputes": count,
                "dispute_rate": rate(count, row["orders"]),
                "on_time_ship_rate": rate(row["on_time"], row["lines"]),
            }
        )
    return answer


def ledger_entries_for_merchant(*, period: Period) -> QuerySet:
    """Ledger entries recorded in the period, for the export (oldest first)."""
    return on_replica(
        LedgerEntry.objects.filter(_between("recorded_at", period))
        .select_related("dispute", "dispute__supplier")
        .order_by("recorded_at", "id")
    )


# The platform's view (admin, across tenants: the caller holds a cross-tenant scope).

PLATFORM_ROWS = 20


@reads_on_replica
def platform_overview(*, period: Period) -> dict:
    """Disputes per merchant and per supplier, the arbitration queue's age, and the suppliers
    slowest to answer (candidates to lose verification)."""
    opened_in = _between("opened_at", period)
    per_merchant = (
        Dispute.objects.values("merchant_id", "merchant__name", "merchant__slug")
        .annotate(
            opened=Count("pk", filter=opened_in),
            open_now=Count("pk", filter=~Q(status__in=NOT_OPEN)),
            arbitrated=Count("pk", filter=opened_in & Q(arbitration_requested_at__isnull=False)),
        )
        .filter(Q(opened__gt=0) | Q(open_now__gt=0))
        .order_by("-opened", "merchant__name")[:PLATFORM_ROWS]
    )
    per_supplier = (
        _with_first_response(Dispute.objects.all())
        .values("supplier_id", "supplier__name", "supplier__slug", "supplier__verified")
        .annotate(
            opened=Count("pk", filter=opened_in),
            open_now=Count("pk", filter=~Q(status__in=NOT_OPEN)),
            median_first_response=Median("first_response_hours", filter=opened_in),
        )
        .filter(opened__gt=0)
    )
    busiest = per_supplier.order_by("-opened", "supplier__name")[:PLATFORM_ROWS]
    # A supplier that answered nothing in the period has no median: it shows among the
    # busiest with its open disputes, not here.
    slowest = per_supplier.filter(median_first_response__isnull=False).order_by(
        F("median_first_response").desc(), "supplier__name"
    )[:10]
    now = timezone.now()
    queue = Dispute.objects.filter(status=DisputeStatus.IN_ARBITRATION).aggregate(
        waiting=Count("pk"),
        oldest=Min("arbitration_requested_at"),
        median_age=Median(HoursBetween(Value(now), F("arbitration_requested_at"))),
    )
    return {
        "period": period,
        "per_merchant": list(per_merchant),
        "per_supplier": [_with_hours(row) for row in busiest],
        "slowest_suppliers": [_with_hours(row) for row in slowest],
        "queue": {
            "waiting": queue["waiting"],
            "oldest_hours": hours(
                None if queue["oldest"] is None else (now - queue["oldest"]).total_seconds() / 3600
            ),
            "median_hours": hours(queue["median_age"]),
        },
    }


def _with_hours(row: dict) -> dict:
    return {**row, "median_first_response_hours": hours(row["median_first_response"])}
