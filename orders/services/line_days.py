"""Which days' order lines changed: every write of lines says so, in its own transaction.

Figures kept per day (insights' daily summary) trust a day only while no change row names
it, so a write is visible in them at once, whichever path made it.
"""

from collections.abc import Iterable
from datetime import UTC, datetime

from orders.models import LineDayChange


def line_days_changed(*, merchant_id, moments: Iterable[datetime]) -> None:
    """Note the UTC days of these `placed_at` moments as changed (one row per day)."""
    days = {moment.astimezone(UTC).date() for moment in moments if moment is not None}
    if days:
        LineDayChange.objects.bulk_create(
            LineDayChange(merchant_id=merchant_id, day=day) for day in sorted(days)
        )
