"""The rows of the dispute lists (/app/disputes/, /portal/disputes/), written in Python.

Through the template engine a row cost about 1,300 function calls (two includes, a URL
reversed, a countdown, a dozen variables resolved): 66,000 of a page's 158,000. Here
what is the same on every row (words, the link pattern, the due-time writer) is prepared
once per page, and each value is escaped as the template escaped it (the translated words
are not escaped, as `{% translate %}` does not escape them). The markup is the one
the templates wrote (disputes/tests/test_list_rows_html.py compares them).
"""

import html

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from core.templatetags.due_times import DueTimes, LocalDates


def escape(value) -> str:
    """`django.utils.html.escape` without its lazy-text wrapper and SafeString (the row is
    marked safe once, whole): some 550 values a page."""
    return html.escape(str(value))


# A pk-shaped placeholder, replaced by each row's pk in the reversed URL.
PK_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


def link_pattern(url_name: str) -> str:
    """The URL of `url_name` for PK_PLACEHOLDER: reversed once per page, not once a row."""
    return reverse(url_name, args=[PK_PLACEHOLDER])


class _Row:
    """What every row of one page shares."""

    def __init__(self, url_name: str):
        self.link = link_pattern(url_name)
        self.due = DueTimes()
        self.unread = (
            ' <span class="unread-dot" title="{}"><span class="visually-hidden">{}</span></span>'
        ).format(_("New activity since you last opened it"), _("New activity"))
        self.overdue = ' <span class="badge warn">{}</span>'.format(_("Overdue"))

    def href(self, dispute) -> str:
        return self.link.replace(PK_PLACEHOLDER, str(dispute.pk))

    def status(self, dispute) -> str:
        return '<span class="status dispute-status-{}">{}</span>{}\n'.format(
            escape(dispute.status),
            escape(capfirst(dispute.status_label)),
            self.overdue if dispute.is_overdue else "",
        )

    def unread_dot(self, dispute) -> str:
        return f"{self.unread if dispute.unread else ''}\n"

    @staticmethod
    def reason(dispute) -> str:
        return f"{escape(capfirst(dispute.kind_label))}: {escape(dispute.reason_label)}"


def merchant_rows(disputes) -> SafeString:
    """The `<tr>`s of /app/disputes/ (templates/app/disputes/_results.html)."""
    row = _Row("app-dispute-detail")
    pick = _("Pick dispute #%(number)s")
    unassigned = '<span class="muted">{}</span>'.format(_("Unassigned"))
    activity_time = LocalDates("SHORT_DATETIME_FORMAT")
    opened_day = LocalDates("SHORT_DATE_FORMAT")
    lines = []
    for dispute in disputes:
        pk = escape(dispute.pk)
        assignee = dispute.assignee
        due = dispute.respond_by or dispute.resolve_by
        lines.append(
            f"""
        <tr{' class="unread"' if dispute.unread else ""}>
          <td><input type="checkbox" name="disputes" value="{pk}" id="pick-{pk}" aria-label="{pick % {"number": dispute.number}}"></td>
          <td><a href="{row.href(dispute)}">#{dispute.number}</a>{row.unread_dot(dispute)}</td>
          <td>{escape(dispute.order.external_id)}<br><span class="muted">{escape(dispute.order.customer_name)}</span></td>
          <td>{escape(dispute.supplier.name)}</td>
          <td>{row.reason(dispute)}</td>
          <td>{row.status(dispute)}</td>
          <td>{escape(assignee.get_short_name()) if assignee else unassigned}</td>
          <td>{row.due(due)}</td>
          <td>{escape(activity_time(dispute.last_activity_at))}</td>
          <td>{escape(opened_day(dispute.opened_at))}</td>
        </tr>
      """  # noqa: E501
        )
    return mark_safe("".join(lines))  # noqa: S308 (every value above is escaped)


def supplier_rows(disputes) -> SafeString:
    """The `<tr>`s of /portal/disputes/ (templates/portal/disputes/inbox.html)."""
    row = _Row("portal-dispute-detail")
    label = {
        "Merchant": _("Merchant"),
        "Order": _("Order"),
        "Reason": _("Reason"),
        "Status": _("Status"),
        "Respond by": _("Respond by"),
        "Resolve by": _("Resolve by"),
    }
    your_turn = ' <span class="badge">{}</span>'.format(_("Your turn"))
    lines = []
    for dispute in disputes:
        classes = ("my-turn" if dispute.my_turn else "") + (" unread" if dispute.unread else "")
        lines.append(
            f"""
            <tr class="{classes}">
              <td data-label="#"><div class="cell"><a href="{row.href(dispute)}">#{dispute.number}</a>{row.unread_dot(dispute)}</div></td>
              <td data-label="{label["Merchant"]}"><div class="cell">{escape(dispute.merchant.name)}</div></td>
              <td data-label="{label["Order"]}"><div class="cell">{escape(dispute.order.external_id)}</div></td>
              <td data-label="{label["Reason"]}"><div class="cell">{row.reason(dispute)}</div></td>
              <td data-label="{label["Status"]}"><div class="cell">{row.status(dispute)}{your_turn if dispute.my_turn else ""}</div></td>
              <td data-label="{label["Respond by"]}"><div class="cell">{row.due(dispute.respond_by)}</div></td>
              <td data-label="{label["Resolve by"]}"><div class="cell">{row.due(dispute.resolve_by)}</div></td>
            </tr>
          """  # noqa: E501
        )
    return mark_safe("".join(lines))  # noqa: S308 (every value above is escaped)
