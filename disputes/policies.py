"""The business rules with numbers in them: evidence, costs, and when a dispute is due.

Pure lookups and arithmetic; services call them, nothing here writes (a merchant's own
settings of them are written by disputes.services.merchant_policies).
"""

from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from core.errors import ValidationFailed
from core.tenancy import owner_scope
from disputes.models import (
    CostBearer,
    CostDefault,
    DisputeStatus,
    EventType,
    EvidenceRequirement,
    Fault,
    Party,
    Reason,
)

# Marketplaces refuse these claims without a photo or a video of what arrived.
EVIDENCE_REQUIRED_REASONS = frozenset(
    {
        Reason.DAMAGED,
        Reason.WRONG_ITEM,
        Reason.SUPPLIER_WRONG_SIZE,
        Reason.NOT_AS_DESCRIBED,
        Reason.MISSING_ITEM,
    }
)
# The deadline engine cancels a refund request still without its evidence after this.
MISSING_EVIDENCE_DAYS = getattr(settings, "DISPUTE_MISSING_EVIDENCE_DAYS", 3)

# Who pays return shipping and restocking, by who was at fault, unless a merchant says
# otherwise in its CostDefault rows (and then per dispute, in the resolution).
DEFAULT_COSTS: dict[str, tuple[str, str]] = {
    Fault.SUPPLIER: (CostBearer.SUPPLIER, CostBearer.SUPPLIER),
    Fault.CARRIER: (CostBearer.SUPPLIER, CostBearer.SUPPLIER),  # the shipper claims it back
    Fault.CUSTOMER: (CostBearer.CUSTOMER, CostBearer.CUSTOMER),
}


def evidence_required(*, merchant_id, reason: str) -> bool:
    """The default policy, tightened (never loosened) by the merchant's own rows."""
    if reason in EVIDENCE_REQUIRED_REASONS:
        return True
    # The merchant's rules, whichever party asks (a supplier escalating its dispute).
    with owner_scope(merchant_id):
        return EvidenceRequirement.objects.filter(reason=reason).exists()


def evidence_required_reasons(*, merchant_id) -> frozenset[str]:
    with owner_scope(merchant_id):
        extra = frozenset(EvidenceRequirement.objects.values_list("reason", flat=True))
    return EVIDENCE_REQUIRED_REASONS | extra


def cost_bearers(*, merchant_id, fault: str) -> tuple[str, str]:
    """(return shipping paid by, restocking paid by) for a fault, from the merchant's table."""
    with owner_scope(merchant_id):
        row = (
            CostDefault.objects.filter(fault=fault)
            .values_list("return_shipping_paid_by", "restocking_paid_by")
            .first()
        )
    return row or DEFAULT_COSTS[fault]


def waiting_on(dispute) -> str | None:
    """The party whose turn it is, or None when nobody has to act."""
    status = dispute.status
    if status in (DisputeStatus.AWAITING_SUPPLIER, DisputeStatus.RESOLUTION_ACCEPTED):
        return Party.SUPPLIER
    # Not RESOLVED: the resolution is carried out and the dispute closes itself after a
    # quiet period (auto-close); closing it sooner is the merchant's choice, not its turn.
    if status in (DisputeStatus.AWAITING_MERCHANT, DisputeStatus.AWAITING_EVIDENCE):
        return Party.MERCHANT
    if status == DisputeStatus.RESOLUTION_PROPOSED and dispute.open_proposal is not None:
        proposer = dispute.open_proposal.proposed_by_party
        return Party.SUPPLIER if proposer == Party.MERCHANT else Party.MERCHANT
    if status == DisputeStatus.IN_ARBITRATION:
        return Party.PLATFORM
    return None


def waiting_on_supplier() -> Q:
    """`waiting_on(dispute) == "supplier"` as a filter, for the supplier's "waiting for me"."""
    return Q(status__in=(DisputeStatus.AWAITING_SUPPLIER, DisputeStatus.RESOLUTION_ACCEPTED)) | Q(
        status=DisputeStatus.RESOLUTION_PROPOSED,
        open_proposal__proposed_by_party=Party.MERCHANT,
    )


def cost_table(*, merchant_id) -> list[tuple[str, str, str, bool]]:
    """(fault, return shipping paid by, restocking paid by, is the merchant's own) per fault."""
    with owner_scope(merchant_id):
        own = {row.fault: row for row in CostDefault.objects.all()}
    table = []
    for fault in Fault.values:
        if fault in own:
            row = own[fault]
            table.append((fault, row.return_shipping_paid_by, row.restocking_paid_by, True))
        else:
            table.append((fault, *DEFAULT_COSTS[fault], False))
    return table


def is_supplier_answer(event_type: str, code: str = "") -> bool:
    """What counts as the supplier answering: a message, a proposal (or its answer to one),
    or carrying out the resolution."""
    return event_type in (EventType.MESSAGE, EventType.PROPOSAL) or (
        event_type == EventType.STATUS and code == "fulfilled"
    )


def response_clock_start(dispute):
    """When the supplier's response time starts: opening, or the evidence's arrival for a
    reason that needs it (None while it is awaited)."""
    if dispute.evidence_required:
        return dispute.evidence_received_at
    return dispute.opened_at


def lines_total(lines) -> Decimal:
    """What the customer paid for these lines: the most a refund of them can return."""
    return sum((line.unit_price * line.quantity for line in lines), Decimal("0.00"))


def check_amount(amount: Decimal, lines, *, field: str) -> None:
    if amount <= 0:
        raise ValidationFailed(field_errors={field: [_("The amount must be more than zero.")]})
    paid = lines_total(lines)
    if amount > paid:
        raise ValidationFailed(
            field_errors={
                field: [
                    _("The amount cannot exceed what was paid for these lines (%(paid)s).")
                    % {"paid": paid}
                ]
            }
        )
