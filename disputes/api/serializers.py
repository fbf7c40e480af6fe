"""The JSON of API.md's "Disputes" section; inputs are parsed here and resolved in the scope."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import Organization, User
from core.api.fields import FormBooleanField, JSONBooleanField, TextField
from core.api.writing import TimeWriter, page_time_writer
from disputes import policies, transitions
from disputes.models import (
    PROPOSABLE_RESOLUTIONS,
    Attachment,
    CostBearer,
    Dispute,
    DisputeKind,
    DisputeStatus,
    Fault,
    LedgerEntry,
    LedgerKind,
    LedgerSide,
    Party,
    Proposal,
    Reason,
    TimelineEvent,
)
from disputes.services.escalation import ESCALATION_TARGETS
from disputes.wording import author_name, event_text
from orders.models import OrderLine

MONEY = {"max_digits": 12, "decimal_places": 2}


class OrganizationBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "slug", "name"]
        read_only_fields = fields


class DisputedLineSerializer(serializers.ModelSerializer):
    # Not read-only, so that the schema does not list it as always present: suppliers never
    # get it. The serializer only ever answers (nothing writes lines through it).
    unit_price = serializers.DecimalField(
        **MONEY,
        required=False,
        help_text=_("Only the merchant sees it: suppliers never see the shop's prices."),
    )

    class Meta:
        model = OrderLine
        fields = ["id", "sku", "title", "variant", "quantity", "unit_price"]
        read_only_fields = fields

    def to_representation(self, line):
        data = super().to_representation(line)
        # As in the order API: what the customer paid is the merchant's business.
        actor = self.context.get("actor")
        if actor is None or not actor.is_merchant:
            data.pop("unit_price")
        return data


class ChoiceOrNullField(serializers.ChoiceField):
    """A choice that may be unset: stored as "", shown as null (the enum has no "")."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value):
        return super().to_representation(value) if value else None


class ProposalSerializer(serializers.ModelSerializer):
    proposed_by = serializers.CharField(source="proposed_by_party", read_only=True)
    fault = ChoiceOrNullField(choices=Fault.choices)
    return_shipping_paid_by = ChoiceOrNullField(choices=CostBearer.choices)
    restocking_paid_by = ChoiceOrNullField(choices=CostBearer.choices)
    fulfilment = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = [
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
            "proposed_by",
            "created_at",
            "decided_at",
            "fulfilment",
        ]
        read_only_fields = fields

    def get_fulfilment(self, proposal) -> dict | None:
        return _fulfilment(proposal, TimeWriter())

    def to_representation(self, proposal):
        # The fields above, written directly: a list writes two proposals a row.
        return write_proposal(proposal, page_time_writer(self.context))


_MONEY_FIELD = serializers.DecimalField(**MONEY)
_PERCENT_FIELD = serializers.DecimalField(max_digits=5, decimal_places=2)


def _decimal(field, value) -> str | None:
    return None if value is None else field.to_representation(value)


def _fulfilment(proposal, time) -> dict | None:
    if proposal.fulfilled_at is None:
        return None
    shipment = proposal.shipment
    return {
        "refund_reference": proposal.refund_reference or None,
        "shipment": str(shipment.pk) if shipment else None,
        "carrier": shipment.carrier if shipment else None,
        "tracking_number": shipment.tracking_number if shipment else None,
        "fulfilled_at": time(proposal.fulfilled_at),
    }


def write_proposal(proposal, time) -> dict | None:
    """ProposalSerializer's JSON of a `Proposal` or a `selectors.ProposalRow`."""
    if proposal is None:
        return None
    return {
        "id": str(proposal.pk),
        "resolution": proposal.resolution,
        "amount": _decimal(_MONEY_FIELD, proposal.amount),
        "currency": proposal.currency,
        "note": proposal.note,
        "rma_number": proposal.rma_number,
        "fault": proposal.fault or None,
        "return_shipping_paid_by": proposal.return_shipping_paid_by or None,
        "restocking_paid_by": proposal.restocking_paid_by or None,
        "restocking_fee_percent": _decimal(_PERCENT_FIELD, proposal.restocking_fee_percent),
        "status": proposal.status,
        "proposed_by": proposal.proposed_by_party,
        "created_at": time(proposal.created_at),
        "decided_at": time(proposal.decided_at),
        "fulfilment": _fulfilment(proposal, time),
    }


def _organization(organization_id, slug, name) -> dict:
    return {"id": str(organization_id), "slug": slug, "name": name}


class AssigneeSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "name", "email"]
        read_only_fields = fields


class DisputeSerializer(serializers.ModelSerializer):
    order = serializers.UUIDField(source="order_id", read_only=True)
    order_external_id = serializers.CharField(source="order.external_id", read_only=True)
    merchant = OrganizationBriefSerializer(read_only=True)
    supplier = OrganizationBriefSerializer(read_only=True)
    lines = DisputedLineSerializer(many=True, read_only=True)
    resolution = ProposalSerializer(read_only=True, allow_null=True)
    open_proposal = ProposalSerializer(read_only=True, allow_null=True)
    allowed_actions = serializers.SerializerMethodField()
    waiting_on = serializers.SerializerMethodField()
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)
    evidence_missing = serializers.SerializerMethodField()
    # Not read-only, so that the schema does not list them as always present: a supplier
    # never gets `assignee` (who works a dispute is the merchant's business).
    assignee = AssigneeSerializer(
        required=False,
        allow_null=True,
        help_text=_("The merchant's member who works it; null when unassigned. Merchants only."),
    )
    last_activity_at = serializers.SerializerMethodField(
        help_text=_("The newest timeline event the caller can see.")
    )
    unread = serializers.BooleanField(
        required=False,
        help_text=_("In lists: activity the caller has not seen since last opening it."),
    )

    class Meta:
        model = Dispute
        fields = [
            "id",
            "number",
            "kind",
            "reason",
            "status",
            "order",
            "order_external_id",
            "merchant",
            "supplier",
            "lines",
            "description",
            "requested_amount",
            "currency",
            "opened_at",
            "respond_by",
            "resolve_by",
            "resolution",
            "open_proposal",
            "allowed_actions",
            "waiting_on",
            "overdue",
            "evidence_required",
            "evidence_missing",
            "evidence_received_at",
            "evidence_accepted_at",
            "closed_at",
            "updated_at",
            "assignee",
            "last_activity_at",
            "unread",
        ]
        read_only_fields = fields

    def get_fields(self):
        fields = super().get_fields()
        actor = self.context.get("actor")
        if actor is not None and not actor.is_merchant:
            # Dropped before reading, so that a supplier's page loads no assignee at all.
            fields.pop("assignee")
        return fields

    def to_representation(self, dispute):
        """The fields above, written directly (no per-request field building), in their
        order and formats, from a `Dispute` or a `selectors.DisputeRow` of the detail."""
        actor = self.context.get("actor")
        is_merchant = actor is not None and actor.is_merchant
        time = page_time_writer(self.context)
        merchant, supplier = dispute.merchant, dispute.supplier
        data = {
            "id": str(dispute.pk),
            "number": dispute.number,
            "kind": dispute.kind,
            "reason": dispute.reason,
            "status": dispute.status,
            "order": str(dispute.order_id),
            "order_external_id": dispute.order.external_id,
            "merchant": _organization(merchant.pk, merchant.slug, merchant.name),
            "supplier": _organization(supplier.pk, supplier.slug, supplier.name),
            "lines": [_line(line, is_merchant) for line in _lines(dispute)],
            "description": dispute.description,
            "requested_amount": _decimal(_MONEY_FIELD, dispute.requested_amount),
            "currency": dispute.currency,
            "opened_at": time(dispute.opened_at),
            "respond_by": time(dispute.respond_by),
            "resolve_by": time(dispute.resolve_by),
            "resolution": write_proposal(dispute.resolution, time),
            "open_proposal": write_proposal(dispute.open_proposal, time),
            "allowed_actions": self.get_allowed_actions(dispute),
            "waiting_on": self.get_waiting_on(dispute),
            "overdue": dispute.is_overdue,
            "evidence_required": dispute.evidence_required,
            "evidence_missing": self.get_evidence_missing(dispute),
            "evidence_received_at": time(dispute.evidence_received_at),
            "evidence_accepted_at": time(dispute.evidence_accepted_at),
            "closed_at": time(dispute.closed_at),
            "updated_at": time(dispute.updated_at),
        }
        if actor is None or actor.is_merchant:
            data["assignee"] = _assignee(dispute.assignee)
        data["last_activity_at"] = time(
            dispute.last_activity_at if is_merchant else dispute.shared_activity_at
        )
        if hasattr(dispute, "unread"):
            data["unread"] = dispute.unread
        return data

    def get_last_activity_at(self, dispute) -> str:
        actor = self.context.get("actor")
        moment = (
            dispute.last_activity_at
            if actor is not None and actor.is_merchant
            else dispute.shared_activity_at
        )
        return serializers.DateTimeField().to_representation(moment)

    def get_allowed_actions(self, dispute) -> list[str]:
        return transitions.allowed_actions(dispute, self.context["actor"])

    def get_waiting_on(self, dispute) -> str | None:
        return policies.waiting_on(dispute)

    def get_evidence_missing(self, dispute) -> bool:
        return dispute.evidence_required and dispute.evidence_received_at is None


def _lines(dispute):
    # A model's lines come through its (prefetched) manager; a detail row holds a list.
    return dispute.lines.all() if isinstance(dispute, Dispute) else dispute.lines


def _line(line, is_merchant: bool) -> dict:
    data = {
        "id": str(line.pk),
        "sku": line.sku,
        "title": line.title,
        "variant": line.variant,
        "quantity": line.quantity,
    }
    if is_merchant:
        # As in the order API: what the customer paid is the merchant's business.
        data["unit_price"] = _decimal(_MONEY_FIELD, line.unit_price)
    return data


def _assignee(user) -> dict | None:
    return None if user is None else _assignee_brief(user.pk, user.name, user.email)


def _assignee_brief(user_id, name, email) -> dict:
    return {"id": str(user_id), "name": name, "email": email}


class DisputeListItemSerializer(serializers.Serializer):
    """A row of `GET /api/v1/disputes/`: what a list shows, read as values
    (`selectors.dispute_rows_for_merchant`, `_supplier`), with the open proposal and the
    resolution that the allowed actions act on. The lines and the description are the
    detail's (`GET /api/v1/disputes/{id}/`).

    The fields below describe the schema; `to_representation` writes each row directly
    (no per-row field walk), with the same formats as the detail.
    """

    id = serializers.UUIDField(read_only=True)
    number = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=DisputeKind.choices, read_only=True)
    reason = serializers.ChoiceField(choices=Reason.choices, read_only=True)
    status = serializers.ChoiceField(choices=DisputeStatus.choices, read_only=True)
    order = serializers.UUIDField(read_only=True)
    order_external_id = serializers.CharField(read_only=True)
    merchant = OrganizationBriefSerializer(read_only=True)
    supplier = OrganizationBriefSerializer(read_only=True)
    requested_amount = serializers.DecimalField(**MONEY, read_only=True, allow_null=True)
    currency = serializers.CharField(read_only=True)
    opened_at = serializers.DateTimeField(read_only=True)
    respond_by = serializers.DateTimeField(read_only=True, allow_null=True)
    resolve_by = serializers.DateTimeField(read_only=True, allow_null=True)
    resolution = ProposalSerializer(read_only=True, allow_null=True)
    open_proposal = ProposalSerializer(read_only=True, allow_null=True)
    allowed_actions = serializers.ListField(child=serializers.CharField(), read_only=True)
    waiting_on = serializers.CharField(read_only=True, allow_null=True)
    overdue = serializers.BooleanField(read_only=True)
    evidence_required = serializers.BooleanField(read_only=True)
    evidence_missing = serializers.BooleanField(read_only=True)
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    updated_at = serializers.DateTimeField(read_only=True)
    # As in the detail: not read-only, so that the schema does not list them as always
    # present (a supplier never gets `assignee`; `unread` needs a reader).
    assignee = AssigneeSerializer(
        required=False,
        allow_null=True,
        help_text=_("The merchant's member who works it; null when unassigned. Merchants only."),
    )
    last_activity_at = serializers.DateTimeField(
        read_only=True, help_text=_("The newest timeline event the caller can see.")
    )
    unread = serializers.BooleanField(
        required=False,
        help_text=_("In lists: activity the caller has not seen since last opening it."),
    )

    def to_representation(self, dispute):
        """One `selectors.DisputeRow` (completed with its proposals), written directly: the
        caller's own organization comes from the context, the other party's from the row."""
        context = self.context
        time = page_time_writer(context)
        actor = context["actor"]
        own = actor.organization
        own_brief = context.get("own_brief")
        if own_brief is None:
            own_brief = context["own_brief"] = _organization(own.pk, own.slug, own.name)
        if actor.is_merchant:
            merchant = own_brief
            supplier = _organization(
                dispute.supplier_id, dispute.supplier_slug, dispute.supplier_name
            )
        else:
            merchant = _organization(
                dispute.merchant_id, dispute.merchant_slug, dispute.merchant_name
            )
            supplier = own_brief
        row = {
            "id": str(dispute.id),
            "number": dispute.number,
            "kind": dispute.kind,
            "reason": dispute.reason,
            "status": dispute.status,
            "order": str(dispute.order_id),
            "order_external_id": dispute.order_external_id,
            "merchant": merchant,
            "supplier": supplier,
            "requested_amount": _decimal(_MONEY_FIELD, dispute.requested_amount),
            "currency": dispute.currency,
            "opened_at": time(dispute.opened_at),
            "respond_by": time(dispute.respond_by),
            "resolve_by": time(dispute.resolve_by),
            "resolution": write_proposal(dispute.resolution, time),
            "open_proposal": write_proposal(dispute.open_proposal, time),
            "allowed_actions": transitions.allowed_actions(dispute, actor),
            "waiting_on": policies.waiting_on(dispute),
            "overdue": dispute.is_overdue,
            "evidence_required": dispute.evidence_required,
            "evidence_missing": (
                dispute.evidence_required and dispute.evidence_received_at is None
            ),
            "closed_at": time(dispute.closed_at),
            "updated_at": time(dispute.updated_at),
        }
        if actor.is_merchant:
            # Each side sees its own activity: a merchant's notes move nothing for a supplier.
            row["last_activity_at"] = time(dispute.last_activity_at)
            row["assignee"] = (
                None
                if dispute.assignee_id is None
                else _assignee_brief(
                    dispute.assignee_id, dispute.assignee_name, dispute.assignee_email
                )
            )
        else:
            row["last_activity_at"] = time(dispute.shared_activity_at)
        if hasattr(dispute, "unread"):
            row["unread"] = dispute.unread
        return row


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["id", "filename", "content_type", "size"]
        read_only_fields = fields


class AuthorSerializer(serializers.Serializer):
    party = serializers.ChoiceField(choices=Party.choices)
    name = serializers.CharField()


class TimelineEventSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = TimelineEvent
        fields = ["id", "type", "author", "body", "attachments", "data", "created_at"]
        read_only_fields = fields

    def get_author(self, event) -> AuthorSerializer:
        return {"party": event.author_party, "name": author_name(event, self.context["viewer"])}

    def get_body(self, event) -> str:
        return event_text(event)

    def to_representation(self, event):
        """The fields above, written directly (a timeline page holds up to 100 events), from
        a `TimelineEvent` or a `selectors.TimelineEventRow`."""
        time = page_time_writer(self.context)
        attachments = (
            event.attachments.all() if isinstance(event, TimelineEvent) else event.attachments
        )
        return {
            "id": str(event.pk),
            "type": event.type,
            "author": self.get_author(event),
            "body": event_text(event),
            "attachments": [
                {
                    "id": str(attachment.pk),
                    "filename": attachment.filename,
                    "content_type": attachment.content_type,
                    "size": attachment.size,
                }
                for attachment in attachments
            ],
            "data": event.data,
            "created_at": time(event.created_at),
        }


class LedgerEntrySerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()

    class Meta:
        model = LedgerEntry
        fields = ["id", "side", "kind", "amount", "currency", "note", "recorded_at", "author"]
        read_only_fields = fields

    def get_author(self, entry) -> AuthorSerializer:
        return {"party": entry.author_party, "name": author_name(entry, self.context["viewer"])}


class LedgerTotalsSerializer(serializers.Serializer):
    currency = serializers.CharField()
    customer_side = serializers.DecimalField(max_digits=14, decimal_places=2)
    supplier_side = serializers.DecimalField(max_digits=14, decimal_places=2)
    net_loss = serializers.DecimalField(max_digits=14, decimal_places=2)


class LedgerSerializer(serializers.Serializer):
    entries = LedgerEntrySerializer(many=True)
    totals = LedgerTotalsSerializer()


class DisputeRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    number = serializers.IntegerField()


class SupplierRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class OwedSerializer(serializers.Serializer):
    dispute = serializers.SerializerMethodField()
    supplier = SupplierRefSerializer()
    agreed = serializers.DecimalField(max_digits=14, decimal_places=2)
    recovered = serializers.DecimalField(max_digits=14, decimal_places=2)
    owed = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField()
    agreed_at = serializers.DateTimeField()

    def get_dispute(self, dispute) -> DisputeRefSerializer:
        return {"id": str(dispute.pk), "number": dispute.number}


# Inputs


class LedgerEntryCreateSerializer(serializers.Serializer):
    side = serializers.ChoiceField(choices=LedgerSide.choices)
    kind = serializers.ChoiceField(choices=LedgerKind.choices)
    # Checked by the service (positive, two places); parsed here so bad JSON types are 400.
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class DisputeCreateSerializer(serializers.Serializer):
    order = TextField()
    lines = serializers.ListField(child=TextField(), allow_empty=False, max_length=500)
    kind = serializers.ChoiceField(choices=DisputeKind.choices)
    reason = serializers.ChoiceField(choices=Reason.choices)
    description = TextField(allow_blank=True, required=False, max_length=10_000)
    requested_amount = serializers.DecimalField(**MONEY, required=False, allow_null=True)


class MessageCreateSerializer(serializers.Serializer):
    body = TextField(allow_blank=True, required=False, trim_whitespace=True)
    internal = JSONBooleanField(default=False)
    attachments = serializers.ListField(
        child=TextField(), required=False, default=list, max_length=20
    )


class AttachmentCreateSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=_("JPEG, PNG, WebP, HEIC, GIF (20 MB), MP4, MOV (200 MB) or PDF (20 MB).")
    )
    internal = FormBooleanField(default=False)


class ProposalCreateSerializer(serializers.Serializer):
    resolution = serializers.ChoiceField(choices=PROPOSABLE_RESOLUTIONS)
    amount = serializers.DecimalField(**MONEY, required=False, allow_null=True)
    note = TextField(allow_blank=True, required=False, max_length=2000)
    rma_number = TextField(allow_blank=True, required=False, max_length=64)
    fault = serializers.ChoiceField(choices=Fault.choices, required=False, allow_blank=True)
    return_shipping_paid_by = serializers.ChoiceField(
        choices=CostBearer.choices, required=False, allow_blank=True
    )
    restocking_paid_by = serializers.ChoiceField(
        choices=CostBearer.choices, required=False, allow_blank=True
    )
    restocking_fee_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True
    )


class ProposalAcceptSerializer(serializers.Serializer):
    return_shipping_paid_by = serializers.ChoiceField(
        choices=CostBearer.choices, required=False, allow_blank=True
    )
    restocking_paid_by = serializers.ChoiceField(
        choices=CostBearer.choices, required=False, allow_blank=True
    )
    rma_number = TextField(allow_blank=True, required=False, max_length=64)


class AssignSerializer(serializers.Serializer):
    assignee = serializers.UUIDField(
        allow_null=True, help_text=_("A member's user id, or null to unassign.")
    )


class NoteSerializer(serializers.Serializer):
    note = TextField(allow_blank=True, required=False, max_length=4000)


class EvidenceRequestSerializer(serializers.Serializer):
    message = serializers.CharField(
        max_length=4000, help_text=_("What evidence is missing or unclear.")
    )


class FulfilSerializer(serializers.Serializer):
    refund_reference = TextField(allow_blank=True, required=False, max_length=100)
    carrier = TextField(allow_blank=True, required=False, max_length=50)
    tracking_number = TextField(allow_blank=True, required=False, max_length=64)


class EscalateSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=ESCALATION_TARGETS)
    note = TextField(allow_blank=True, required=False, max_length=4000)
    reason = serializers.ChoiceField(choices=Reason.choices, required=False, allow_blank=True)
