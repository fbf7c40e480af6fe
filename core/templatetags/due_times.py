"""Due times as people read them: a countdown ("2 days left", "overdue by 3 h"), with the
exact time, in the reader's time zone, on hover."""

from datetime import datetime, timedelta
from functools import cache

from django import template
from django.utils import timezone
from django.utils.dateformat import DateFormat, re_escaped, re_formatchars
from django.utils.formats import get_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

register = template.Library()


def countdown_text(due: datetime, now: datetime) -> str:
    """ "2 days left", "5 h left", "overdue by 3 h": coarse on purpose, the hover is exact."""
    return DueTimes(now=now).countdown(due)


@cache
def _compiled(format_string: str) -> tuple[tuple[bool, str], ...]:
    """A date format split once into (is a format character, text), as Django's
    `DateFormat.format` splits it on every call."""
    pieces = []
    for index, piece in enumerate(re_formatchars.split(format_string)):
        if index % 2:
            pieces.append((True, piece))
        elif piece:
            pieces.append((False, re_escaped.sub(r"\1", piece)))
    return tuple(pieces)


class LocalDates:
    """`date_format(localtime(value), format_name)` for many values: the reader's time zone
    and the language's format are read once (the template filter `date` reads them per value)."""

    def __init__(self, format_name: str):
        self.zone = timezone.get_current_timezone()
        self.format = _compiled(str(get_format(format_name, get_language())))

    def __call__(self, value: datetime | None) -> str:
        if value is None:
            return ""
        written = DateFormat(timezone.localtime(value, self.zone))
        return "".join(
            str(getattr(written, piece)()) if is_format else piece
            for is_format, piece in self.format
        )


class DueTimes:
    """Writes `<time>` elements for one page: the clock, the language's words and its date
    format are read once, not once per due time (a list shows two per row)."""

    def __init__(self, *, now: datetime | None = None):
        self.now = now or timezone.now()
        self.exact = LocalDates("DATETIME_FORMAT")
        self.hours = _("%(count)d h")
        self.minutes = _("%(count)d min")
        self.overdue_by = _("overdue by %(time)s")
        self.left = _("%(time)s left")
        self.days: dict[int, str] = {}

    def countdown(self, due: datetime) -> str:
        remaining = due - self.now
        overdue = remaining < timedelta(0)
        span = abs(remaining)
        if span >= timedelta(days=2):
            days = span.days
            if days not in self.days:
                self.days[days] = ngettext("%(count)d day", "%(count)d days", days) % {
                    "count": days
                }
            amount = self.days[days]
        elif span >= timedelta(hours=1):
            amount = self.hours % {"count": int(span.total_seconds() // 3600)}
        else:
            amount = self.minutes % {"count": max(1, int(span.total_seconds() // 60))}
        return (self.overdue_by if overdue else self.left) % {"time": amount}

    def __call__(self, value: datetime | None) -> SafeString:
        if value is None:
            return SafeString()
        return mark_safe(  # noqa: S308 (the values are escaped)
            '<time class="due{}" datetime="{}" title="{}">{}</time>'.format(
                " overdue" if value < self.now else "",
                value.isoformat(),
                escape(self.exact(value)),
                escape(self.countdown(value)),
            )
        )


@register.simple_tag(takes_context=True)
def due(context, value: datetime | None):
    """`{% due dispute.respond_by %}`: nothing for no due time."""
    if value is None:
        return ""
    # One writer per rendering: a list calls this twice per row.
    writer = context.render_context.get(DueTimes)
    if writer is None:
        writer = context.render_context[DueTimes] = DueTimes()
    return writer(value)
