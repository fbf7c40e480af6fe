"""The merchant closes a dispute (settled, or withdrawn) and may reopen it for 30 days."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.actors import Actor
from core.errors import Conflict
from disputes.models import Dispute
from disputes.selectors import dispute_line_list_open
from disputes.services.transition_machinery import (
    Change,
    locked,
    release_lines,
    supersede_open_proposal,
)

MAX_NOTE_LENGTH = 4000


def dispute_close(*, actor: Actor, dispute: Dispute, note: str = "") -> Dispute:
    note = (note or "").strip()[:MAX_NOTE_LENGTH]
    with transaction.atomic():
        dispute = locked(dispute)
        change = Change(dispute, actor=actor, action="close")
        supersede_open_proposal(dispute, change)
        release_lines(dispute)
        change.apply_status()
        change.record_status(code="closed", body=note)
        change.save()
    return dispute


def dispute_reopen(*, actor: Actor, dispute: Dispute, note: str = "") -> Dispute:
    note = (note or "").strip()[:MAX_NOTE_LENGTH]
    with transaction.atomic():
        dispute = locked(dispute)
        change = Change(dispute, actor=actor, action="reopen")
        _reclaim_lines(dispute)
        change.apply_status()
        change.set(reopened_at=timezone.now())
        change.restart_resolution = True
        change.record_status(code="reopened", body=note)
        change.save()
    return dispute


def _reclaim_lines(dispute: Dispute) -> None:
    # Another dispute may have been opened on these lines since this one closed.
    other = (
        dispute_line_list_open(order_lines=dispute.dispute_lines.values("order_line"))
        .exclude(dispute=dispute)
        .first()
    )
    if other is not None:
        raise Conflict(
            _("These lines have another open dispute since: #%(number)s.")
            % {"number": other.dispute.number},
            field_errors={"dispute": {"id": str(other.dispute_id), "number": other.dispute.number}},
        )
    try:
        with transaction.atomic():
            dispute.dispute_lines.update(is_open=True)
    except IntegrityError as error:
        raise Conflict(_("These lines have another open dispute.")) from error
