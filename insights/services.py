"""The daily summaries (models.SupplierDay and MerchantDay), kept by Celery beat.

Each run brings every merchant's rows up to yesterday (UTC): the days that passed since the
last run, and the days its order lines changed since (orders.LineDayChange, which the run
deletes once counted). All of it is recomputed from the lines, never adjusted, so a run is
idempotent and a run that fails leaves the merchant as it was, to be redone by the next.
"""

from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import Organization, OrganizationKind
from core.tenancy import cross_tenant_scope
from insights.models import MerchantDay, SupplierDay, SupplierDayState
from insights.ship_timing import (
    changed_allowed_days,
    default_allowed_days,
    on_time,
    with_ship_timing,
)
from orders.models import LineDayChange, Order, OrderLine

DAY = timedelta(days=1)
# A state no run wrote yet: every day is recomputed.
NEVER = date(1970, 1, 1)


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def day_ranges(days) -> list[tuple[date, date]]:
    """Consecutive days merged: [(first, after last), ...]."""
    ranges: list[list[date]] = []
    for day in sorted(set(days)):
        if ranges and ranges[-1][1] == day:
            ranges[-1][1] = day + DAY
        else:
            ranges.append([day, day + DAY])
    return [(first, after) for first, after in ranges]


def supplier_days_refresh() -> int:
    """Bring every merchant's SupplierDay and MerchantDay rows up to yesterday; answer the
    days recomputed."""
    today = timezone.now().astimezone(UTC).date()
    recomputed = 0
    with cross_tenant_scope(reason="insights: the daily supplier figures of every merchant"):
        merchant_ids = list(
            Organization.objects.filter(kind=OrganizationKind.MERCHANT).values_list("pk", flat=True)
        )
        changed = changed_allowed_days(merchant_ids)
        for merchant_id in merchant_ids:
            allowed_days = changed.get(merchant_id, default_allowed_days())
            recomputed += _merchant_refresh(merchant_id, today, allowed_days)
    return recomputed


def _merchant_refresh(merchant_id, today: date, allowed_days: int) -> int:
    # The state row exists before it is locked, so that two runs at once take turns.
    SupplierDayState.cross_tenant_objects.bulk_create(
        [SupplierDayState(merchant_id=merchant_id, summarized_before=NEVER, allowed_days=0)],
        ignore_conflicts=True,
    )
    with transaction.atomic():
        state = SupplierDayState.cross_tenant_objects.select_for_update().get(
            merchant_id=merchant_id
        )
        changes = list(
            LineDayChange.cross_tenant_objects.filter(merchant_id=merchant_id).values_list(
                "pk", "day"
            )
        )
        if state.allowed_days != allowed_days or state.summarized_before == NEVER:
            ranges = [(NEVER, today)]  # another allowance: every day counts again
        else:
            changed_days = [day for _pk, day in changes if day < state.summarized_before]
            ranges = day_ranges(changed_days)
            if state.summarized_before < today:
                ranges.append((state.summarized_before, today))
        if ranges:
            _recompute(merchant_id, ranges, allowed_days)
        # Only the rows read: a change committed meanwhile waits for the next run.
        LineDayChange.cross_tenant_objects.filter(pk__in=[pk for pk, _day in changes]).delete()
        state.summarized_before = today
        state.allowed_days = allowed_days
        state.save(update_fields=["summarized_before", "allowed_days"])
    return sum((after - first).days for first, after in ranges if first != NEVER)


def _recompute(merchant_id, ranges: list[tuple[date, date]], allowed_days: int) -> None:
    days = Q()
    moments = Q()
    for first, after in ranges:
        days |= Q(day__gte=first, day__lt=after)
        moments |= Q(placed_at__gte=day_start(first), placed_at__lt=day_start(after))
    SupplierDay.cross_tenant_objects.filter(days, merchant_id=merchant_id).delete()
    MerchantDay.cross_tenant_objects.filter(days, merchant_id=merchant_id).delete()
    orders = (
        Order.cross_tenant_objects.filter(moments, merchant_id=merchant_id)
        .annotate(day=TruncDate("placed_at", tzinfo=UTC))
        .values("day")
        .annotate(orders=Count("pk"))
        .order_by()
    )
    MerchantDay.cross_tenant_objects.bulk_create(
        (MerchantDay(merchant_id=merchant_id, **row) for row in orders.iterator()),
        batch_size=2000,
    )
    counted = (
        with_ship_timing(
            OrderLine.cross_tenant_objects.filter(moments, merchant_id=merchant_id),
            {merchant_id: allowed_days},
        )
        .annotate(day=TruncDate("placed_at", tzinfo=UTC))
        .values("supplier_id", "day")
        .annotate(
            orders=Count("order_id", distinct=True),
            lines=Count("pk"),
            on_time_lines=Count("pk", filter=on_time()),
        )
        .order_by()
    )
    SupplierDay.cross_tenant_objects.bulk_create(
        (SupplierDay(merchant_id=merchant_id, **row) for row in counted.iterator()),
        batch_size=2000,
    )
