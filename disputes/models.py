"""Disputes: a merchant's ticket against one supplier about lines of one order.

Every table here is merchant-owned (`TenantModel`). A supplier reaches a row only through
the dispute addressed to it, and never an internal row (notes, internal attachments): the
managers refuse those at the query level, the selectors and serializers refuse them again.
"""

from datetime import UTC, datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, OrganizationKind
from core.ids import new_id
from core.labels import choice_label
from core.tenancy import TenantModel
from disputes.files import ACCEPTED_TYPES
from orders.models import Order, OrderLine, Shipment


class DisputeKind(models.TextChoices):
    PROBLEM = "problem", _("problem report")
    REFUND = "refund", _("refund request")


class Reason(models.TextChoices):
    """Every reason code of API.md; `REASONS_BY_KIND` says which kind offers which."""

    TRACKING_INVALID = "tracking_invalid", _("Tracking code looks invalid")
    NOT_RECEIVED = "not_received", _("Customer did not receive the order")
    DAMAGED = "damaged", _("Product defective or damaged")
    WRONG_ITEM = "wrong_item", _("Wrong product, size or colour received")
    NOT_AS_DESCRIBED = "not_as_described", _("Product not as described")
    CUSTOMS_HOLD = "customs_hold", _("Held at customs")
    OTHER = "other", _("Other")
    CUSTOMER_WRONG_SIZE = "customer_wrong_size", _("Customer ordered the wrong size")
    SUPPLIER_WRONG_SIZE = "supplier_wrong_size", _("Supplier sent the wrong size")
    NO_TRACKING = "no_tracking", _("Supplier gave no tracking number")
    OUT_OF_STOCK = "out_of_stock", _("Out of stock")
    OVERSIZED = "oversized", _("Oversized or overweight")
    SHIPPING_DELAYED = "shipping_delayed", _("Shipping delayed")
    SUPPLIER_UNRESPONSIVE = "supplier_unresponsive", _("Supplier unresponsive")
    CUSTOMER_CANCELLED = "customer_cancelled", _("Customer cancelled")
    WRONG_ADDRESS = "wrong_address", _("Wrong address")
    MISSING_ITEM = "missing_item", _("Part of the order is missing")


REASONS_BY_KIND: dict[str, tuple[str, ...]] = {
    DisputeKind.PROBLEM: (
        Reason.TRACKING_INVALID,
        Reason.NOT_RECEIVED,
        Reason.DAMAGED,
        Reason.WRONG_ITEM,
        Reason.NOT_AS_DESCRIBED,
        Reason.MISSING_ITEM,
        Reason.CUSTOMS_HOLD,
        Reason.OTHER,
    ),
    DisputeKind.REFUND: (
        Reason.DAMAGED,
        Reason.CUSTOMER_WRONG_SIZE,
        Reason.NOT_AS_DESCRIBED,
        Reason.SUPPLIER_WRONG_SIZE,
        Reason.MISSING_ITEM,
        Reason.NOT_RECEIVED,
        Reason.NO_TRACKING,
        Reason.OUT_OF_STOCK,
        Reason.OVERSIZED,
        Reason.SHIPPING_DELAYED,
        Reason.SUPPLIER_UNRESPONSIVE,
        Reason.CUSTOMER_CANCELLED,
        Reason.WRONG_ADDRESS,
    ),
}

# The refund reason a problem report becomes when it escalates, unless the merchant names one.
REFUND_REASON_FOR_PROBLEM: dict[str, str] = {
    Reason.TRACKING_INVALID: Reason.NO_TRACKING,
    Reason.NOT_RECEIVED: Reason.NOT_RECEIVED,
    Reason.DAMAGED: Reason.DAMAGED,
    Reason.WRONG_ITEM: Reason.NOT_AS_DESCRIBED,
    Reason.NOT_AS_DESCRIBED: Reason.NOT_AS_DESCRIBED,
    Reason.MISSING_ITEM: Reason.MISSING_ITEM,
    Reason.CUSTOMS_HOLD: Reason.NOT_RECEIVED,
    Reason.OTHER: Reason.NOT_AS_DESCRIBED,
}


class DisputeStatus(models.TextChoices):
    # Opened for a reason that needs photo or video evidence and none is attached yet:
    # the supplier is not asked to act (no respond_by) until the merchant attaches some.
    AWAITING_EVIDENCE = "awaiting_evidence", _("awaiting evidence")
    AWAITING_SUPPLIER = "awaiting_supplier", _("awaiting supplier")  # supplier's turn to answer
    AWAITING_MERCHANT = "awaiting_merchant", _("awaiting merchant")  # merchant's turn to answer
    # A proposal is open; the party that did not make it accepts, rejects or counters.
    RESOLUTION_PROPOSED = "resolution_proposed", _("resolution proposed")
    RESOLUTION_ACCEPTED = "resolution_accepted", _("resolution accepted")  # supplier carries out
    IN_ARBITRATION = "in_arbitration", _("in arbitration")  # a platform operator decides
    RESOLVED = "resolved", _("resolved")  # carried out or decided; the merchant confirms
    CLOSED = "closed", _("closed")  # the merchant closed it; may reopen within 30 days
    CANCELLED = "cancelled", _("cancelled")  # cancelled by a rule (required evidence missing)


# A dispute in these states no longer blocks its order lines from a new dispute.
FINISHED_STATUSES = frozenset({DisputeStatus.CLOSED, DisputeStatus.CANCELLED})
OPEN_STATUSES = frozenset(DisputeStatus.values) - FINISHED_STATUSES

# What the analytics read of each dispute opened in a period (insights.selectors).
OPENED_FIGURE_COLUMNS = [
    "id",
    "kind",
    "reason",
    "evidence_required",
    "evidence_received_at",
    "first_response_at",
    "arbitration_requested_at",
]

# Disputes with no deadline sort after every dated one.
NO_DEADLINE = datetime(9999, 12, 31, tzinfo=UTC)


def inbox_urgency() -> Coalesce:
    """How soon a dispute is due, the portal inbox's order: the closer of its two due times,
    NO_DEADLINE for none. The index `dispute_supplier_inbox` holds this very expression."""
    return Coalesce(
        Least("respond_by", "resolve_by"), Value(NO_DEADLINE, output_field=models.DateTimeField())
    )


# A dispute's due time as lists sort it: the next answer's, else the settlement's.
DUE_AT = Coalesce(
    F("respond_by"), F("resolve_by"), Value(NO_DEADLINE, output_field=models.DateTimeField())
)


class DisputeCounter(TenantModel):
    """The last dispute number of a merchant; its row lock serialises number allocation."""

    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("dispute counter")
        verbose_name_plural = _("dispute counters")
        constraints = [
            models.UniqueConstraint(fields=["merchant"], name="dispute_counter_one_per_merchant")
        ]

    def __str__(self):
        return f"{self.merchant_id}: {self.last_number}"


class Dispute(TenantModel):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    number = models.PositiveIntegerField(_("number"))
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="disputes")
    supplier = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": OrganizationKind.SUPPLIER},
    )
    lines = models.ManyToManyField(
        OrderLine, through="DisputeLine", through_fields=("dispute", "order_line")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=DisputeKind.choices)
    reason = models.CharField(_("reason"), max_length=30, choices=Reason.choices)
    status = models.CharField(_("status"), max_length=24, choices=DisputeStatus.choices)
    description = models.TextField(_("description"), blank=True)
    requested_amount = models.DecimalField(
        _("requested amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3)
    # Snapshot of the evidence policy when opened or escalated, so a later policy change
    # does not move a dispute under the parties' feet.
    evidence_required = models.BooleanField(_("evidence required"), default=False)
    evidence_received_at = models.DateTimeField(_("evidence received at"), null=True, blank=True)
    # The supplier (or the operator in arbitration) reviewed it and accepted it: the claim is
    # verified from here, and the verified-claim clock starts.
    evidence_accepted_at = models.DateTimeField(_("evidence accepted at"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    respond_by = models.DateTimeField(_("respond by"), null=True, blank=True)
    resolve_by = models.DateTimeField(_("resolve by"), null=True, blank=True)
    escalated_at = models.DateTimeField(
        _("escalated to a refund request at"), null=True, blank=True
    )
    arbitration_requested_at = models.DateTimeField(
        _("arbitration requested at"), null=True, blank=True
    )
    # Set once by the platform's decision, which is final: no second arbitration.
    arbitrated_at = models.DateTimeField(_("arbitrated at"), null=True, blank=True)
    # The supplier's first message, proposal (or answer to one) or fulfilment once its clock
    # ran (see policies.response_clock_start); kept so response times need no timeline scan.
    first_response_at = models.DateTimeField(_("supplier first answered at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("resolution accepted at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last activity at"), default=timezone.now)
    # The newest timeline event's time, and the newest one the supplier sees: kept on the
    # row by the services that append events, so lists sort by them and mark what is new
    # ("unread") without reading timelines. A note moves only the first: the supplier's
    # inbox must not even hint that the merchant wrote one.
    last_activity_at = models.DateTimeField(_("last activity at"), default=timezone.now)
    shared_activity_at = models.DateTimeField(
        _("last activity both parties see at"), default=timezone.now
    )
    # The member of the merchant who works this dispute; nobody when unassigned.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    # The proposal the other party must answer, and the one that settled the dispute;
    # kept on the row so that `allowed_actions` of a whole page costs no extra query.
    open_proposal = models.ForeignKey(
        "Proposal", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution = models.ForeignKey(
        "Proposal", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Timeline positions are allocated under the dispute's row lock: events of one
    # transaction share a millisecond, so neither time nor UUIDv7 orders them.
    last_event_position = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "number"], name="dispute_number_unique_per_merchant"
            ),
        ]
        indexes = [
            models.Index(fields=["merchant", "-id"], name="dispute_merchant_recent"),
            models.Index(fields=["merchant", "status", "-id"], name="dispute_merchant_status"),
            models.Index(fields=["supplier", "status", "respond_by"], name="dispute_supplier_due"),
            models.Index(fields=["supplier", "-id"], name="dispute_supplier_recent"),
            # The portal inbox: across merchants, the closest deadline first; a page reads a
            # short index range instead of sorting every open dispute of the supplier.
            models.Index(
                F("supplier"),
                inbox_urgency(),
                F("id"),
                name="dispute_supplier_inbox",
            ),
            models.Index(fields=["order"], name="dispute_order"),
            # The analytics of a period (insights.selectors): a merchant's disputes opened,
            # resolved or closed in it, and a supplier's opened across its merchants. The
            # opened ones carry every column their figures read, so that a period's tens of
            # thousands of disputes are read from the index alone.
            models.Index(
                fields=["merchant", "opened_at"],
                include=[*OPENED_FIGURE_COLUMNS, "supplier"],
                name="dispute_merchant_opened",
            ),
            models.Index(
                fields=["supplier", "opened_at"],
                include=OPENED_FIGURE_COLUMNS,
                name="dispute_supplier_opened",
            ),
            models.Index(
                fields=["merchant", "resolved_at"],
                condition=Q(resolved_at__isnull=False),
                name="dispute_merchant_resolved",
            ),
            models.Index(
                fields=["merchant", "closed_at"],
                condition=Q(closed_at__isnull=False),
                name="dispute_merchant_closed",
            ),
            # The list's sort orders and the home's "assigned to me" counts.
            models.Index(
                fields=["merchant", "-last_activity_at", "-id"], name="dispute_merchant_activity"
            ),
            # The list's due-time sort: whoever must act next, undated last (DUE_AT).
            models.Index(F("merchant"), DUE_AT, F("id"), name="dispute_merchant_due"),
            models.Index(
                fields=["merchant", "assignee", "status"], name="dispute_merchant_assignee"
            ),
        ]

    def __str__(self):
        return f"#{self.number}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    # Lists show these on every row: labels by lookup (core.labels), not get_*_display.
    @property
    def kind_label(self) -> str:
        return choice_label(DisputeKind, self.kind)

    @property
    def reason_label(self) -> str:
        return choice_label(Reason, self.reason)

    @property
    def status_label(self) -> str:
        return choice_label(DisputeStatus, self.status)

    @property
    def is_overdue(self) -> bool:
        now = timezone.now()
        return self.is_open and any(
            due is not None and due < now for due in (self.respond_by, self.resolve_by)
        )


class DisputeSeen(TenantModel):
    """When a person last opened a dispute: newer activity than this is "unread" to them.

    `supplier` is copied from the dispute, so that the supplier's scope reads its own
    people's rows as the merchant's scope reads its own.
    """

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="+")
    supplier = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(_("seen at"), default=timezone.now)

    class Meta:
        verbose_name = _("dispute seen")
        verbose_name_plural = _("disputes seen")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "dispute", "user"], name="dispute_seen_once_per_user"
            )
        ]

    def __str__(self):
        return f"{self.dispute_id}: {self.user_id} {self.seen_at}"


class SavedView(TenantModel):
    """A person's own filter of the dispute list, by name, in one merchant organization."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=60)
    # The list's query string (filters and sort), without a page cursor.
    query = models.CharField(_("filters"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "user", "name"], name="saved_view_name_unique_per_user"
            )
        ]

    def __str__(self):
        return self.name


class DisputeLine(TenantModel):
    """An order line a dispute is about; `is_open` lets the database refuse a second one."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="dispute_lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    is_open = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("disputed line")
        verbose_name_plural = _("disputed lines")
        constraints = [
            models.UniqueConstraint(fields=["dispute", "order_line"], name="dispute_line_unique"),
            # The last wall behind the service's check: two open disputes on one line.
            models.UniqueConstraint(
                fields=["order_line"], condition=Q(is_open=True), name="dispute_line_one_open"
            ),
        ]

    def __str__(self):
        return f"{self.dispute_id}: {self.order_line_id}"


class Party(models.TextChoices):
    MERCHANT = "merchant", _("merchant")
    SUPPLIER = "supplier", _("supplier")
    PLATFORM = "platform", _("platform")
    SYSTEM = "system", _("system")


class EventType(models.TextChoices):
    MESSAGE = "message", _("message")
    NOTE = "note", _("internal note")  # merchant staff only; never reaches a supplier
    ATTACHMENT = "attachment", _("attachment")
    STATUS = "status", _("status change")
    PROPOSAL = "proposal", _("proposal")
    ESCALATION = "escalation", _("escalation")
    DEADLINE = "deadline", _("deadline")
    SYSTEM = "system", _("system notice")


class SupplierVisibleUnlessInternal(TenantModel):
    """A child of a dispute: its supplier sees it unless it is internal to the merchant."""

    supplier = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    internal = models.BooleanField(_("internal"), default=False)

    class Meta:
        abstract = True

    @classmethod
    def visible_to(cls, organization) -> Q:
        if organization.is_supplier:
            # Defence in depth: even a selector that forgets the filter gets no notes.
            return Q(supplier_id=organization.pk, internal=False)
        return super().visible_to(organization)


def attachment_path(instance, filename: str) -> str:
    # Never the uploader's name: ids only, so a path says nothing and cannot collide.
    return (
        f"disputes/{instance.merchant_id}/{instance.dispute_id}/{instance.id}{instance.extension}"
    )


class AttachmentKind(models.TextChoices):
    IMAGE = "image", _("image")
    VIDEO = "video", _("video")
    DOCUMENT = "document", _("document")


class Attachment(SupplierVisibleUnlessInternal):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    filename = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(_("content type"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=AttachmentKind.choices)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64, editable=False)
    author_party = models.CharField(_("party"), max_length=10, choices=Party.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [models.Index(fields=["dispute", "created_at"], name="attachment_dispute")]

    def __str__(self):
        return self.filename

    @property
    def extension(self) -> str:
        return ACCEPTED_TYPES[self.content_type].extension if self.content_type else ""

    @property
    def is_evidence(self) -> bool:
        return self.kind in (AttachmentKind.IMAGE, AttachmentKind.VIDEO)

    @property
    def is_previewable(self) -> bool:
        # Only images this server re-encoded itself are ever shown inline.
        return self.kind == AttachmentKind.IMAGE


class TimelineEvent(SupplierVisibleUnlessInternal):
    """One line of a dispute's audit trail; never updated, never deleted."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="events")
    position = models.PositiveIntegerField()
    type = models.CharField(_("type"), max_length=12, choices=EventType.choices)
    author_party = models.CharField(_("party"), max_length=10, choices=Party.choices)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    author_organization = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Text people wrote (messages, notes, reasons). What the system says is kept as a
    # code with parameters in `data` and worded in the reader's language when read.
    body = models.TextField(_("text"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    attachments = models.ManyToManyField(
        Attachment, through="TimelineEventAttachment", related_name="events"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["dispute", "position"], name="event_position_unique")
        ]

    def __str__(self):
        return f"{self.dispute_id} {self.position} {self.type}"


class TimelineEventAttachment(TenantModel):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    event = models.ForeignKey(TimelineEvent, on_delete=models.CASCADE, related_name="+")
    attachment = models.ForeignKey(Attachment, on_delete=models.CASCADE, related_name="+")

    # Row-level security (core.rls): whoever sees the event sees (and adds) its attachments.
    row_security_also = (
        "EXISTS (SELECT 1 FROM disputes_timelineevent AS event WHERE event.id = {table}.event_id)"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "attachment"], name="event_attachment_unique")
        ]

    def __str__(self):
        return f"{self.event_id}: {self.attachment_id}"


class ResolutionType(models.TextChoices):
    REFUND = "refund", _("full refund")
    PARTIAL_REFUND = "partial_refund", _("partial refund")
    RESHIP = "reship", _("reship")
    REPLACEMENT = "replacement", _("replacement")
    RETURN_REFUND = "return_refund", _("return and refund")
    STORE_CREDIT = "store_credit", _("store credit")
    COMPENSATION = "compensation", _("compensation")
    # Only a platform arbitration decides this one: the claim is turned down.
    REJECTION = "rejection", _("claim rejected")


PROPOSABLE_RESOLUTIONS = tuple(r for r in ResolutionType.values if r != ResolutionType.REJECTION)
# Resolutions that carry an amount of money; the others are carried out in goods.
MONEY_RESOLUTIONS = frozenset(
    {
        ResolutionType.REFUND,
        ResolutionType.PARTIAL_REFUND,
        ResolutionType.RETURN_REFUND,
        ResolutionType.STORE_CREDIT,
        ResolutionType.COMPENSATION,
    }
)
# Resolutions the supplier carries out by sending goods, with a tracking number.
SHIPPING_RESOLUTIONS = frozenset({ResolutionType.RESHIP, ResolutionType.REPLACEMENT})


class Fault(models.TextChoices):
    SUPPLIER = "supplier", _("supplier")
    CARRIER = "carrier", _("carrier")
    CUSTOMER = "customer", _("customer")


class CostBearer(models.TextChoices):
    MERCHANT = "merchant", _("merchant")
    SUPPLIER = "supplier", _("supplier")
    CUSTOMER = "customer", _("customer")


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("open")  # waiting for the other party
    ACCEPTED = "accepted", _("accepted")  # settles the dispute once carried out
    REJECTED = "rejected", _("rejected")
    SUPERSEDED = "superseded", _("superseded")  # a counter-proposal or arbitration replaced it


class Proposal(TenantModel):
    """A resolution offered by one party (or decided by the platform in arbitration)."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="proposals")
    supplier = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    resolution = models.CharField(_("resolution"), max_length=20, choices=ResolutionType.choices)
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3)
    note = models.TextField(_("note"), blank=True)
    rma_number = models.CharField(_("RMA number"), max_length=64, blank=True)
    fault = models.CharField(_("at fault"), max_length=10, choices=Fault.choices, blank=True)
    return_shipping_paid_by = models.CharField(
        _("return shipping paid by"), max_length=10, choices=CostBearer.choices, blank=True
    )
    restocking_paid_by = models.CharField(
        _("restocking paid by"), max_length=10, choices=CostBearer.choices, blank=True
    )
    restocking_fee_percent = models.DecimalField(
        _("restocking fee (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.OPEN
    )
    proposed_by_party = models.CharField(_("proposed by"), max_length=10, choices=Party.choices)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    decided_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # How the supplier carried it out.
    refund_reference = models.CharField(_("refund reference"), max_length=100, blank=True)
    shipment = models.ForeignKey(
        Shipment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    fulfilled_at = models.DateTimeField(_("carried out at"), null=True, blank=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        indexes = [models.Index(fields=["dispute", "created_at"], name="proposal_dispute")]
        constraints = [
            models.CheckConstraint(
                condition=Q(restocking_fee_percent__isnull=True)
                | Q(restocking_fee_percent__gte=0, restocking_fee_percent__lte=50),
                name="proposal_restocking_fee_at_most_half",
            ),
            # The last wall behind the dispute's row lock: one proposal on offer at a time.
            models.UniqueConstraint(
                fields=["dispute"],
                condition=Q(status="open"),
                name="proposal_one_open_per_dispute",
            ),
        ]

    def __str__(self):
        return f"{self.get_resolution_display()} ({self.get_status_display()})"


class EvidenceRequirement(TenantModel):
    """A merchant tightens the default evidence policy: this reason also needs evidence."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    reason = models.CharField(_("reason"), max_length=30, choices=Reason.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("evidence requirement")
        verbose_name_plural = _("evidence requirements")
        constraints = [
            models.UniqueConstraint(fields=["merchant", "reason"], name="evidence_reason_unique")
        ]

    def __str__(self):
        return self.get_reason_display()


class CostDefault(TenantModel):
    """A merchant's own answer to "who pays return shipping and restocking" for a fault."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    fault = models.CharField(_("at fault"), max_length=10, choices=Fault.choices)
    return_shipping_paid_by = models.CharField(
        _("return shipping paid by"), max_length=10, choices=CostBearer.choices
    )
    restocking_paid_by = models.CharField(
        _("restocking paid by"), max_length=10, choices=CostBearer.choices
    )

    class Meta:
        verbose_name = _("cost default")
        verbose_name_plural = _("cost defaults")
        constraints = [
            models.UniqueConstraint(fields=["merchant", "fault"], name="cost_default_unique")
        ]

    def __str__(self):
        return self.get_fault_display()


class ArbitrationCase(Dispute):
    """The platform's queue in the admin: disputes waiting for an operator's decision."""

    class Meta:
        proxy = True
        verbose_name = _("arbitration case")
        verbose_name_plural = _("arbitration queue")


class LedgerSide(models.TextChoices):
    CUSTOMER = "customer", _("given to the customer")  # what the merchant paid out
    SUPPLIER = "supplier", _("recovered from the supplier")  # what the merchant got back


class LedgerKind(models.TextChoices):
    REFUND = "refund", _("refund")
    RESHIP_COST = "reship_cost", _("reship cost")
    COUPON = "coupon", _("coupon")
    STORE_CREDIT = "store_credit", _("store credit")
    CREDIT = "credit", _("credit")
    RESHIP_VALUE = "reship_value", _("value of a reship")
    OTHER = "other", _("other")


LEDGER_KINDS_BY_SIDE: dict[str, tuple[str, ...]] = {
    LedgerSide.CUSTOMER: (
        LedgerKind.REFUND,
        LedgerKind.RESHIP_COST,
        LedgerKind.COUPON,
        LedgerKind.STORE_CREDIT,
        LedgerKind.OTHER,
    ),
    LedgerSide.SUPPLIER: (
        LedgerKind.REFUND,
        LedgerKind.CREDIT,
        LedgerKind.RESHIP_VALUE,
        LedgerKind.OTHER,
    ),
}


class LedgerEntry(TenantModel):
    """One movement of money on a dispute's recovery ledger; merchant-only, never edited.

    No `supplier` column: the tenant manager then shows a supplier no entry at all, so the
    customer side can never reach one.
    """

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="ledger_entries")
    side = models.CharField(_("side"), max_length=10, choices=LedgerSide.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=LedgerKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    note = models.CharField(_("note"), max_length=500, blank=True)
    author_party = models.CharField(_("party"), max_length=10, choices=Party.choices)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    author_organization = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The carried-out resolution that wrote this entry by itself (none for entries people
    # record); unique, so a retried fulfilment never counts the same refund twice.
    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "proposal"],
                condition=Q(proposal__isnull=False),
                name="ledger_one_entry_per_carried_out_resolution",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["dispute", "recorded_at"], name="ledger_dispute"),
            models.Index(fields=["merchant", "recorded_at"], name="ledger_merchant_recorded"),
        ]

    def __str__(self):
        return f"{self.side} {self.kind} {self.amount} {self.currency}"


class SavedReply(TenantModel):
    """A merchant's ready answer, written in one or more languages.

    `variants` maps a language code (settings.LANGUAGES) to the text in that language;
    `default_language` names the variant used when the reader's language has none. Texts may
    hold placeholders ({customer_name}, ...) that the dispute fills when the reply is inserted
    (disputes.saved_replies).
    """

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    title = models.CharField(_("title"), max_length=120)
    default_language = models.CharField(_("default language"), max_length=10)
    variants = models.JSONField(_("texts by language"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("saved reply")
        verbose_name_plural = _("saved replies")
        constraints = [
            models.UniqueConstraint(fields=["merchant", "title"], name="saved_reply_title_unique")
        ]

    def __str__(self):
        return self.title

    @property
    def default_text(self) -> str:
        return self.variants.get(self.default_language, "")
