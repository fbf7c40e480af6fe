"""The business rules with numbers in them: evidence, costs, and when a dispute is due.

Pure lookups and arithmetic; services call them, nothing here writes.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from disputes.models import (
    CostBearer,
    CostDefault,
    DisputeKind,
    DisputeStatus,
    EvidenceRequirement,
    Fault,
    Party,
    Reason,
)

# Marketplaces refuse these claims without a photo or a video of what arrived.
EVIDENCE_REQUIRED_REASONS = frozenset(
    {Reason.DAMAGED, Reason.WRONG_ITEM, Reason.SUPPLIER_WRONG_SIZE, Reason.NOT_AS_DESCRIBED}
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

SUPPLIER_RESPONSE_TIME = timedelta(hours=48)
RESOLUTION_TIME = {DisputeKind.PROBLEM: timedelta(days=7), DisputeKind.REFUND: timedelta(days=15)}


def evidence_required(*, merchant_id, reason: str) -> bool:
    """The default policy, tightened (never loosened) by the merchant's own rows."""
    if reason in EVIDENCE_REQUIRED_REASONS:
        return True
    return EvidenceRequirement.cross_tenant_objects.filter(
        merchant_id=merchant_id, reason=reason
    ).exists()


def evidence_required_reasons(*, merchant_id) -> frozenset[str]:
    extra = EvidenceRequirement.cross_tenant_objects.filter(merchant_id=merchant_id).values_list(
        "reason", flat=True
    )
    return EVIDENCE_REQUIRED_REASONS | frozenset(extra)


def missing_evidence_due_at(dispute):
    """When a refund request still missing its evidence gets cancelled (the timer's rule)."""
    if dispute.status != DisputeStatus.AWAITING_EVIDENCE:
        return None
    return (dispute.escalated_at or dispute.opened_at) + timedelta(days=MISSING_EVIDENCE_DAYS)


def cost_bearers(*, merchant_id, fault: str) -> tuple[str, str]:
    """(return shipping paid by, restocking paid by) for a fault, from the merchant's table."""
    row = (
        CostDefault.cross_tenant_objects.filter(merchant_id=merchant_id, fault=fault)
        .values_list("return_shipping_paid_by", "restocking_paid_by")
        .first()
    )
    return row or DEFAULT_COSTS[fault]


def waiting_on(dispute) -> str | None:
    """The party whose turn it is, or None when nobody has to act."""
    status = dispute.status
    if status in (DisputeStatus.AWAITING_SUPPLIER, DisputeStatus.RESOLUTION_ACCEPTED):
        return Party.SUPPLIER
    if status in (
        DisputeStatus.AWAITING_MERCHANT,
        DisputeStatus.AWAITING_EVIDENCE,
        DisputeStatus.RESOLVED,
    ):
        return Party.MERCHANT
    if status == DisputeStatus.RESOLUTION_PROPOSED and dispute.open_proposal is not None:
        proposer = dispute.open_proposal.proposed_by_party
        return Party.SUPPLIER if proposer == Party.MERCHANT else Party.MERCHANT
    if status == DisputeStatus.IN_ARBITRATION:
        return Party.PLATFORM
    return None


def due_times(dispute, *, was_waiting_on: str | None, restart_resolution: bool = False):
    """(respond_by, resolve_by) after a change; the one place issue 5's rule engine replaces.

    respond_by runs from the moment the dispute starts waiting on the supplier and is kept
    while it keeps waiting (a second merchant message does not buy the supplier time);
    resolve_by runs from opening, escalation or reopening, and ends with the dispute.
    """
    now = timezone.now()
    respond_by = None
    if waiting_on(dispute) == Party.SUPPLIER:
        keep = was_waiting_on == Party.SUPPLIER and dispute.respond_by is not None
        respond_by = dispute.respond_by if keep else now + SUPPLIER_RESPONSE_TIME
    resolve_by = dispute.resolve_by
    if dispute.status in (DisputeStatus.RESOLVED, DisputeStatus.CLOSED, DisputeStatus.CANCELLED):
        resolve_by = None
    elif restart_resolution or resolve_by is None:
        resolve_by = now + RESOLUTION_TIME[dispute.kind]
    return respond_by, resolve_by


def cost_table(*, merchant_id) -> list[tuple[str, str, str, bool]]:
    """(fault, return shipping paid by, restocking paid by, is the merchant's own) per fault."""
    own = {
        row.fault: row for row in CostDefault.cross_tenant_objects.filter(merchant_id=merchant_id)
    }
    table = []
    for fault in Fault.values:
        if fault in own:
            row = own[fault]
            table.append((fault, row.return_shipping_paid_by, row.restocking_paid_by, True))
        else:
            table.append((fault, *DEFAULT_COSTS[fault], False))
    return table
