"""The shape every dispute transition shares: lock, check, set, record, effects after commit."""

from collections.abc import Iterable

from django.utils import timezone

from accounts.actors import Actor
from core.errors import NotFound
from disputes import policies, transitions
from disputes.models import (
    Dispute,
    EventType,
    Proposal,
    ProposalStatus,
    TimelineEvent,
    TimelineEventAttachment,
)
from disputes.notifications import events_for
from disputes.services import deadline_plan
from notifications.services import notify_all

# Status → the timestamp field that records entering it.
STATUS_TIME_FIELDS = {
    "resolution_accepted": "accepted_at",
    "in_arbitration": "arbitration_requested_at",
    "resolved": "resolved_at",
    "closed": "closed_at",
    "cancelled": "cancelled_at",
}
# A rule's notice ("the supplier was reminded"): an event under the lock, no state change.
NOTICE = "notice"


def locked(dispute: Dispute | str) -> Dispute:
    """Re-read the dispute under a row lock, in the caller's transaction.

    Two parties acting at once queue here; the second one re-reads the state the first
    left and is checked against it, so both cannot succeed.

    One statement locks and reads the dispute with its order and its two organizations
    (FOR UPDATE of the dispute row alone: after a wait it is re-read as committed; the
    joined rows do not change in a transition). Its proposals come in a second statement,
    and only when it has any: a proposal joined into the locking statement would come
    from before the wait (a counter-proposal committed meanwhile would look absent).
    """
    dispute_id = getattr(dispute, "pk", dispute)
    found = (
        Dispute.objects.select_for_update(of=("self",))
        .select_related("order", "merchant", "supplier")
        .filter(pk=dispute_id)
        .first()
    )
    if found is None:
        raise NotFound()
    wanted = {found.open_proposal_id, found.resolution_id} - {None}
    proposals = Proposal.objects.in_bulk(wanted) if wanted else {}
    # Assigned even when None, so that reading them later never runs a query.
    found.open_proposal = proposals.get(found.open_proposal_id)
    found.resolution = proposals.get(found.resolution_id)
    return found


class Change:
    """One transition in progress on a locked dispute.

    Collects the fields to save and the events to append, then saves once. Only this class
    assigns `status` (STYLE.md: only transition services change it).
    """

    def __init__(self, dispute: Dispute, *, actor: Actor, action: str | None):
        self.dispute = dispute
        self.actor = actor
        self.action = action
        if action is None:
            # Opening: the dispute is new and unsaved; there is no state to move from.
            self.was_waiting_on = None
            self.previous_status = ""
            self.target = dispute.status
            self.before = deadline_plan.snapshot(None)
        elif action == NOTICE:
            # Not a move of the table: the state, and so its deadlines, stay as they are.
            self.was_waiting_on = policies.waiting_on(dispute)
            self.previous_status = dispute.status
            self.target = dispute.status
            self.before = deadline_plan.snapshot(dispute)
        else:
            self.was_waiting_on = policies.waiting_on(dispute)
            self.previous_status = dispute.status
            self.target = transitions.check(dispute, actor, action)
            self.before = deadline_plan.snapshot(dispute)
        self.announced = 0
        self.fields: set[str] = set()
        self.events: list[TimelineEvent] = []
        self.restart_resolution = False

    def set(self, **values) -> None:
        for name, value in values.items():
            setattr(self.dispute, name, value)
            self.fields.add(name)

    def apply_status(self, status: str | None = None) -> None:
        status = status or self.target
        if status == self.dispute.status:
            return
        self.set(status=status)
        time_field = STATUS_TIME_FIELDS.get(status)
        if time_field:
            self.set(**{time_field: timezone.now()})

    def record(
        self,
        type: str,
        *,
        code: str = "",
        body: str = "",
        internal: bool = False,
        attachments: Iterable = (),
        actor: Actor | None = None,
        **data,
    ) -> TimelineEvent:
        actor = actor or self.actor
        dispute = self.dispute
        dispute.last_event_position += 1
        self.fields.add("last_event_position")
        if code:
            data["code"] = code
        event = TimelineEvent.objects.create(
            merchant_id=dispute.merchant_id,
            supplier_id=dispute.supplier_id,
            dispute=dispute,
            position=dispute.last_event_position,
            type=type,
            internal=internal or type == EventType.NOTE,
            author_party=actor.party,
            author_user=actor.user,
            author_organization=actor.organization,
            body=body,
            data=data,
        )
        attachments = list(attachments)
        if attachments:
            TimelineEventAttachment.objects.bulk_create(
                TimelineEventAttachment(
                    merchant_id=dispute.merchant_id, event=event, attachment=attachment
                )
                for attachment in attachments
            )
        self.events.append(event)
        self.set(last_activity_at=event.created_at)
        if not event.internal:
            self.set(shared_activity_at=event.created_at)
        if actor.is_supplier and dispute.first_response_at is None:
            self._note_first_response(event, code)
        return event

    def _note_first_response(self, event: TimelineEvent, code: str) -> None:
        # The supplier's first answer once its clock runs: a message sent while the
        # merchant still owes the evidence does not count.
        start = policies.response_clock_start(self.dispute)
        if policies.is_supplier_answer(event.type, code) and start and event.created_at >= start:
            self.set(first_response_at=event.created_at)

    def record_status(self, *, code: str, body: str = "", actor: Actor | None = None, **data):
        if self.previous_status != self.dispute.status:
            data.setdefault("from", self.previous_status)
            data.setdefault("to", self.dispute.status)
        return self.record(EventType.STATUS, code=code, body=body, actor=actor, **data)

    def save(self) -> Dispute:
        dispute = self.dispute
        if dispute._state.adding:
            # Opening saves the bare row first (its lines need it), then again with its
            # events: the rules start at that second save.
            dispute.save()
            return dispute
        if self.action != NOTICE:
            # Deadline rows are written in this transaction, with the state they belong to.
            respond_by, resolve_by = deadline_plan.deadlines_plan(self)
            self.before = deadline_plan.snapshot(dispute)
            self.was_waiting_on = policies.waiting_on(dispute)
            self.restart_resolution = False
            self.set(respond_by=respond_by, resolve_by=resolve_by, updated_at=timezone.now())
        dispute.save(update_fields=sorted(self.fields))
        # Notifications are outbox rows written in this transaction too (nothing is lost,
        # nothing is told of a change rolled back); the engine sends them after commit.
        announce(dispute, self.events[self.announced :])
        self.announced = len(self.events)
        return dispute


def supersede_open_proposal(dispute: Dispute, change: Change) -> None:
    """Arbitration or closing ends the negotiation: the open proposal is no longer on offer."""
    proposal = dispute.open_proposal
    if proposal is None:
        return
    proposal.status = ProposalStatus.SUPERSEDED
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decided_at"])
    change.set(open_proposal=None)


def proposal_add(dispute: Dispute, *, resolution: str, amount, **fields) -> Proposal:
    """A proposal (or a decided resolution) of `dispute`, in the dispute's tenant and currency."""
    return Proposal.objects.create(
        merchant_id=dispute.merchant_id,
        supplier_id=dispute.supplier_id,
        dispute=dispute,
        resolution=resolution,
        amount=amount,
        currency=dispute.currency,
        **fields,
    )


def release_lines(dispute: Dispute) -> None:
    """A finished dispute no longer holds its lines: a new one may be opened on them."""
    dispute.dispute_lines.update(is_open=False)


def announce(dispute: Dispute, events: list[TimelineEvent]) -> None:
    """Tell the parties about new timeline events (disputes.notifications words them).

    Called inside the transaction: `notify` writes the in-app rows and the e-mail and
    webhook outbox rows atomically with the change and enqueues their sending on commit.
    Keys come from the timeline event ids, so a retried transaction never doubles them.
    """
    notify_all(
        events=[event for timeline_event in events for event in events_for(dispute, timeline_event)]
    )
