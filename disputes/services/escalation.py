"""Escalation (problem → refund request → platform arbitration) and the platform's decision."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.actors import Actor
from accounts.models import AuditAction
from accounts.services import audit_record
from core.errors import PermissionDenied, ValidationFailed
from disputes import policies
from disputes.models import (
    REASONS_BY_KIND,
    REFUND_REASON_FOR_PROBLEM,
    Dispute,
    DisputeKind,
    EventType,
    Party,
    ProposalStatus,
    ResolutionType,
)
from disputes.services.transition_machinery import (
    Change,
    locked,
    proposal_add,
    release_lines,
    supersede_open_proposal,
)

ESCALATION_TARGETS = ("refund", "arbitration")
MAX_REASON_LENGTH = 4000


def dispute_escalate(
    *, actor: Actor, dispute: Dispute, to: str, note: str = "", reason: str = ""
) -> Dispute:
    """Problem report → refund request (same dispute, same timeline), or → arbitration."""
    note = (note or "").strip()[:MAX_REASON_LENGTH]
    if to not in ESCALATION_TARGETS:
        raise ValidationFailed(field_errors={"to": [_('Choose "refund" or "arbitration".')]})
    if to == "refund":
        return _to_refund(actor, dispute, note, reason)
    return _to_arbitration(actor, dispute, note)


def _to_refund(actor: Actor, dispute: Dispute, note: str, reason: str) -> Dispute:
    if reason and reason not in REASONS_BY_KIND[DisputeKind.REFUND]:
        raise ValidationFailed(
            field_errors={"reason": [_("This is not a reason for a refund request.")]}
        )
    with transaction.atomic():
        dispute = locked(dispute)
        change = Change(dispute, actor=actor, action="escalate_to_refund")
        previous_reason = dispute.reason
        reason = reason or REFUND_REASON_FOR_PROBLEM[previous_reason]
        amount = dispute.requested_amount
        if amount is None:
            amount = policies.lines_total(dispute.lines.all())
        change.set(
            kind=DisputeKind.REFUND,
            reason=reason,
            requested_amount=amount,
            escalated_at=timezone.now(),
            evidence_required=dispute.evidence_required
            or policies.evidence_required(merchant_id=dispute.merchant_id, reason=reason),
        )
        # A refund request has its own, longer clock.
        change.restart_resolution = True
        change.apply_status()
        change.record(
            EventType.ESCALATION,
            code="escalated_to_refund",
            body=note,
            from_reason=previous_reason,
            reason=reason,
        )
        change.save()
    return dispute


def _to_arbitration(actor: Actor, dispute: Dispute, note: str) -> Dispute:
    with transaction.atomic():
        dispute = locked(dispute)
        change = Change(dispute, actor=actor, action="escalate_to_arbitration")
        supersede_open_proposal(dispute, change)
        change.apply_status()
        change.record(EventType.ESCALATION, code="escalated_to_arbitration", body=note)
        change.save()
    return dispute


def dispute_arbitrate(
    *,
    actor: Actor,
    dispute: Dispute,
    decision: str,
    reason: str,
    amount: Decimal | None = None,
) -> Dispute:
    """A platform operator decides: refund in full, refund part, or reject the claim.

    The reason is written on the timeline where both parties read it. A refund then waits
    for the supplier to carry it out like any accepted resolution.
    """
    if actor.party != Party.PLATFORM:
        raise PermissionDenied(_("Only a platform operator arbitrates."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            field_errors={"reason": [_("Explain the decision: both parties will read it.")]}
        )
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationFailed(field_errors={"reason": [_("The reason is too long.")]})
    choices = (ResolutionType.REFUND, ResolutionType.PARTIAL_REFUND, ResolutionType.REJECTION)
    if decision not in choices:
        raise ValidationFailed(field_errors={"decision": [_("Choose a decision.")]})
    lines = list(dispute.lines.all())
    if decision == ResolutionType.REFUND:
        amount = policies.lines_total(lines)
    elif decision == ResolutionType.PARTIAL_REFUND:
        if amount is None:
            raise ValidationFailed(field_errors={"amount": [_("Give the amount to refund.")]})
        policies.check_amount(amount, lines, field="amount")
    else:
        amount = None
    action = "arbitrate_reject" if decision == ResolutionType.REJECTION else "arbitrate_refund"
    with transaction.atomic():
        dispute = locked(dispute)
        change = Change(dispute, actor=actor, action=action)
        now = timezone.now()
        proposal = proposal_add(
            dispute,
            resolution=decision,
            amount=amount,
            note=reason,
            status=ProposalStatus.ACCEPTED,
            proposed_by_party=Party.PLATFORM,
            proposed_by=actor.user,
            decided_at=now,
            decided_by=actor.user,
            fulfilled_at=now if decision == ResolutionType.REJECTION else None,
        )
        change.set(resolution=proposal, open_proposal=None, arbitrated_at=now)
        change.apply_status()
        change.record_status(
            code="arbitration_decided",
            body=reason,
            decision=decision,
            amount=None if amount is None else str(amount),
            currency=dispute.currency,
        )
        change.save()
        audit_record(
            action=AuditAction.ARBITRATION_DECIDED,
            organization=dispute.merchant,
            actor=actor,
            target=f"#{dispute.number}",
            data={
                "dispute": str(dispute.pk),
                "decision": decision,
                "amount": None if amount is None else str(amount),
                "currency": dispute.currency,
            },
        )
    return dispute


def dispute_cancel_for_missing_evidence(*, actor: Actor, dispute: Dispute) -> Dispute:
    """Called by the deadline engine when a claim still lacks its required evidence."""
    with transaction.atomic():
        dispute = locked(dispute)
        change = Change(dispute, actor=actor, action="cancel_for_missing_evidence")
        release_lines(dispute)
        change.apply_status()
        change.record(EventType.SYSTEM, code="cancelled_missing_evidence")
        change.save()
    return dispute


def dispute_accept_by_default(*, actor: Actor, dispute: Dispute, rule: str) -> Dispute:
    """The supplier ignored a refund request: the requested refund counts as accepted.

    The merchant's choice in the supplier-response rule (`silent_refund_request`); the
    supplier then carries the refund out like any accepted resolution.
    """
    with transaction.atomic():
        dispute = locked(dispute)
        change = Change(dispute, actor=actor, action="accept_by_default")
        lines = list(dispute.lines.all())
        paid = policies.lines_total(lines)
        amount = dispute.requested_amount or paid
        supersede_open_proposal(dispute, change)
        now = timezone.now()
        proposal = proposal_add(
            dispute,
            resolution=ResolutionType.REFUND if amount >= paid else ResolutionType.PARTIAL_REFUND,
            amount=amount,
            status=ProposalStatus.ACCEPTED,
            proposed_by_party=Party.MERCHANT,
            proposed_by=dispute.opened_by,
            decided_at=now,
        )
        change.set(resolution=proposal)
        change.apply_status()
        change.record_status(
            code="accepted_by_default",
            rule=rule,
            resolution=proposal.resolution,
            amount=str(amount),
            currency=dispute.currency,
        )
        change.save()
    return dispute
