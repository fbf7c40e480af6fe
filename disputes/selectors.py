"""Reads of the disputes domain, scoped by the active tenant, with their joins decided here.

A supplier never receives an internal row: the managers already refuse them (see
`SupplierVisibleUnlessInternal.visible_to`), and every selector here filters them again.
"""

import json
import uuid
from base64 import urlsafe_b64decode, urlsafe_b64encode
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import MERCHANT_WORKERS, Membership, Organization, User
from core import tenancy
from core.errors import NotFound
from core.replicas import on_replica, read_alias
from disputes import policies
from disputes.models import (
    DUE_AT,
    MONEY_RESOLUTIONS,
    OPEN_STATUSES,
    Attachment,
    Dispute,
    DisputeLine,
    DisputeSeen,
    DisputeStatus,
    LedgerEntry,
    LedgerSide,
    Party,
    Proposal,
    ProposalStatus,
    SavedReply,
    SavedView,
    TimelineEvent,
    inbox_urgency,
)
from orders.models import Order, OrderLine
from suppliers.selectors import supplier_list_for_merchant


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
    # "" any, "none" unassigned, or a user id (views turn "me" into the caller's id).
    assignee: str = ""
    waiting_on: str = ""  # "merchant" or "supplier": whose turn it is
    due_today: bool = False  # due from now to the end of the organization's day


def parse_uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


# The dispute's own columns that a row with its allowed actions reads (the guards of
# disputes.transitions read the evidence, arbitration and closing times, the proposals' ids).
ROW_OWN_COLUMNS = (
    "id",
    "number",
    "order_id",
    "merchant_id",
    "supplier_id",
    "kind",
    "reason",
    "status",
    "requested_amount",
    "currency",
    "evidence_required",
    "evidence_received_at",
    "evidence_accepted_at",
    "arbitrated_at",
    "opened_at",
    "respond_by",
    "resolve_by",
    "closed_at",
    "updated_at",
    "open_proposal_id",
    "resolution_id",
    # The merchant's activity: a merchant's row shows it, and either party's list sorts on it.
    "last_activity_at",
)
# What the model-instance list reads (`dispute_list_for_*`: the header's search): its own
# columns and a few of three joined rows, its proposals read set-wise.
LIST_COLUMNS = (
    *ROW_OWN_COLUMNS,
    "shared_activity_at",
    "assignee_id",
    "order__id",
    "order__merchant_id",
    "order__external_id",
    "order__customer_name",
    "supplier__id",
    "supplier__slug",
    "supplier__name",
    "merchant__id",
    "merchant__slug",
    "merchant__name",
    "assignee__id",
    "assignee__name",
    "assignee__email",
)


def _for_list(queryset: QuerySet) -> QuerySet:
    # The proposals come set-wise (one query each for the page, none when no row has one):
    # a row shows them, and its allowed actions (accept, fulfil) need their ids.
    return (
        queryset.select_related("order", "supplier", "merchant", "assignee")
        .only(*LIST_COLUMNS)
        .prefetch_related(
            "open_proposal", Prefetch("resolution", Proposal.objects.select_related("shipment"))
        )
    )


# What a row of the HTML lists shows (disputes/web/rows.py), and nothing more: no proposal
# (a row names none; the API's items do), no money or evidence columns. The merchant's own
# list names no merchant; the supplier's inbox, across merchants, does, and of the open
# proposal it needs who made it (whose turn it is). Reading the proposals set-wise was one
# or two queries per page for what no row showed.
PAGE_ROW_COLUMNS = (
    "merchant_id",
    "id",
    "number",
    "order_id",
    "supplier_id",
    "kind",
    "reason",
    "status",
    "opened_at",
    "respond_by",
    "resolve_by",
    "last_activity_at",
    "order__id",
    "order__merchant_id",
    "order__external_id",
    "order__customer_name",
    "supplier__id",
    "supplier__slug",
    "supplier__name",
)
MERCHANT_PAGE_COLUMNS = (
    *PAGE_ROW_COLUMNS,
    "assignee_id",
    "assignee__id",
    "assignee__name",
    "assignee__email",
)
SUPPLIER_PAGE_COLUMNS = (
    *PAGE_ROW_COLUMNS,
    "shared_activity_at",
    "merchant__id",
    "merchant__slug",
    "merchant__name",
    "open_proposal_id",
    "open_proposal__id",
    "open_proposal__merchant_id",
    "open_proposal__proposed_by_party",
)


def _filtered(queryset: QuerySet, filters: DisputeFilters) -> QuerySet:
    if filters.status:
        statuses = set(filters.status.split(","))
        if OPEN in statuses:
            statuses = (statuses - {OPEN}) | OPEN_STATUSES
        queryset = queryset.filter(status__in=statuses)
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
            # The same words find a dispute as find its order (disputes.search): its number,
            # the order's number, the customer, a sku, the supplier; whatever the case.
            match = (
                Q(order__external_id__icontains=text)
                | Q(order__customer_name__icontains=text)
                | Q(description__icontains=text)
                | Q(supplier__name__icontains=text)
                | Exists(
                    DisputeLine.objects.filter(
                        dispute_id=OuterRef("pk"), order_line__sku__iexact=text
                    )
                )
            )
            organization = tenancy.current_organization()
            if organization is None or organization.is_merchant:
                # Suppliers never see customers' e-mail addresses, so cannot probe for them.
                match |= Q(order__customer_email__iexact=text)
            if text.isdigit() and len(text) < 10:  # beyond, not a number Postgres stores
                match |= Q(number=int(text))
            queryset = queryset.filter(match)
    if filters.overdue:
        queryset = queryset.filter(overdue_now())
    if filters.assignee == UNASSIGNED:
        queryset = queryset.filter(assignee__isnull=True)
    elif filters.assignee:
        queryset = queryset.filter(assignee_id=parse_uuid(filters.assignee))
    if filters.waiting_on in WAITING_ON:
        queryset = queryset.filter(WAITING_ON[filters.waiting_on])
    if filters.due_today:
        now = timezone.now()
        queryset = queryset.filter(
            status__in=OPEN_STATUSES, respond_by__gte=now, respond_by__lt=_end_of_day(now)
        )
    return queryset


def overdue_now() -> Q:
    """Open and past a due time: what `?overdue=true` lists (and the analytics count)."""
    now = timezone.now()
    return Q(status__in=OPEN_STATUSES) & (Q(respond_by__lt=now) | Q(resolve_by__lt=now))


UNASSIGNED = "none"
# A status filter's word for every status but closed and cancelled.
OPEN = "open"
# Whose turn it is, as a query: `policies.waiting_on` for a whole list at once.
WAITING_ON = {
    Party.MERCHANT: Q(status__in=(DisputeStatus.AWAITING_MERCHANT, DisputeStatus.AWAITING_EVIDENCE))
    | Q(
        status=DisputeStatus.RESOLUTION_PROPOSED,
        open_proposal__isnull=False,
        open_proposal__proposed_by_party__in=(Party.SUPPLIER, Party.PLATFORM),
    ),
    Party.SUPPLIER: Q(
        status__in=(DisputeStatus.AWAITING_SUPPLIER, DisputeStatus.RESOLUTION_ACCEPTED)
    )
    | Q(status=DisputeStatus.RESOLUTION_PROPOSED, open_proposal__proposed_by_party=Party.MERCHANT),
}


def _end_of_day(now: datetime) -> datetime:
    """The end of today where the active organization works (its time zone)."""
    organization = tenancy.current_organization()
    zone = ZoneInfo(getattr(organization, "time_zone", "") or "UTC")
    local = now.astimezone(zone)
    midnight = datetime.combine(local.date() + timedelta(days=1), time.min, tzinfo=zone)
    return midnight.astimezone(UTC)


def dispute_list_for_merchant(
    *, filters: DisputeFilters = DisputeFilters(), reader=None, sort: str = ""
) -> QuerySet:
    """The active merchant's disputes (the scope keeps other merchants' out).

    With a `reader` (a user), each row says whether it has activity that person has not
    seen (`unread`); with a `sort` (one of SORTS), it carries the column the list sorts on.
    """
    disputes = _for_list(_filtered(Dispute.objects.all(), filters))
    return on_replica(_for_reader(disputes, reader=reader, sort=sort, activity="last_activity_at"))


def dispute_list_for_supplier(
    *, filters: DisputeFilters = DisputeFilters(), reader=None, sort: str = ""
) -> QuerySet:
    """The disputes addressed to the active supplier, across every merchant it serves."""
    disputes = _for_list(_filtered(Dispute.objects.all(), filters))
    # What is new to a supplier is what it may see: a merchant's note moves nothing here.
    return on_replica(
        _for_reader(disputes, reader=reader, sort=sort, activity="shared_activity_at")
    )


def dispute_page_rows_for_merchant(
    *, filters: DisputeFilters = DisputeFilters(), reader=None, sort: str = ""
) -> QuerySet:
    """`dispute_list_for_merchant` as /app/disputes/ shows it: the columns of its rows."""
    disputes = (
        _filtered(Dispute.objects.all(), filters)
        .select_related("order", "supplier", "assignee")
        .only(*MERCHANT_PAGE_COLUMNS)
    )
    return on_replica(_for_reader(disputes, reader=reader, sort=sort, activity="last_activity_at"))


class Row:
    """A row read as values, not as a model: its attributes are named as the model's."""

    def __init__(self, values: dict):
        self.__dict__.update(values)

    @property
    def pk(self):
        return self.id


class DisputeRow(Row):
    """A dispute as the API's list and detail read it (`dispute_rows_*`, `dispute_detail_get`).

    `transitions.allowed_actions`, `policies.waiting_on` and the model's own `is_open` and
    `is_overdue` (borrowed below: one definition each) read it as they read a `Dispute`.
    """

    is_open = Dispute.is_open
    is_overdue = Dispute.is_overdue


class ProposalRow(Row):
    """A proposal with what rows show of it; `shipment` is a ShipmentRef or None."""


class LineRow(Row):
    """A disputed order line as the detail shows it."""


@dataclass(frozen=True)
class ShipmentRef:
    """The shipment a fulfilled proposal names: what its `fulfilment` shows."""

    pk: uuid.UUID
    carrier: str
    tracking_number: str


@dataclass(frozen=True)
class OrganizationRef:
    """The other party of a detail row: what its brief shows."""

    pk: uuid.UUID
    slug: str
    name: str


@dataclass(frozen=True)
class OrderRef:
    pk: uuid.UUID
    external_id: str


@dataclass(frozen=True)
class AssigneeRef:
    pk: uuid.UUID
    name: str
    email: str


# A row of the API's list: the dispute's own columns, the order's external id and the other
# party's name (the caller's own organization is known: it is not joined), and for a
# merchant the assignee. Read as values, no model instances: a page of 100 built 500.
_API_MERCHANT_COLUMNS = {
    "order_external_id": F("order__external_id"),
    "supplier_slug": F("supplier__slug"),
    "supplier_name": F("supplier__name"),
    "assignee_name": F("assignee__name"),
    "assignee_email": F("assignee__email"),
}
_API_SUPPLIER_COLUMNS = {
    "order_external_id": F("order__external_id"),
    "merchant_slug": F("merchant__slug"),
    "merchant_name": F("merchant__name"),
}


def dispute_rows_for_merchant(
    *, filters: DisputeFilters = DisputeFilters(), reader=None, sort: str = ""
) -> QuerySet:
    """`dispute_list_for_merchant` as the API's list reads it: values of what a row shows
    (page them, then `dispute_rows_complete`)."""
    disputes = _filtered(Dispute.objects.all(), filters).values(
        *ROW_OWN_COLUMNS, "assignee_id", **_API_MERCHANT_COLUMNS
    )
    return on_replica(_for_reader(disputes, reader=reader, sort=sort, activity="last_activity_at"))


def dispute_rows_for_supplier(
    *, filters: DisputeFilters = DisputeFilters(), reader=None, sort: str = ""
) -> QuerySet:
    """`dispute_list_for_supplier` as the API's list reads it (see dispute_rows_for_merchant)."""
    disputes = _filtered(Dispute.objects.all(), filters).values(
        *ROW_OWN_COLUMNS, "shared_activity_at", **_API_SUPPLIER_COLUMNS
    )
    return on_replica(
        _for_reader(disputes, reader=reader, sort=sort, activity="shared_activity_at")
    )


def dispute_rows_complete(rows: list[dict]) -> list[DisputeRow]:
    """A page of list rows with their open proposal and resolution: one query for the page,
    none when no row has either."""
    disputes = [DisputeRow(values) for values in rows]
    wanted = {
        proposal_id
        for dispute in disputes
        for proposal_id in (dispute.open_proposal_id, dispute.resolution_id)
        if proposal_id is not None
    }
    proposals = _proposal_rows(wanted)
    for dispute in disputes:
        dispute.open_proposal = proposals.get(dispute.open_proposal_id)
        dispute.resolution = proposals.get(dispute.resolution_id)
    return disputes


_PROPOSAL_COLUMNS = (
    "id",
    "resolution",
    "amount",
    "currency",
    "note",
    "rma_number",
    "fault",
    "return_shipping_paid_by",
    "restocking_paid_by",
    "restocking_fee_percent",
    "status",
    "proposed_by_party",
    "created_at",
    "decided_at",
    "refund_reference",
    "shipment_id",
    "fulfilled_at",
)


def _proposal_rows(ids) -> dict:
    if not ids:
        return {}
    rows = Proposal.objects.filter(pk__in=ids).values(
        *_PROPOSAL_COLUMNS,
        shipment_carrier=F("shipment__carrier"),
        shipment_tracking_number=F("shipment__tracking_number"),
    )
    proposals = {}
    for values in rows:
        proposal = ProposalRow(values)
        proposal.shipment = (
            # A carrier is never null: None means no shipment row, as select_related reads it.
            None
            if proposal.shipment_carrier is None
            else ShipmentRef(
                pk=proposal.shipment_id,
                carrier=proposal.shipment_carrier,
                tracking_number=proposal.shipment_tracking_number,
            )
        )
        proposals[proposal.id] = proposal
    return proposals


# The list's sort orders: a name → the keyset ordering (its first column leads, the id
# breaks ties). "-opened" (newest first) is the default, as before sorting existed.
SORTS = {
    "opened": ("id",),
    "-opened": ("-id",),
    "last_activity": ("last_activity_at", "id"),
    "-last_activity": ("-last_activity_at", "-id"),
    "due": ("due_at", "id"),
    "-due": ("-due_at", "-id"),
    "status": ("status_rank", "id"),
    "-status": ("-status_rank", "-id"),
}
DEFAULT_SORT = "-opened"


def dispute_ordering(sort: str) -> tuple[str, ...]:
    return SORTS.get(sort) or SORTS[DEFAULT_SORT]


def _for_reader(disputes: QuerySet, *, reader, sort: str, activity: str) -> QuerySet:
    if reader is not None:
        seen = DisputeSeen.objects.filter(
            merchant_id=OuterRef("merchant_id"),
            dispute_id=OuterRef("pk"),
            user_id=reader.pk,
            seen_at__gte=OuterRef(activity),
        )
        disputes = disputes.annotate(unread=~Exists(seen))
    if sort.lstrip("-") == "due":
        # Disputes nobody waits on sort after every dated one, as in the supplier's inbox.
        disputes = disputes.annotate(due_at=DUE_AT)
    if sort.lstrip("-") == "status":
        # The order of the workflow, not of the words (which change with the language).
        disputes = disputes.annotate(
            status_rank=Case(
                *(
                    When(status=value, then=Value(rank))
                    for rank, value in enumerate(DisputeStatus.values)
                ),
                output_field=IntegerField(),
            )
        )
    return disputes


def dispute_list_to_count(*, filters: DisputeFilters) -> QuerySet:
    """The disputes `filters` select, bare (no joins for display): what counts count."""
    return _filtered(Dispute.objects.all(), filters)


# The supplier inbox's views: "open" leaves out what is settled (resolved, closed, cancelled),
# "waiting" keeps what waits on the supplier's own answer or act, "all" keeps everything.
INBOX_VIEWS = ("open", "waiting", "all")
SETTLED_STATUSES = (DisputeStatus.RESOLVED, DisputeStatus.CLOSED, DisputeStatus.CANCELLED)


def dispute_inbox_for_supplier(
    *, filters: DisputeFilters = DisputeFilters(), view: str = "open", reader=None
) -> QuerySet:
    """The portal's inbox across merchants: the closest due time first (overdue ones before
    everything), undated last.

    The order is a key (due time, id), so that pages follow each other by keyset
    (`dispute_inbox_page_for_supplier`), not by offset; the index `dispute_supplier_inbox`
    holds that key per supplier, so a page reads a short index range instead of sorting
    every open dispute of a busy supplier (14,000 at the benchmark's size: 170-370 ms).
    """
    disputes = (
        _filtered(Dispute.objects.all(), filters)
        .select_related("order", "supplier", "merchant", "open_proposal")
        .only(*SUPPLIER_PAGE_COLUMNS)
    )
    disputes = on_replica(
        _for_reader(disputes, reader=reader, sort="", activity="shared_activity_at")
    )
    return (
        _in_inbox_view(disputes, view).annotate(urgency=inbox_urgency()).order_by("urgency", "id")
    )


def _in_inbox_view(disputes: QuerySet, view: str) -> QuerySet:
    if view == "open":
        return disputes.exclude(status__in=SETTLED_STATUSES)
    if view == "waiting":
        return disputes.filter(policies.waiting_on_supplier())
    return disputes


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
    reader=None,
) -> tuple[list[Dispute], str | None]:
    """One page of the inbox after `cursor` (None: the first), and the next page's cursor.

    A cursor that was not made here is NotFound, like a page that does not exist.
    """
    disputes = dispute_inbox_for_supplier(filters=filters, view=view, reader=reader)
    if cursor:
        disputes = disputes.filter(_after_inbox_key(cursor))
    rows = list(disputes[: size + 1])
    following = _inbox_key(rows[size - 1]) if len(rows) > size else None
    return rows[:size], following


def dispute_inbox_counts_for_supplier(
    *, filters: DisputeFilters = DisputeFilters(), cap: int
) -> dict[str, int]:
    """How many disputes each inbox view holds, counting at most cap + 1 of each."""
    # Bare disputes, not the rows of the page: a count joins and sorts nothing it can skip.
    disputes = dispute_list_to_count(filters=filters)
    return capped_counts(
        {view: _in_inbox_view(disputes, view) for view in INBOX_VIEWS},
        cap=cap,
        using=read_alias(),
    )


def capped_counts(
    parts: dict[str, QuerySet], *, cap: int, using: str = DEFAULT_DB_ALIAS
) -> dict[str, int]:
    """{name: rows of its query, counting stops past cap}, in one query on PostgreSQL."""
    connection = connections[using]
    counts = dict.fromkeys(parts, 0)
    if not parts:
        return counts
    if not connection.features.supports_slicing_ordering_in_compound:
        # SQLite (the embedded default) cannot limit the parts of a UNION; its data is small.
        return {name: query.order_by()[: cap + 1].count() for name, query in parts.items()}
    limited = [
        query.order_by()
        .annotate(bucket=Value(name, output_field=CharField()))
        .values("bucket")[: cap + 1]
        for name, query in parts.items()
    ]
    sql, params = limited[0].union(*limited[1:], all=True).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT bucket, COUNT(*) FROM ({sql}) AS capped GROUP BY bucket",  # noqa: S608
            params,
        )
        counts.update(dict(cursor.fetchall()))
    return counts


# Stands for a status in a compiled query: random, so that no filter value can be it.
_STATUS_MARKER = f"status:{uuid.uuid4()}"


def dispute_counts_by_status(
    *, filters: DisputeFilters = DisputeFilters(), cap: int | None = None
) -> dict[str, int]:
    """Disputes per status; with a `cap`, counting stops past it (a count of cap + 1 means
    "more than cap"), so that a merchant with 100,000 disputes does not count them all on
    every view of the list: each status reads at most cap + 1 index entries, in one query."""
    disputes = on_replica(_filtered(Dispute.objects.all(), filters))
    database = connections[read_alias()]
    counts = dict.fromkeys(DisputeStatus.values, 0)
    # SQLite (the embedded default) cannot limit the parts of a UNION; its data is small.
    if cap is None or not database.features.supports_slicing_ordering_in_compound:
        rows = disputes.values("status").annotate(n=Count("id"))
        counts.update({row["status"]: row["n"] for row in rows})
        return counts
    # The parts differ by their status alone: one is compiled with a marker in its place,
    # and its SQL repeated with each status (compiling ten querysets cost more than the
    # query they make).
    part = disputes.filter(status=_STATUS_MARKER).order_by().values("status")[: cap + 1]
    sql, params = part.query.sql_with_params()
    at = params.index(_STATUS_MARKER)
    union = " UNION ALL ".join([f"({sql})"] * len(DisputeStatus.values))
    with database.cursor() as cursor:
        cursor.execute(
            f"SELECT status, COUNT(*) FROM ({union}) AS capped GROUP BY status",  # noqa: S608
            [
                value
                for status in DisputeStatus.values
                for value in (*params[:at], status, *params[at + 1 :])
            ],
        )
        counts.update(dict(cursor.fetchall()))
    return counts


def assignee_get(*, user_id) -> User | None:
    """A member of the active merchant by user id; None for anyone else or a malformed id."""
    pk = parse_uuid(user_id)
    organization = tenancy.current_organization()
    if pk is None or organization is None:
        return None
    return User.objects.filter(pk=pk, memberships__organization=organization).first()


def _assignees() -> QuerySet[User]:
    """The people a dispute of the active merchant may be given to: who works disputes."""
    return User.objects.filter(
        memberships__organization=tenancy.current_organization(),
        memberships__role__in=MERCHANT_WORKERS,
        is_active=True,
    )


def assignee_choices() -> list[User]:
    return list(_assignees().order_by("name", "email"))


@dataclass(frozen=True)
class ListChoices:
    """What /app/disputes/ offers around its rows (each row read with the fields shown)."""

    saved_views: list[SavedView]  # the reader's own, by name: id, name, query
    assignees: list[User]  # who may be given a dispute, by name and e-mail: id, name, email
    suppliers: list[Organization]  # the merchant's suppliers, by name: id, name, slug


def dispute_list_choices(*, user) -> ListChoices:
    """The reader's saved views, the assignees and the suppliers, in one query (a union):
    three reads of a few rows each cost three round trips and three compilations."""
    parts = [
        queryset.annotate(part=Value(part, output_field=CharField()), detail=F(detail))
        .order_by()
        .values_list("part", "id", "name", "detail")
        for part, queryset, detail in (
            ("view", SavedView.objects.filter(user=user), "query"),
            ("assignee", _assignees(), "email"),
            ("supplier", supplier_list_for_merchant(), "slug"),
        )
    ]
    rows = parts[0].union(*parts[1:], all=True).order_by("part", "name", "detail", "id")
    choices = ListChoices(saved_views=[], assignees=[], suppliers=[])
    for part, pk, name, detail in rows:
        if part == "view":
            choices.saved_views.append(SavedView(id=pk, name=name, query=detail))
        elif part == "assignee":
            choices.assignees.append(User(id=pk, name=name, email=detail))
        else:
            choices.suppliers.append(Organization(id=pk, name=name, slug=detail))
    return choices


def saved_view_get(*, user, view_id) -> SavedView:
    pk = parse_uuid(view_id)
    view = SavedView.objects.filter(user=user, pk=pk).first() if pk else None
    if view is None:
        raise NotFound()
    return view


def dispute_list_for_export(
    *, filters: DisputeFilters = DisputeFilters(), sort: str = "", ids=None
) -> QuerySet:
    """The merchant's disputes as a file lists them: one row each, no prefetch (it streams)."""
    disputes = _filtered(Dispute.objects.all(), filters).select_related(
        "order", "supplier", "assignee"
    )
    if ids is not None:
        disputes = disputes.filter(pk__in=[pk for pk in map(parse_uuid, ids) if pk])
    return _for_reader(disputes, reader=None, sort=sort, activity="last_activity_at").order_by(
        *dispute_ordering(sort)
    )


def dispute_list_by_ids(*, ids) -> QuerySet:
    """The active organization's disputes among `ids` (others and malformed ids: none)."""
    return Dispute.objects.filter(pk__in=[pk for pk in map(parse_uuid, ids) if pk]).order_by(
        "number"
    )


def dispute_get(*, dispute_id) -> Dispute:
    """One dispute the active organization may see, with all the detail shows; anything
    else is NotFound.

    Three short reads rather than one of six joins: the dispute with its order and
    organizations, its proposals (with the resolution's shipment), its lines. Postgres took
    13-19 ms to plan the six joins, for well under a millisecond of execution.
    """
    pk = parse_uuid(dispute_id)
    dispute = (
        Dispute.objects.select_related("order", "supplier", "merchant", "assignee")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if dispute is None:
        raise NotFound()
    wanted = {dispute.open_proposal_id, dispute.resolution_id} - {None}
    proposals = Proposal.objects.select_related("shipment").in_bulk(wanted) if wanted else {}
    # Assigned even when None, so that reading them later never runs a query.
    dispute.open_proposal = proposals.get(dispute.open_proposal_id)
    dispute.resolution = proposals.get(dispute.resolution_id)
    return dispute_with_lines(dispute=dispute)


_DETAIL_COLUMNS = (*ROW_OWN_COLUMNS, "description", "assignee_id", "shared_activity_at")


def dispute_detail_get(*, dispute_id, reader) -> DisputeRow:
    """`dispute_get` as the API's detail reads it, for `reader` (a user) of the active
    organization; anything else is NotFound.

    Values, no model instances: the dispute with its order's external id, the other party
    (the caller's own organization is known: not joined), the assignee and when `reader`
    last opened it (`reader_seen_at`, None if never), in one query; its proposals in one
    more when it has any; its lines in one.
    """
    pk = parse_uuid(dispute_id)
    own = tenancy.current_organization()
    other = "supplier" if own.is_merchant else "merchant"
    seen_at = DisputeSeen.objects.filter(
        merchant_id=OuterRef("merchant_id"), dispute_id=OuterRef("pk"), user_id=reader.pk
    ).values("seen_at")[:1]
    values = (
        Dispute.objects.filter(pk=pk)
        .values(
            *_DETAIL_COLUMNS,
            order_external_id=F("order__external_id"),
            other_slug=F(f"{other}__slug"),
            other_name=F(f"{other}__name"),
            reader_seen_at=Subquery(seen_at),
            **(
                {"assignee_name": F("assignee__name"), "assignee_email": F("assignee__email")}
                if own.is_merchant
                else {}
            ),
        )
        .first()
        if pk
        else None
    )
    if values is None:
        raise NotFound()
    dispute = DisputeRow(values)
    other_party = OrganizationRef(
        pk=values[f"{other}_id"], slug=dispute.other_slug, name=dispute.other_name
    )
    dispute.merchant, dispute.supplier = (
        (own, other_party) if own.is_merchant else (other_party, own)
    )
    dispute.order = OrderRef(pk=dispute.order_id, external_id=dispute.order_external_id)
    dispute.assignee = (
        AssigneeRef(
            pk=dispute.assignee_id, name=dispute.assignee_name, email=dispute.assignee_email
        )
        if own.is_merchant and dispute.assignee_id is not None
        else None
    )
    proposals = _proposal_rows({dispute.open_proposal_id, dispute.resolution_id} - {None})
    dispute.open_proposal = proposals.get(dispute.open_proposal_id)
    dispute.resolution = proposals.get(dispute.resolution_id)
    dispute.lines = [
        LineRow(line)
        for line in OrderLine.objects.filter(dispute=pk)
        .order_by("sku", "id")
        .values("id", "sku", "title", "variant", "quantity", "unit_price")
    ]
    return dispute


def dispute_row_get(*, dispute_id) -> Dispute:
    """One dispute the active organization may see, its own row alone; anything else is
    NotFound. For a timeline, or a write's first read (the service locks and re-reads it)."""
    pk = parse_uuid(dispute_id)
    dispute = Dispute.objects.filter(pk=pk).first() if pk else None
    if dispute is None:
        raise NotFound()
    return dispute


def dispute_with_lines(*, dispute: Dispute) -> Dispute:
    """A dispute a service just changed (its order, organizations and proposals read under
    its lock), with its lines: the detail's answer after a write, in one query."""
    prefetch_related_objects(
        [dispute], Prefetch("lines", queryset=OrderLine.objects.order_by("sku", "id"))
    )
    return dispute


def timeline_event_as_posted(*, event: TimelineEvent, attachments) -> TimelineEvent:
    """The event a service just appended, shown without reading it back: its author and
    its attachments are the ones the service was handed, so a read would find the same."""
    # Where prefetch_related("attachments") would have put them.
    event._prefetched_objects_cache = {
        "attachments": sorted(attachments, key=lambda attachment: attachment.created_at)
    }
    return event


def sees_internal(organization) -> bool:
    """Internal notes and their files are the merchant's own: a supplier (or a reader with
    no organization) never sees them."""
    return organization is not None and organization.is_merchant


def timeline_for(*, dispute: Dispute, organization) -> QuerySet:
    """The events of a dispute oldest first; a supplier's copy never holds internal ones."""
    events = TimelineEvent.objects.filter(dispute=dispute)
    attachments = Attachment.objects.order_by("created_at")
    if not sees_internal(organization):
        events = events.filter(internal=False)
        attachments = attachments.filter(internal=False)
    return events.select_related("author_user", "author_organization").prefetch_related(
        Prefetch("attachments", queryset=attachments)
    )


class TimelineEventRow(Row):
    """An event as the API's timeline reads it: `author_user` a User of its name and e-mail
    (what `wording.author_name` reads), `author_organization` an OrganizationRef, and
    `attachments` a list of AttachmentRow."""


class AttachmentRow(Row):
    """An attachment as a timeline event lists it."""


def timeline_rows_for(*, dispute_id, organization) -> QuerySet:
    """`timeline_for` as the API reads it: the events of a dispute as values, oldest first
    once paged; then `timeline_rows_complete` gives a page its authors and attachments, and
    answers NotFound for a dispute the active organization may not see."""
    pk = parse_uuid(dispute_id)
    if pk is None:
        raise NotFound()
    events = TimelineEvent.objects.filter(dispute_id=pk)
    if not sees_internal(organization):
        events = events.filter(internal=False)
    return events.values(
        "id",
        "position",
        "type",
        "author_party",
        "author_user_id",
        "author_organization_id",
        "body",
        "data",
        "created_at",
        author_user_name=F("author_user__name"),
        author_user_email=F("author_user__email"),
        author_organization_slug=F("author_organization__slug"),
        author_organization_name=F("author_organization__name"),
    )


def timeline_rows_complete(rows: list[dict], *, dispute_id, organization) -> list[TimelineEventRow]:
    """A page of `timeline_rows_for` with its authors (one object per person and per
    organization) and its attachments (one query for the page); a supplier's copy holds no
    internal attachment.

    Events the scope shows belong to a dispute it shows (an event carries its dispute's
    merchant and supplier): only an empty page has its dispute looked up, for NotFound.
    """
    if not rows and not Dispute.objects.filter(pk=parse_uuid(dispute_id)).exists():
        raise NotFound()
    events = [TimelineEventRow(values) for values in rows]
    people: dict = {}
    organizations: dict = {}
    for event in events:
        # None where the joined row is missing, as select_related reads it.
        event.author_user = None
        if event.author_user_name is not None:
            event.author_user = people.get(event.author_user_id)
            if event.author_user is None:
                event.author_user = people[event.author_user_id] = User(
                    id=event.author_user_id,
                    name=event.author_user_name,
                    email=event.author_user_email,
                )
        event.author_organization = None
        if event.author_organization_name is not None:
            event.author_organization = organizations.get(event.author_organization_id)
            if event.author_organization is None:
                event.author_organization = organizations[event.author_organization_id] = (
                    OrganizationRef(
                        pk=event.author_organization_id,
                        slug=event.author_organization_slug,
                        name=event.author_organization_name,
                    )
                )
        event.attachments = []
    if events:
        attachments = Attachment.objects.filter(events__in=[event.id for event in events])
        if not sees_internal(organization):
            attachments = attachments.filter(internal=False)
        by_event = {event.id: event for event in events}
        for values in attachments.order_by("created_at").values(
            "id", "filename", "content_type", "size", event_id=F("events")
        ):
            by_event[values["event_id"]].attachments.append(AttachmentRow(values))
    return events


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
    if not sees_internal(organization):
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
    return on_replica(
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


# The picker in the composer lists at most this many saved replies, by title.
SAVED_REPLY_PICKER_SIZE = 200


def saved_reply_list() -> QuerySet[SavedReply]:
    """The active merchant's saved replies (the tenant manager refuses anyone else)."""
    return SavedReply.objects.all()


def saved_reply_get(*, reply_id) -> SavedReply:
    pk = parse_uuid(reply_id)
    reply = SavedReply.objects.filter(pk=pk).first() if pk else None
    if reply is None:
        raise NotFound()
    return reply


def reader_language_for(*, dispute: Dispute) -> str:
    """The language the supplier's people read, for a merchant writing to them ("" unknown).

    The supplier has no language of its own, its people do: the one who last wrote on this
    dispute, if they chose a language; else the language most of its members chose.
    """
    last_writer = (
        TimelineEvent.objects.filter(
            dispute=OuterRef("pk"), author_party=Party.SUPPLIER, author_user__isnull=False
        )
        .exclude(author_user__language="")
        .order_by("-position")
        .values("author_user__language")[:1]
    )
    most_chosen = (
        Membership.objects.filter(organization_id=OuterRef("supplier_id"))
        .exclude(user__language="")
        .values("user__language")
        .annotate(members=Count("id"))
        .order_by("-members", "user__language")
        .values("user__language")[:1]
    )
    # Both in one query: the second is read only when the first finds nobody.
    return (
        Dispute.objects.filter(pk=dispute.pk)
        .values_list(Coalesce(Subquery(last_writer), Subquery(most_chosen), Value("")), flat=True)
        .first()
        or ""
    )
