"""Reads of the disputes domain, scoped by the active tenant, with their joins decided here.

A supplier never receives an internal row: the managers already refuse them (see
`SupplierVisibleUnlessInternal.visible_to`), and every selector here filters them again.
"""

import json
import uuid
from base64 import urlsafe_b64decode, urlsafe_b64encode
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Count,
    DateTimeField,
    DecimalField,
    F,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from core import tenancy
from core.errors import NotFound
from disputes import policies
from disputes.models import (
    MONEY_RESOLUTIONS,
    OPEN_STATUSES,
    Attachment,
    Dispute,
    DisputeLine,
    DisputeStatus,
    LedgerEntry,
    LedgerSide,
    Proposal,
    ProposalStatus,
    TimelineEvent,
)
from orders.models import Order, OrderLine


@dataclass(frozen=True)
class DisputeFilters:
    status: str = ""
    kind: str = ""
    reason: str = ""
    supplier: str = ""  # slug or id
    merchant: str = ""  # slug or id (suppliers' view)
    order: str = ""
    q: str = ""
    overdue: bool = False


def parse_uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def _with_details(queryset: QuerySet) -> QuerySet:
    return queryset.select_related(
        "order",
        "supplier",
        "merchant",
        "open_proposal",
        "resolution",
        "resolution__shipment",
    ).prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("sku", "id")),
    )


def _filtered(queryset: QuerySet, filters: DisputeFilters) -> QuerySet:
    if filters.status:
        queryset = queryset.filter(status__in=filters.status.split(","))
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.reason:
        queryset = queryset.filter(reason=filters.reason)
    for field, value in (("supplier", filters.supplier), ("merchant", filters.merchant)):
        if value:
            as_id = parse_uuid(value)
            queryset = queryset.filter(
                Q(**{f"{field}__slug": value}) | Q(**{f"{field}_id": as_id})
                if as_id
                else Q(**{f"{field}__slug": value})
            )
    if filters.order:
        order_id = parse_uuid(filters.order)
        queryset = queryset.filter(
            Q(order_id=order_id) | Q(order__external_id=filters.order)
            if order_id
            else Q(order__external_id=filters.order)
        )
    if filters.q:
        text = filters.q.strip()
        if text.startswith("#") and text[1:].isdigit() and len(text) < 10:
            # "#42" is how people write a dispute number: nothing else matches it.
            queryset = queryset.filter(number=int(text[1:]))
        else:
            match = (
                Q(order__external_id__icontains=text)
                | Q(order__customer_name__icontains=text)
                | Q(description__icontains=text)
            )
            organization = tenancy.current_organization()
            if organization is None or organization.is_merchant:
                # Suppliers never see customers' e-mail addresses, so cannot probe for them.
                match |= Q(order__customer_email__iexact=text)
            if text.isdigit() and len(text) < 10:  # beyond, not a number Postgres stores
                match |= Q(number=int(text))
            queryset = queryset.filter(match)
    if filters.overdue:
        now = timezone.now()
        queryset = queryset.filter(status__in=OPEN_STATUSES).filter(
            Q(respond_by__lt=now) | Q(resolve_by__lt=now)
        )
    return queryset


def dispute_list_for_merchant(*, filters: DisputeFilters = DisputeFilters()) -> QuerySet:
    """The active merchant's disputes (the scope keeps other merchants' out)."""
    return _with_details(_filtered(Dispute.objects.all(), filters))


def dispute_list_for_supplier(*, filters: DisputeFilters = DisputeFilters()) -> QuerySet:
    """The disputes addressed to the active supplier, across every merchant it serves."""
    return _with_details(_filtered(Dispute.objects.all(), filters))


# Disputes with no deadline sort after every dated one.
NO_DEADLINE = datetime(9999, 12, 31, tzinfo=UTC)


# The supplier inbox's views: "open" leaves out what is settled (resolved, closed, cancelled),
# "waiting" keeps what waits on the supplier's own answer or act, "all" keeps everything.
INBOX_VIEWS = ("open", "waiting", "all")
SETTLED_STATUSES = (DisputeStatus.RESOLVED, DisputeStatus.CLOSED, DisputeStatus.CANCELLED)


def dispute_inbox_for_supplier(
    *, filters: DisputeFilters = DisputeFilters(), view: str = "open"
) -> QuerySet:
    """The portal's inbox across merchants: the closest due time first (overdue ones before
    everything), undated last.

    The order is a key (due time, id), so that pages follow each other by keyset
    (`dispute_inbox_page_for_supplier`), not by offset.
    """
    disputes = dispute_list_for_supplier(filters=filters)
    if view == "open":
        disputes = disputes.exclude(status__in=SETTLED_STATUSES)
    elif view == "waiting":
        disputes = disputes.filter(policies.waiting_on_supplier())
    return disputes.annotate(
        urgency=Coalesce(Least("respond_by", "resolve_by"), Value(NO_DEADLINE, DateTimeField()))
    ).order_by("urgency", "id")


def _inbox_key(dispute) -> str:
    key = [dispute.urgency.isoformat(), str(dispute.pk)]
    return urlsafe_b64encode(json.dumps(key).encode()).decode()


def _after_inbox_key(cursor: str) -> Q:
    try:
        urgency, dispute_id = json.loads(urlsafe_b64decode(cursor.encode()))
        dispute_id = uuid.UUID(dispute_id)
        urgency = datetime.fromisoformat(urgency)
    except (ValueError, TypeError, UnicodeError) as error:
        raise NotFound() from error
    if urgency.tzinfo is None:
        raise NotFound()
    return Q(urgency__gt=urgency) | Q(urgency=urgency, id__gt=dispute_id)


def dispute_inbox_page_for_supplier(
    *,
    filters: DisputeFilters = DisputeFilters(),
    view: str = "open",
    cursor: str | None,
    size: int,
) -> tuple[list[Dispute], str | None]:
    """One page of the inbox after `cursor` (None: the first), and the next page's cursor.

    A cursor that was not made here is NotFound, like a page that does not exist.
    """
    disputes = dispute_inbox_for_supplier(filters=filters, view=view)
    if cursor:
        disputes = disputes.filter(_after_inbox_key(cursor))
    rows = list(disputes[: size + 1])
    following = _inbox_key(rows[size - 1]) if len(rows) > size else None
    return rows[:size], following


def dispute_inbox_counts_for_supplier(
    *, filters: DisputeFilters = DisputeFilters(), cap: int
) -> dict[str, int]:
    """How many disputes each inbox view holds, counting at most cap + 1 of each."""
    counts = {}
    for view in INBOX_VIEWS:
        disputes = dispute_inbox_for_supplier(filters=filters, view=view).order_by()
        counts[view] = disputes.values("pk")[: cap + 1].count()
    return counts


def dispute_counts_by_status(
    *, filters: DisputeFilters = DisputeFilters(), cap: int | None = None
) -> dict[str, int]:
    """Disputes per status; with a `cap`, counting stops past it (a count of cap + 1 means
    "more than cap"), so that a merchant with 100,000 disputes does not count them all on
    every view of the list: each status reads at most cap + 1 index entries, in one query."""
    disputes = _filtered(Dispute.objects.all(), filters)
    counts = dict.fromkeys(DisputeStatus.values, 0)
    # SQLite (the embedded default) cannot limit the parts of a UNION; its data is small.
    if cap is None or not connection.features.supports_slicing_ordering_in_compound:
        rows = disputes.values("status").annotate(n=Count("id"))
        counts.update({row["status"]: row["n"] for row in rows})
        return counts
    parts = [
        disputes.filter(status=status).order_by().values("status")[: cap + 1]
        for status in DisputeStatus.values
    ]
    sql, params = parts[0].union(*parts[1:], all=True).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT status, COUNT(*) FROM ({sql}) AS capped GROUP BY status",  # noqa: S608
            params,
        )
        counts.update(dict(cursor.fetchall()))
    return counts


def dispute_get(*, dispute_id) -> Dispute:
    """One dispute the active organization may see; anything else is NotFound."""
    pk = parse_uuid(dispute_id)
    dispute = _with_details(Dispute.objects.all()).filter(pk=pk).first() if pk else None
    if dispute is None:
        raise NotFound()
    return dispute


def timeline_for(*, dispute: Dispute, organization) -> QuerySet:
    """The events of a dispute oldest first; a supplier's copy never holds internal ones."""
    events = TimelineEvent.objects.filter(dispute=dispute)
    attachments = Attachment.objects.order_by("created_at")
    if organization is None or not organization.is_merchant:
        events = events.filter(internal=False)
        attachments = attachments.filter(internal=False)
    return events.select_related("author_user", "author_organization").prefetch_related(
        Prefetch("attachments", queryset=attachments)
    )


def dispute_line_list_open(*, order_lines) -> QuerySet[DisputeLine]:
    """The claims of open disputes on these order lines (at most one a line), with the dispute.

    `order_lines`: lines, their ids, or a query of ids. Read across the tenant scope by
    order line: the lines are already the caller's, and the check must see every open
    claim on them, as the database's one-open-dispute-a-line constraint does.
    """
    return DisputeLine.cross_tenant_objects.filter(
        order_line__in=order_lines, is_open=True
    ).select_related("dispute")


def attachment_get(*, attachment_id, organization) -> Attachment:
    pk = parse_uuid(attachment_id)
    attachments = Attachment.objects.all()
    if organization is None or not organization.is_merchant:
        attachments = attachments.filter(internal=False)
    attachment = attachments.filter(pk=pk).first() if pk else None
    if attachment is None:
        raise NotFound()
    return attachment


def attachments_for_message(*, dispute: Dispute, attachment_ids) -> list[Attachment] | None:
    """The dispute's attachments named in a message body; None when one is unknown."""
    ids = [parse_uuid(value) for value in attachment_ids]
    if any(pk is None for pk in ids):
        return None
    found = list(Attachment.objects.filter(dispute=dispute, pk__in=ids))
    return found if len(found) == len(set(ids)) else None


def proposal_list_for(*, dispute: Dispute) -> QuerySet:
    return (
        Proposal.objects.filter(dispute=dispute).select_related("shipment").order_by("created_at")
    )


def proposal_get(*, dispute: Dispute, proposal_id) -> Proposal:
    pk = parse_uuid(proposal_id)
    proposal = Proposal.objects.filter(dispute=dispute, pk=pk).first() if pk else None
    if proposal is None:
        raise NotFound()
    return proposal


def order_for_dispute(*, order_id) -> Order | None:
    """An order of the active merchant, by id; None for unknown, foreign or malformed ids."""
    pk = parse_uuid(order_id)
    return Order.objects.filter(pk=pk).first() if pk else None


ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=14, decimal_places=2))


def _side_sum(side: str, prefix: str = ""):
    return Coalesce(
        Sum(f"{prefix}amount", filter=Q(**{f"{prefix}side": side})),
        ZERO,
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def ledger_entry_list_for(*, dispute: Dispute) -> QuerySet:
    """A dispute's ledger, oldest first (merchant only: suppliers see no entry at all)."""
    return (
        LedgerEntry.objects.filter(dispute=dispute)
        .select_related("author_user", "author_organization")
        .order_by("recorded_at", "id")
    )


def ledger_totals_for(*, dispute: Dispute) -> dict:
    """customer_side, supplier_side and net_loss (customer minus supplier) in one query."""
    totals = LedgerEntry.objects.filter(dispute=dispute).aggregate(
        customer_side=_side_sum(LedgerSide.CUSTOMER), supplier_side=_side_sum(LedgerSide.SUPPLIER)
    )
    totals["net_loss"] = totals["customer_side"] - totals["supplier_side"]
    return {"currency": dispute.currency, **totals}


def ledger_owed_list() -> QuerySet:
    """Money suppliers agreed to and have not paid yet, oldest agreement first.

    An accepted money resolution not yet carried out: the dispute waits in
    resolution_accepted; it leaves the list when the supplier carries it out.
    """
    return (
        Dispute.objects.filter(
            status=DisputeStatus.RESOLUTION_ACCEPTED,
            resolution__status=ProposalStatus.ACCEPTED,
            resolution__resolution__in=MONEY_RESOLUTIONS,
            resolution__amount__gt=0,
            resolution__fulfilled_at__isnull=True,
        )
        .select_related("supplier", "resolution")
        .annotate(
            agreed_at=F("resolution__decided_at"),
            agreed=F("resolution__amount"),
            recovered=_side_sum(LedgerSide.SUPPLIER, prefix="ledger_entries__"),
        )
        .annotate(owed=F("agreed") - F("recovered"))
    )
