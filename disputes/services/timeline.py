"""Messages and internal notes: the parties talking on the dispute's timeline."""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.actors import Actor
from core.errors import PermissionDenied, ValidationFailed
from disputes.models import Attachment, Dispute, EventType, TimelineEvent
from disputes.services.transition_machinery import NOTICE, Change, locked

MAX_MESSAGE_LENGTH = 10_000


def dispute_message_post(
    *,
    actor: Actor,
    dispute: Dispute,
    body: str,
    internal: bool = False,
    attachments: list[Attachment] = (),
) -> TimelineEvent:
    """A message to the other party, or (internal) a note only the merchant's staff read."""
    body = (body or "").strip()
    if not body and not attachments:
        raise ValidationFailed(field_errors={"body": [_("Write a message.")]})
    if len(body) > MAX_MESSAGE_LENGTH:
        raise ValidationFailed(
            field_errors={
                "body": [_("Keep it under %(count)d characters.") % {"count": MAX_MESSAGE_LENGTH}]
            }
        )
    if internal and not actor.is_merchant:
        raise PermissionDenied(_("Internal notes are for the merchant's staff only."))
    with transaction.atomic():
        dispute = locked(dispute)
        change = Change(dispute, actor=actor, action="note" if internal else "message")
        attachments = _check_attachments(dispute, attachments, internal=internal)
        change.apply_status()
        event = change.record(
            EventType.NOTE if internal else EventType.MESSAGE,
            body=body,
            internal=internal,
            attachments=attachments,
        )
        change.save()
    return event


def _check_attachments(dispute: Dispute, attachments, *, internal: bool) -> list[Attachment]:
    attachments = list({attachment.pk: attachment for attachment in attachments}.values())
    if any(attachment.dispute_id != dispute.pk for attachment in attachments):
        raise ValidationFailed(
            field_errors={"attachments": [_("Attach files uploaded to this dispute.")]}
        )
    if not internal and any(attachment.internal for attachment in attachments):
        # An internal file must not reach the supplier by being quoted in a message.
        raise ValidationFailed(
            field_errors={"attachments": [_("An internal file can only go with an internal note.")]}
        )
    return attachments


def dispute_notice_post(
    *, actor: Actor, dispute: Dispute, code: str, type: str = EventType.DEADLINE, **data
) -> TimelineEvent:
    """A notice from a rule ("the supplier was reminded") that leaves the state as it is.

    For the deadline engine (issue 5): no status change and no deadline planned, but the
    event takes its place in the timeline under the dispute's lock like any other.
    """
    if type not in (EventType.DEADLINE, EventType.SYSTEM):
        raise ValueError("Notices are deadline or system events.")
    with transaction.atomic():
        dispute = locked(dispute)
        change = Change(dispute, actor=actor, action=NOTICE)
        event = change.record(type, code=code, **data)
        change.save()
    return event
