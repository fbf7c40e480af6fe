"""Pure date arithmetic for deadlines: calendar hours and days, and business days.

Business days follow a country's public holidays and weekend (the `holidays` package,
which also knows the weekend days some countries work, such as China's make-up days).
Days are counted in the time zone of `start`: pass an aware datetime in the party's own
zone when the local date matters; the result keeps that zone and the time of day.
"""

from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays

# A weekend with no public holidays: used for organizations with no (or an unknown) country.
DEFAULT_WEEKEND = frozenset({5, 6})  # Saturday, Sunday


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("Deadline arithmetic needs an aware datetime.")


@lru_cache(maxsize=1024)
def _country_year(country: str, year: int):
    # One object per country and year, built once per process: holiday rules are costly
    # to compute and the sweep and the services ask for the same few over and over.
    try:
        return holidays.country_holidays(country, years=year)
    except NotImplementedError:
        return None


def is_business_day(day: date, country: str) -> bool:
    calendar = _country_year(country.upper(), day.year) if country else None
    if calendar is None:
        return day.weekday() not in DEFAULT_WEEKEND
    return calendar.is_working_day(day)


def add_business_days(start: datetime, days: int, country: str) -> datetime:
    """The moment `days` business days after `start`, at the same local time.

    Starting on a weekend or a holiday counts from there: Saturday + 1 business day is
    Monday (or the first working day after it).
    """
    _require_aware(start)
    if days < 0:
        raise ValueError("days must not be negative")
    day = start.date()
    remaining = days
    while remaining:
        day += timedelta(days=1)
        if is_business_day(day, country):
            remaining -= 1
    # Re-attach the wall-clock time, so a deadline set at 10:00 falls due at 10:00 local.
    naive = datetime.combine(day, start.timetz().replace(tzinfo=None))
    return naive.replace(tzinfo=start.tzinfo)


def add_days(start: datetime, days: int) -> datetime:
    _require_aware(start)
    return start + timedelta(days=days)


def add_hours(start: datetime, hours: int) -> datetime:
    _require_aware(start)
    return start + timedelta(hours=hours)
