"""Due times as people read them: a countdown ("2 days left", "overdue by 3 h"), with the
exact time, in the reader's time zone, on hover."""

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


def countdown_text(due: datetime, now: datetime) -> str:
    """ "2 days left", "5 h left", "overdue by 3 h": coarse on purpose, the hover is exact."""
    remaining = due - now
    overdue = remaining < timedelta(0)
    span = abs(remaining)
    if span >= timedelta(days=2):
        days = span.days
        amount = ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    elif span >= timedelta(hours=1):
        hours = int(span.total_seconds() // 3600)
        amount = _("%(count)d h") % {"count": hours}
    else:
        minutes = max(1, int(span.total_seconds() // 60))
        amount = _("%(count)d min") % {"count": minutes}
    if overdue:
        return _("overdue by %(time)s") % {"time": amount}
    return _("%(time)s left") % {"time": amount}


@register.simple_tag
def due(value: datetime | None):
    """`{% due dispute.respond_by %}`: nothing for no due time."""
    if value is None:
        return ""
    now = timezone.now()
    local = timezone.localtime(value)
    return format_html(
        '<time class="due{}" datetime="{}" title="{}">{}</time>',
        " overdue" if value < now else "",
        value.isoformat(),
        date_format(local, "DATETIME_FORMAT"),
        countdown_text(value, now),
    )
