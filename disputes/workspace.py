"""What the dispute page (the workspace of /app/disputes/<id>/ and /portal/disputes/<id>/)
reads, each part once and set-wise: its cost does not grow with the number of events.

The page shows the dispute with all its proposals, its conversation with the files of each
event, and (for the merchant) its ledger with the totals. The shared selectors
(disputes.selectors) answer one of these each; here they are read together: the
proposals in one query with the open one and the agreed one, the files of every event in
one query without the prefetch machinery, the totals summed from the entries shown.
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import F

from core.errors import NotFound
from disputes import selectors
from disputes.models import Attachment, Dispute, LedgerSide, TimelineEvent
from orders.models import OrderLine


def workspace_dispute_get(*, dispute_id) -> Dispute:
    """`selectors.dispute_get` with every proposal of the dispute, oldest first, in
    `dispute.proposal_history` (its open proposal and its resolution are taken from them:
    one query for all three), and its lines in `dispute.line_list`. NotFound for a dispute
    the organization may not see."""
    pk = selectors.parse_uuid(dispute_id)
    dispute = (
        Dispute.objects.select_related("order", "supplier", "merchant", "assignee")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if dispute is None:
        raise NotFound()
    proposals = list(selectors.proposal_list_for(dispute=dispute))
    by_id = {proposal.pk: proposal for proposal in proposals}
    dispute.proposal_history = proposals
    # Assigned even when None, so that reading them later never runs a query.
    dispute.open_proposal = by_id.get(dispute.open_proposal_id)
    dispute.resolution = by_id.get(dispute.resolution_id)
    # What dispute_with_lines prefetches, read plainly (the prefetch machinery cost as much
    # as the query).
    dispute.line_list = list(OrderLine.objects.filter(dispute=dispute).order_by("sku", "id"))
    return dispute


# What the page shows of an event and its authors (disputes.web.timeline, wording): of a
# person their name, of an organization its name, not their whole rows 50 times over.
SHOWN_EVENT_FIELDS = (
    "internal",
    "position",
    "type",
    "author_party",
    "author_user__name",
    "author_user__email",
    "author_organization__name",
    "body",
    "data",
    "created_at",
)


def workspace_timeline(*, dispute: Dispute, organization) -> tuple[list[TimelineEvent], dict]:
    """The events `selectors.timeline_for` reads (oldest first, none internal for a
    supplier), and event id → its attachments the reader may see, oldest first."""
    events = list(
        selectors.timeline_for(dispute=dispute, organization=organization)
        .prefetch_related(None)
        .only(*SHOWN_EVENT_FIELDS)
    )
    # What prefetch_related("attachments") reads (timeline_for), in one query, each file
    # with the event it belongs to: files of the dispute's events, none internal and none
    # of an internal event for a supplier (one filter, so that both name the same event).
    shown = {"dispute": dispute, "events__isnull": False}
    if not selectors.sees_internal(organization):
        shown.update(internal=False, events__internal=False)
    attachments = (
        Attachment.objects.filter(**shown).annotate(shown_in=F("events__id")).order_by("created_at")
    )
    attachments_of: dict = defaultdict(list)
    for attachment in attachments:
        attachments_of[attachment.shown_in].append(attachment)
    return events, dict(attachments_of)


def workspace_ledger(*, dispute: Dispute) -> tuple[list, dict]:
    """The entries of `selectors.ledger_entry_list_for` and the totals
    `selectors.ledger_totals_for` answers, summed from those entries (one query)."""
    entries = list(selectors.ledger_entry_list_for(dispute=dispute))
    customer_side = sum(
        (entry.amount for entry in entries if entry.side == LedgerSide.CUSTOMER), Decimal("0.00")
    )
    supplier_side = sum(
        (entry.amount for entry in entries if entry.side == LedgerSide.SUPPLIER), Decimal("0.00")
    )
    return entries, {
        "currency": dispute.currency,
        "customer_side": customer_side,
        "supplier_side": supplier_side,
        "net_loss": customer_side - supplier_side,
    }
