from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from deadlines import calendar


def at(*args, tz=UTC):
    return datetime(*args, tzinfo=tz)


def test_us_thanksgiving_and_the_weekend_are_skipped():
    # Wednesday 25 November 2026, the day before Thanksgiving.
    start = at(2026, 11, 25, 10, 30)
    assert calendar.add_business_days(start, 1, "US") == at(2026, 11, 27, 10, 30)  # Friday
    assert calendar.add_business_days(start, 2, "US") == at(2026, 11, 30, 10, 30)  # Monday


def test_christmas_and_new_year_are_skipped_in_germany():
    start = at(2026, 12, 23, 9)  # Wednesday
    # 24th (Thursday) works; 25th and 26th are holidays; 26th/27th a weekend; 31st works.
    assert calendar.add_business_days(start, 1, "DE") == at(2026, 12, 24, 9)
    assert calendar.add_business_days(start, 2, "DE") == at(2026, 12, 28, 9)
    assert calendar.add_business_days(start, 5, "DE") == at(2026, 12, 31, 9)
    assert calendar.add_business_days(start, 6, "DE") == at(2027, 1, 4, 9)


def test_chinese_national_day_week_and_its_make_up_saturday():
    # 1-7 October 2026 are holidays; Saturday 10 October is a working day in China.
    start = at(2026, 9, 30, 8, tz=ZoneInfo("Asia/Shanghai"))
    assert calendar.add_business_days(start, 1, "CN") == at(
        2026, 10, 8, 8, tz=ZoneInfo("Asia/Shanghai")
    )
    assert calendar.add_business_days(start, 3, "CN") == at(
        2026, 10, 10, 8, tz=ZoneInfo("Asia/Shanghai")
    )


def test_weekend_start_counts_from_the_next_working_day():
    saturday = at(2026, 6, 6, 15)
    assert calendar.add_business_days(saturday, 1, "US") == at(2026, 6, 8, 15)


def test_a_country_with_a_friday_saturday_weekend():
    thursday = at(2026, 6, 4, 12)
    assert calendar.add_business_days(thursday, 1, "IL") == at(2026, 6, 7, 12)  # Sunday


def test_unknown_or_missing_country_keeps_only_the_weekend():
    friday = at(2026, 11, 27, 12)
    assert calendar.add_business_days(friday, 1, "") == at(2026, 11, 30, 12)
    assert calendar.add_business_days(friday, 1, "XX") == at(2026, 11, 30, 12)


def test_hours_and_days_are_calendar_time():
    start = at(2026, 11, 25, 23)
    assert calendar.add_hours(start, 48) == at(2026, 11, 27, 23)
    assert calendar.add_days(start, 2) == at(2026, 11, 27, 23)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        calendar.add_business_days(datetime(2026, 1, 1), 1, "US")  # noqa: DTZ001


@time_machine.travel(datetime(2026, 11, 25, 17, 0, tzinfo=UTC), tick=False)
def test_frozen_clock_rule_due_time_across_thanksgiving_weekend():
    from django.utils import timezone

    from deadlines.registry import rule_get

    REFUND_EXECUTION = rule_get("refund-execution")
    values = REFUND_EXECUTION.defaults()  # 2 business days
    due = REFUND_EXECUTION.due_at(values, start_at=timezone.now(), number=None, country="US")
    assert due == at(2026, 11, 30, 17)
    assert due - timezone.now() == timedelta(days=5)
