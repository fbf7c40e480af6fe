"""Evidence files: checked and cleaned first, stored outside any transaction, then recorded."""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.actors import Actor
from core.errors import PermissionDenied, ValidationFailed
from disputes import transitions
from disputes.files import clean_upload
from disputes.models import Attachment, Dispute, DisputeStatus, EventType, Party
from disputes.services.transition_machinery import Change, locked

logger = logging.getLogger(__name__)

MAX_REQUEST_LENGTH = 4000


def dispute_attachment_add(
    *, actor: Actor, dispute: Dispute, upload, internal: bool = False
) -> Attachment:
    if internal and not actor.is_merchant:
        raise PermissionDenied(_("Internal files are for the merchant's staff only."))
    # A cheap look before the expensive work: no file is decoded or stored for a dispute
    # that refuses attachments anyway. The real check runs again under the lock.
    transitions.check(dispute, actor, "attach")
    clean = clean_upload(upload)
    attachment = Attachment(
        merchant_id=dispute.merchant_id,
        supplier_id=dispute.supplier_id,
        dispute_id=dispute.pk,
        filename=clean.filename,
        content_type=clean.content_type,
        kind=clean.kind,
        size=clean.size,
        sha256=clean.sha256,
        internal=internal,
        author_party=actor.party,
        uploaded_by=actor.user,
    )
    # Storage is network I/O in production (S3): done before the transaction opens.
    attachment.file.save(clean.filename, clean.content, save=False)
    try:
        with transaction.atomic():
            return _record(actor, dispute, attachment)
    except BaseException:
        # Nothing half-written: a file whose row was rolled back is removed again.
        _delete_quietly(attachment)
        raise


def _record(actor: Actor, dispute: Dispute, attachment: Attachment) -> Attachment:
    dispute = locked(dispute)
    change = Change(dispute, actor=actor, action="attach")
    attachment.save(force_insert=True)
    change.record(
        EventType.ATTACHMENT,
        code="attached",
        internal=attachment.internal,
        attachments=[attachment],
        filename=attachment.filename,
    )
    change.save()
    if _completes_evidence(dispute, attachment):
        _evidence_received(dispute, actor)
    return attachment


def _completes_evidence(dispute: Dispute, attachment: Attachment) -> bool:
    # Only the merchant's own photo or video of what arrived counts, and only if the
    # supplier can see it.
    return (
        attachment.is_evidence
        and not attachment.internal
        and attachment.author_party == Party.MERCHANT
        and dispute.status == DisputeStatus.AWAITING_EVIDENCE
    )


def _evidence_received(dispute: Dispute, actor: Actor) -> None:
    change = Change(dispute, actor=actor, action="provide_evidence")
    change.apply_status()
    change.set(evidence_received_at=timezone.now())
    change.record_status(code="evidence_received", actor=Actor.system())
    change.save()


def dispute_evidence_accept(*, actor: Actor, dispute: Dispute) -> Dispute:
    """The supplier (or the operator in arbitration) verified the evidence: the claim stands.

    The verified-claim clock (reship or refund within 15 business days) starts here, not
    when the file arrived: a photo nobody looked at verifies nothing.
    """
    with transaction.atomic():
        dispute = locked(dispute)
        change = Change(dispute, actor=actor, action="accept_evidence")
        change.set(evidence_accepted_at=timezone.now())
        change.apply_status()
        change.record_status(code="evidence_accepted")
        change.save()
    return dispute


def dispute_evidence_request(*, actor: Actor, dispute: Dispute, message: str) -> Dispute:
    """The supplier asks for more or better evidence, saying what it needs.

    The dispute waits on the merchant again and the evidence deadline starts afresh.
    """
    message = (message or "").strip()
    if not message:
        raise ValidationFailed(
            field_errors={"message": [_("Say what evidence is missing or unclear.")]}
        )
    if len(message) > MAX_REQUEST_LENGTH:
        raise ValidationFailed(field_errors={"message": [_("The message is too long.")]})
    with transaction.atomic():
        dispute = locked(dispute)
        change = Change(dispute, actor=actor, action="request_evidence")
        change.set(evidence_received_at=None)
        change.apply_status()
        change.record_status(code="evidence_requested", body=message)
        change.save()
    return dispute


def _delete_quietly(attachment: Attachment) -> None:
    try:
        attachment.file.delete(save=False)
    except Exception:  # the original error matters more than a failed cleanup
        logger.exception("Could not remove the stored file of a rolled-back attachment")
