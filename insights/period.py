"""The period of every figure: `from` and `to`, local dates of the organization, inclusive."""

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ValidationFailed

DEFAULT_DAYS = 90
# Beyond this a "period" is a typo (year 20026), and by_week would be thousands of rows.
MAX_DAYS = 3660


@dataclass(frozen=True)
class Period:
    first_day: date
    last_day: date
    zone: zoneinfo.ZoneInfo

    @property
    def start(self) -> datetime:
        """The first instant of the period (aware)."""
        return datetime.combine(self.first_day, time.min, tzinfo=self.zone)

    @property
    def end(self) -> datetime:
        """The first instant after the period: ranges are start <= t < end."""
        return datetime.combine(self.last_day + timedelta(days=1), time.min, tzinfo=self.zone)

    def weeks(self) -> list[date]:
        """The Mondays of the ISO weeks that cover the period."""
        monday = self.first_day - timedelta(days=self.first_day.weekday())
        mondays = []
        while monday <= self.last_day:
            mondays.append(monday)
            monday += timedelta(days=7)
        return mondays

    def as_dict(self) -> dict:
        return {"from": self.first_day.isoformat(), "to": self.last_day.isoformat()}


def organization_zone(organization) -> zoneinfo.ZoneInfo:
    """The organization's zone; the platform (None) counts its days in UTC."""
    try:
        return zoneinfo.ZoneInfo(getattr(organization, "time_zone", "") or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def period_parse(*, organization, first: str | None, last: str | None) -> Period:
    """`from`/`to` as sent; both optional (default: the last 90 days up to today)."""
    zone = organization_zone(organization)
    errors: dict[str, list] = {}
    last_day = _parse_date(last, "to", errors)
    first_day = _parse_date(first, "from", errors)
    if errors:
        raise ValidationFailed(field_errors=errors)
    if last_day is None:
        today = timezone.now().astimezone(zone).date()
        last_day = today if first_day is None else max(today, first_day)
    if first_day is None:
        first_day = last_day - timedelta(days=DEFAULT_DAYS - 1)
    if first_day > last_day:
        raise ValidationFailed(field_errors={"from": [_("'from' must not be after 'to'.")]})
    if (last_day - first_day).days >= MAX_DAYS:
        raise ValidationFailed(
            field_errors={"from": [_("A period is at most %(days)d days.") % {"days": MAX_DAYS}]}
        )
    return Period(first_day=first_day, last_day=last_day, zone=zone)


def _parse_date(value: str | None, name: str, errors: dict) -> date | None:
    if value is None or value == "":
        return None
    try:
        if len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        errors[name] = [_("Give a date as YYYY-MM-DD.")]
        return None
