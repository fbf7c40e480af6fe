"""What needs the merchant now: the home's counts, each a link to the list it counts.

Every count reads at most `cap` + 1 index entries and all of them travel in one query
(a UNION ALL of limited parts), so the home costs the same for a shop with ten disputes
as for one with 100,000; past the cap a count says "1000+".
"""

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from deadlines.registry import rule_get
from deadlines.selectors import rule_values_for
from disputes import selectors
from disputes.models import DisputeStatus, Party
from orders.deadline_rules import SHIP_OVERDUE
from orders.filters import OPEN_STATUSES as ORDER_OPEN_STATUSES
from orders.models import Order, Shipment, ShipmentStatus

COUNT_CAP = 1000


@dataclass(frozen=True)
class Count:
    key: str
    label: str
    count: int
    url: str
    cap: int = COUNT_CAP

    @property
    def shown(self) -> str:
        return f"{self.cap}+" if self.count > self.cap else str(self.count)


def _disputes(**filters) -> QuerySet:
    return selectors.dispute_list_to_count(filters=selectors.DisputeFilters(**filters))


def _list_url(name: str, **params) -> str:
    return reverse(name) + ("?" + urlencode(params) if params else "")


def attention_for_merchant(*, organization, user) -> tuple[list[Count], list[Count]]:
    """(what needs the merchant now, the team's queue of open disputes per person)."""
    ship_days = rule_values_for(merchant=organization, rule=rule_get(SHIP_OVERDUE)).numbers.get(
        "after_days", 4
    )
    waiting_cutoff = timezone.now() - timedelta(days=ship_days)
    disputes = "app-disputes"
    items = [
        (
            "my_turn",
            _("Your turn to answer"),
            _disputes(waiting_on=Party.MERCHANT),
            _list_url(disputes, waiting_on=Party.MERCHANT),
        ),
        ("overdue", _("Overdue"), _disputes(overdue=True), _list_url(disputes, overdue="on")),
        (
            "due_today",
            _("Due today"),
            _disputes(due_today=True),
            _list_url(disputes, due_today="on"),
        ),
        (
            "evidence",
            _("Waiting for your evidence"),
            _disputes(status=DisputeStatus.AWAITING_EVIDENCE),
            _list_url(disputes, status=DisputeStatus.AWAITING_EVIDENCE),
        ),
        (
            "proposals",
            _("Proposals waiting for your answer"),
            _disputes(status=DisputeStatus.RESOLUTION_PROPOSED, waiting_on=Party.MERCHANT),
            _list_url(
                disputes, status=DisputeStatus.RESOLUTION_PROPOSED, waiting_on=Party.MERCHANT
            ),
        ),
        (
            "tracking_invalid",
            _("Parcels with an invalid tracking number"),
            Shipment.objects.filter(status=ShipmentStatus.TRACKING_INVALID),
            _list_url("app-orders", tracking_invalid="true"),
        ),
        (
            "not_shipped",
            _("Orders not shipped in time"),
            Order.objects.filter(status__in=ORDER_OPEN_STATUSES, placed_at__lte=waiting_cutoff),
            _list_url("app-orders", not_shipped_days=ship_days),
        ),
    ]
    members = selectors.assignee_choices()
    team = [
        (
            f"member:{member.pk}",
            member.get_short_name(),
            _disputes(status=selectors.OPEN, assignee=str(member.pk)),
            _list_url(disputes, assignee=str(member.pk), status=selectors.OPEN),
        )
        for member in _me_first(members, user)
    ]
    team.append(
        (
            "unassigned",
            _("Unassigned"),
            _disputes(status=selectors.OPEN, assignee=selectors.UNASSIGNED),
            _list_url(disputes, assignee=selectors.UNASSIGNED, status=selectors.OPEN),
        )
    )
    cap = COUNT_CAP
    counts = selectors.capped_counts(
        {key: query for key, _label, query, _url in items + team}, cap=cap
    )
    answer = [Count(key, label, counts[key], url, cap) for key, label, _query, url in items]
    queue = [Count(key, label, counts[key], url, cap) for key, label, _query, url in team]
    return answer, queue


def _me_first(members: list[User], user) -> list[User]:
    return sorted(members, key=lambda member: member.pk != user.pk)
