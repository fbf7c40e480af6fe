"""Which part of a period the daily summaries answer, and which the lines (or orders) do.

A period runs from a local midnight to another (the organization's zone). The summary
(models.SupplierDay) holds whole UTC days before its merchant's `summarized_before`; it
answers the whole UTC days inside the period, except days whose lines changed since they
were counted (orders.LineDayChange). The lines answer the rest: the hours at either end,
the days since the last refresh (today at least), the changed days, and every merchant
whose summary is missing or counted with another ship-reminder allowance. An order's lines
share its `placed_at`, so each order falls in exactly one part and the parts add up.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, timedelta

from django.db.models import Q

from accounts.models import Organization, OrganizationKind
from core.tenancy import cross_tenant_scope, current_organization
from insights.models import MerchantDay, SupplierDay, SupplierDayState
from insights.period import Period
from insights.services import day_ranges, day_start
from insights.ship_timing import changed_allowed_days, default_allowed_days
from orders.models import LineDayChange

DAY = timedelta(days=1)
# Beyond this many changed days in a period a merchant's lines answer it all: one range
# instead of hundreds in the query.
MAX_CHANGED_DAYS = 60


@dataclass
class PeriodSplit:
    summary: Q = field(default_factory=Q)  # over SupplierDay or MerchantDay
    live: Q = field(default_factory=Q)  # over OrderLine or Order (both have placed_at)
    has_summary: bool = False
    has_live: bool = False

    def count_in_summary(self, merchant_ids, first: date, after: date) -> None:
        self.summary |= Q(merchant_id__in=merchant_ids, day__gte=first, day__lt=after)
        self.has_summary = True

    def count_live(self, merchant_ids, start, end) -> None:
        if start < end:
            self.live |= Q(merchant_id__in=merchant_ids, placed_at__gte=start, placed_at__lt=end)
            self.has_live = True


def _first_whole_day(moment) -> date:
    day = moment.astimezone(UTC).date()
    return day if day_start(day) == moment else day + DAY


def period_split(period: Period) -> PeriodSplit:
    """Split `period` for the scope's merchants: the merchant itself, or every merchant (a
    supplier's scorecard; the scope then keeps only the supplier's own rows and lines)."""
    organization = current_organization()
    states = SupplierDayState.cross_tenant_objects.values_list(
        "merchant_id", "summarized_before", "allowed_days"
    )
    merchant = organization is not None and organization.is_merchant
    if merchant:
        states = states.filter(merchant_id=organization.pk)
    # How far each merchant's days are summarized: dates, no merchant's data; a supplier's
    # scorecard needs those of every merchant (its lines stay walled by its own scope).
    with cross_tenant_scope(reason="which days of the merchants the supplier summary covers"):
        states = list(states)
    changed = changed_allowed_days([merchant_id for merchant_id, _before, _days in states])
    default = default_allowed_days()
    summarized_before = {
        merchant_id: before
        for merchant_id, before, days in states
        if days == changed.get(merchant_id, default)
    }
    split = PeriodSplit()
    if merchant:
        uncovered = [] if summarized_before else [organization.pk]
    else:
        uncovered = list(
            Organization.objects.filter(kind=OrganizationKind.MERCHANT)
            .exclude(pk__in=list(summarized_before))
            .values_list("pk", flat=True)
        )
    if uncovered:
        split.count_live(uncovered, period.start, period.end)
    first = _first_whole_day(period.start)
    after_last = period.end.astimezone(UTC).date()  # days before it end by the period's end
    changed_days = defaultdict(list)
    if summarized_before and first < after_last:
        with cross_tenant_scope(reason="which summarized days changed since"):
            changes = list(
                LineDayChange.cross_tenant_objects.filter(
                    merchant_id__in=list(summarized_before), day__gte=first, day__lt=after_last
                )
                .values_list("merchant_id", "day")
                .distinct()
            )
        for merchant_id, day in changes:
            changed_days[merchant_id].append(day)
    by_watermark = defaultdict(list)
    for merchant_id, before in summarized_before.items():
        if len(changed_days[merchant_id]) > MAX_CHANGED_DAYS:
            split.count_live([merchant_id], period.start, period.end)
        else:
            by_watermark[min(before, after_last)].append(merchant_id)
    for covered_until, merchant_ids in by_watermark.items():
        if first >= covered_until:
            split.count_live(merchant_ids, period.start, period.end)
            continue
        split.count_in_summary(merchant_ids, first, covered_until)
        split.count_live(merchant_ids, period.start, day_start(first))
        split.count_live(merchant_ids, day_start(covered_until), period.end)
        for merchant_id in merchant_ids:
            days = [day for day in changed_days[merchant_id] if day < covered_until]
            for changed_first, changed_after in day_ranges(days):
                split.summary &= ~Q(
                    merchant_id=merchant_id, day__gte=changed_first, day__lt=changed_after
                )
                split.count_live([merchant_id], day_start(changed_first), day_start(changed_after))
    return split


def summary_rows(split: PeriodSplit):
    """SupplierDay rows of the split's summary part, in the scope."""
    return SupplierDay.objects.filter(split.summary)


def merchant_day_rows(split: PeriodSplit):
    """MerchantDay rows of the split's summary part, in the scope."""
    return MerchantDay.objects.filter(split.summary)
