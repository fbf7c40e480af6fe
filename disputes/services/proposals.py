"""Resolutions: one side proposes, the other accepts, rejects or counters; the supplier
carries out what was accepted."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.actors import Actor
from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from disputes import policies
from disputes.models import (
    MONEY_RESOLUTIONS,
    PROPOSABLE_RESOLUTIONS,
    SHIPPING_RESOLUTIONS,
    CostBearer,
    Dispute,
    EventType,
    Fault,
    Proposal,
    ProposalStatus,
    ResolutionType,
)
from disputes.selectors import parse_uuid
from disputes.services.ledger import ledger_record_supplier_refund
from disputes.services.transition_machinery import Change, locked, proposal_add
from orders.services import shipment_create

MAX_NOTE_LENGTH = 2000
MAX_RESTOCKING_FEE_PERCENT = Decimal(50)


def proposal_create(
    *,
    actor: Actor,
    dispute: Dispute,
    resolution: str,
    amount: Decimal | None = None,
    note: str = "",
    rma_number: str = "",
    fault: str = "",
    return_shipping_paid_by: str = "",
    restocking_paid_by: str = "",
    restocking_fee_percent: Decimal | None = None,
) -> Proposal:
    note = (note or "").strip()
    rma_number = (rma_number or "").strip()
    if resolution not in PROPOSABLE_RESOLUTIONS:
        raise ValidationFailed(
            field_errors={
                "resolution": [
                    _("Choose one of: %(choices)s.")
                    % {"choices": ", ".join(PROPOSABLE_RESOLUTIONS)}
                ]
            }
        )
    if len(note) > MAX_NOTE_LENGTH:
        raise ValidationFailed(field_errors={"note": [_("The note is too long.")]})
    lines = list(dispute.lines.all())
    amount = _checked_amount(resolution, amount, lines)
    _check_choice("fault", fault, Fault)
    _check_choice("return_shipping_paid_by", return_shipping_paid_by, CostBearer)
    _check_choice("restocking_paid_by", restocking_paid_by, CostBearer)
    _check_return_terms(resolution, fault, restocking_fee_percent)
    if fault:
        default_shipping, default_restocking = policies.cost_bearers(
            merchant_id=dispute.merchant_id, fault=fault
        )
        return_shipping_paid_by = return_shipping_paid_by or default_shipping
        restocking_paid_by = restocking_paid_by or default_restocking

    with transaction.atomic():
        dispute = locked(dispute)
        change = Change(dispute, actor=actor, action="propose")
        previous = dispute.open_proposal
        if previous is not None:
            # A counter-proposal (or a party improving its own offer) replaces the open one.
            previous.status = ProposalStatus.SUPERSEDED
            previous.decided_at = timezone.now()
            previous.save(update_fields=["status", "decided_at"])
        try:
            with transaction.atomic():
                proposal = proposal_add(
                    dispute,
                    resolution=resolution,
                    amount=amount,
                    note=note,
                    rma_number=rma_number,
                    fault=fault,
                    return_shipping_paid_by=return_shipping_paid_by,
                    restocking_paid_by=restocking_paid_by,
                    restocking_fee_percent=restocking_fee_percent,
                    proposed_by_party=actor.party,
                    proposed_by=actor.user,
                )
        except IntegrityError as error:
            # The database's one-open-proposal constraint: another proposal got there first.
            raise Conflict(
                _("Another proposal is already open on this dispute; answer it or reload.")
            ) from error
        change.set(open_proposal=proposal)
        change.apply_status()
        countered = previous is not None and previous.proposed_by_party != actor.party
        change.record(
            EventType.PROPOSAL,
            code="proposal_countered" if countered else "proposal_made",
            body=note,
            **_summary(proposal),
        )
        change.save()
    return proposal


def proposal_accept(
    *,
    actor: Actor,
    dispute: Dispute | str,
    proposal: Proposal | str,
    return_shipping_paid_by: str = "",
    restocking_paid_by: str = "",
    rma_number: str = "",
) -> Proposal:
    """Accept the open proposal. `dispute` and `proposal` may be ids: both are read under
    the dispute's lock anyway. Answers the proposal, carrying the changed dispute."""
    _check_choice("return_shipping_paid_by", return_shipping_paid_by, CostBearer)
    _check_choice("restocking_paid_by", restocking_paid_by, CostBearer)
    if (return_shipping_paid_by or restocking_paid_by) and not actor.is_merchant:
        raise PermissionDenied(_("Only the merchant decides who bears the costs."))
    with transaction.atomic():
        dispute = locked(dispute)
        proposal = _open_proposal(dispute, proposal)
        change = Change(dispute, actor=actor, action="accept")
        # The RMA number is welcome but optional: API.md's bodies do not carry it, and the
        # supplier can still send it in a message before the customer posts the parcel.
        rma_number = (rma_number or "").strip() or proposal.rma_number
        proposal.status = ProposalStatus.ACCEPTED
        proposal.decided_at = timezone.now()
        proposal.decided_by = actor.user
        proposal.rma_number = rma_number
        # The merchant may override its default cost table for this one dispute.
        proposal.return_shipping_paid_by = (
            return_shipping_paid_by or proposal.return_shipping_paid_by
        )
        proposal.restocking_paid_by = restocking_paid_by or proposal.restocking_paid_by
        proposal.save(
            update_fields=[
                "status",
                "decided_at",
                "decided_by",
                "rma_number",
                "return_shipping_paid_by",
                "restocking_paid_by",
            ]
        )
        change.set(open_proposal=None, resolution=proposal)
        change.apply_status()
        change.record(EventType.PROPOSAL, code="proposal_accepted", **_summary(proposal))
        change.save()
    return proposal


def proposal_reject(
    *, actor: Actor, dispute: Dispute, proposal: Proposal, note: str = ""
) -> Proposal:
    note = (note or "").strip()[:MAX_NOTE_LENGTH]
    with transaction.atomic():
        dispute = locked(dispute)
        proposal = _open_proposal(dispute, proposal)
        change = Change(dispute, actor=actor, action="reject")
        proposal.status = ProposalStatus.REJECTED
        proposal.decided_at = timezone.now()
        proposal.decided_by = actor.user
        proposal.save(update_fields=["status", "decided_at", "decided_by"])
        change.set(open_proposal=None)
        change.apply_status()
        change.record(EventType.PROPOSAL, code="proposal_rejected", body=note, **_summary(proposal))
        change.save()
    return proposal


def dispute_fulfil(
    *,
    actor: Actor,
    dispute: Dispute,
    refund_reference: str = "",
    carrier: str = "",
    tracking_number: str = "",
) -> Dispute:
    """The supplier reports the accepted resolution carried out (money sent, goods shipped)."""
    refund_reference = (refund_reference or "").strip()
    tracking_number = (tracking_number or "").strip()
    with transaction.atomic():
        dispute = locked(dispute)
        change = Change(dispute, actor=actor, action="fulfil")
        resolution = dispute.resolution
        now = timezone.now()
        if resolution.resolution in SHIPPING_RESOLUTIONS:
            if not tracking_number:
                raise ValidationFailed(
                    field_errors={
                        "tracking_number": [_("A reship is carried out with a tracking number.")]
                    }
                )
            shipment = shipment_create(
                actor=actor,
                order=dispute.order,
                lines=list(dispute.lines.all()),
                tracking_number=tracking_number,
                carrier=carrier or None,
                shipped_at=now,
            )
            resolution.shipment = shipment
            details = {
                "carrier": shipment.carrier,
                "tracking_number": shipment.tracking_number,
                "tracking_valid": shipment.tracking_valid,
                "shipment": str(shipment.pk),
            }
        else:
            if not refund_reference:
                raise ValidationFailed(
                    field_errors={
                        "refund_reference": [
                            _("Give the reference of the payment or credit you made.")
                        ]
                    }
                )
            if len(refund_reference) > 100:
                raise ValidationFailed(
                    field_errors={"refund_reference": [_("The reference is too long.")]}
                )
            resolution.refund_reference = refund_reference
            details = {"refund_reference": refund_reference}
        resolution.fulfilled_at = now
        resolution.save(update_fields=["refund_reference", "shipment", "fulfilled_at"])
        # The one place a carried-out supplier refund enters the recovery ledger.
        ledger_record_supplier_refund(actor=actor, dispute=dispute, resolution=resolution)
        change.apply_status()
        change.record_status(code="fulfilled", resolution=resolution.resolution, **details)
        change.save()
    return dispute


def _open_proposal(dispute: Dispute, proposal: Proposal | str) -> Proposal:
    """The proposal (or its id) as it is under the dispute's lock, which must be open; it
    carries the locked dispute (`proposal.dispute`) for the caller's answer."""
    proposal_id = parse_uuid(getattr(proposal, "pk", proposal))
    if proposal_id is not None and proposal_id == dispute.open_proposal_id:
        # Open means on offer: the lock and the one-open-proposal constraint keep
        # `dispute.open_proposal` (read under the lock) and the proposal's status in step.
        current = dispute.open_proposal
    else:
        # Not the open one: unknown (404), or no longer open (409). The copy the caller
        # holds may be stale, hence the read under the lock.
        current = (
            Proposal.objects.filter(pk=proposal_id, dispute_id=dispute.pk).first()
            if proposal_id
            else None
        )
        if current is None:
            raise NotFound()
    if current.status != ProposalStatus.OPEN:
        raise Conflict(
            _("This proposal is no longer open (it is %(status)s).")
            % {"status": current.get_status_display()}
        )
    current.dispute = dispute
    return current


def _checked_amount(resolution: str, amount: Decimal | None, lines) -> Decimal | None:
    total = policies.lines_total(lines)
    if resolution not in MONEY_RESOLUTIONS:
        if amount is not None:
            raise ValidationFailed(
                field_errors={"amount": [_("A reship or replacement carries no amount.")]}
            )
        return None
    if resolution == ResolutionType.REFUND:
        # A refund request may ask for less than was paid: a refund of that amount is still
        # "the refund"; without an amount it is everything paid for the lines.
        if amount is None:
            return total
        policies.check_amount(amount, lines, field="amount")
        return amount
    if amount is None:
        if resolution == ResolutionType.RETURN_REFUND:
            return total
        raise ValidationFailed(field_errors={"amount": [_("Give the amount.")]})
    policies.check_amount(amount, lines, field="amount")
    return amount


def _check_choice(field: str, value: str, choices) -> None:
    if value and value not in choices.values:
        raise ValidationFailed(
            field_errors={
                field: [_("Choose one of: %(choices)s.") % {"choices": ", ".join(choices.values)}]
            }
        )


def _check_return_terms(resolution, fault, restocking_fee_percent) -> None:
    if restocking_fee_percent is not None:
        if resolution != ResolutionType.RETURN_REFUND:
            raise ValidationFailed(
                field_errors={
                    "restocking_fee_percent": [_("A restocking fee applies only to a return.")]
                }
            )
        if fault != Fault.CUSTOMER:
            raise ValidationFailed(
                field_errors={
                    "restocking_fee_percent": [
                        _("A restocking fee may be charged only when the customer is at fault.")
                    ]
                }
            )
        if not Decimal(0) <= restocking_fee_percent <= MAX_RESTOCKING_FEE_PERCENT:
            raise ValidationFailed(
                field_errors={"restocking_fee_percent": [_("A restocking fee is at most 50%.")]}
            )


def _summary(proposal: Proposal) -> dict:
    """What the timeline keeps of a proposal: enough to word it later in any language."""
    return {
        "proposal": str(proposal.pk),
        "resolution": proposal.resolution,
        "amount": None if proposal.amount is None else str(proposal.amount),
        "currency": proposal.currency,
    }
