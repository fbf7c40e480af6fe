"""The recovery ledger: what a dispute cost the merchant and what it got back.

Merchant staff (agents and up) record entries; a carried-out supplier refund records its
own, once. Suppliers never reach the ledger: for them it does not exist (NotFound).
"""

from decimal import Decimal, InvalidOperation

from django.utils import formats
from django.utils.translation import gettext as _

from accounts.actors import Actor
from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from core.formats import money
from core.tenancy import owner_scope
from disputes.models import (
    LEDGER_KINDS_BY_SIDE,
    Dispute,
    LedgerEntry,
    LedgerKind,
    LedgerSide,
    Party,
    Proposal,
    ProposalStatus,
    ResolutionType,
)
from disputes.services.timeline import dispute_message_post

MAX_NOTE_LENGTH = 500
MAX_AMOUNT = Decimal("9999999999.99")
# The accepted resolutions whose carrying out (a refund reference) is money the supplier paid.
SUPPLIER_REFUND_RESOLUTIONS = frozenset(
    {ResolutionType.REFUND, ResolutionType.PARTIAL_REFUND, ResolutionType.COMPENSATION}
)


def ledger_entry_record(
    *, actor: Actor, dispute: Dispute, side: str, kind: str, amount, note: str = ""
) -> LedgerEntry:
    if not actor.is_merchant:
        raise NotFound()
    if not actor.can_work:
        raise PermissionDenied(_("Viewers read the ledger; agents and up record in it."))
    note = (note or "").strip()
    errors: dict[str, list] = {}
    if side not in LEDGER_KINDS_BY_SIDE:
        errors["side"] = [_("Choose one of: %(choices)s.") % {"choices": "customer, supplier"}]
    elif kind not in LEDGER_KINDS_BY_SIDE[side]:
        errors["kind"] = [
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(LEDGER_KINDS_BY_SIDE[side])}
        ]
    amount = _checked_amount(amount, errors)
    if len(note) > MAX_NOTE_LENGTH:
        errors["note"] = [_("The note is too long.")]
    if errors:
        raise ValidationFailed(field_errors=errors)
    return LedgerEntry.objects.create(
        merchant_id=dispute.merchant_id,
        dispute=dispute,
        side=side,
        kind=kind,
        amount=amount,
        currency=dispute.currency,
        note=note,
        author_party=actor.party,
        author_user=actor.user,
        author_organization=actor.organization,
    )


def ledger_record_supplier_refund(*, actor: Actor, dispute: Dispute, resolution: Proposal) -> None:
    """Called by the fulfilment, in its transaction: the supplier's refund is recovered money.

    Idempotent by the proposal's unique entry, whoever calls it and however often.
    """
    if resolution.resolution not in SUPPLIER_REFUND_RESOLUTIONS or not resolution.amount:
        return
    with owner_scope(dispute):  # the merchant's ledger, whoever fulfils
        LedgerEntry.objects.get_or_create(
            merchant_id=dispute.merchant_id,
            proposal=resolution,
            defaults={
                "dispute": dispute,
                "side": LedgerSide.SUPPLIER,
                "kind": LedgerKind.REFUND,
                "amount": resolution.amount,
                "currency": resolution.currency,
                "note": resolution.refund_reference,
                "author_party": Party.SUPPLIER if actor.is_supplier else actor.party,
                "author_user": actor.user,
                "author_organization": actor.organization,
            },
        )


def ledger_reminder_send(*, actor: Actor, dispute: Dispute):
    """A message on the dispute reminding the supplier of the money it agreed to pay."""
    if not actor.is_merchant:
        raise NotFound()
    resolution = dispute.resolution
    if (
        resolution is None
        or resolution.amount is None
        or resolution.fulfilled_at is not None
        or resolution.status != ProposalStatus.ACCEPTED
    ):
        raise Conflict(_("Nothing agreed is waiting to be paid on this dispute."))
    body = _(
        "Reminder: on %(date)s you agreed to pay %(amount)s for this dispute. "
        "Please carry it out and give the payment reference."
    ) % {
        "date": formats.date_format(resolution.decided_at, "DATE_FORMAT"),
        "amount": money(resolution.amount, resolution.currency),
    }
    return dispute_message_post(actor=actor, dispute=dispute, body=body)


def _checked_amount(amount, errors: dict):
    try:
        value = Decimal(str(amount)) if amount is not None and amount != "" else None
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite():
        errors["amount"] = [_("Give the amount as a number, e.g. 12.50.")]
        return None
    if value <= 0:
        errors["amount"] = [_("The amount must be more than zero.")]
    elif value > MAX_AMOUNT:
        errors["amount"] = [_("The amount is too large.")]
    elif value.as_tuple().exponent < -2:
        errors["amount"] = [_("Give at most two decimal places.")]
    return value
