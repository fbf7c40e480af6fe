"""Who hears of a timeline event, and in what words: the Events handed to `notify`.

One rule decides the audience: an event is told to the party that did NOT cause it (both
parties when the system or the platform caused it), and every event reaches the
merchant's own webhooks. Each party gets its own Event because its link differs
(/app/disputes/<id>/ for the merchant's staff, /portal/disputes/<id>/ for the supplier);
the webhook rides on the merchant's one only. Dedup keys are the timeline event's id and
the party, so a retried transaction or a repeated call never doubles a notification.

Internal notes produce NOTHING, for anyone: no in-app row, no e-mail, no webhook. A note
is the merchant's working memory, already on the dispute page for its colleagues, and a
webhook endpoint may feed a tool the supplier sees; not emitting is the only way a note
cannot leak. Internal attachments likewise.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy, gettext_noop

from accounts.models import MERCHANT_WORKERS, SUPPLIER_WORKERS
from disputes import policies
from disputes.models import DisputeKind, DisputeStatus, EventType, Party, Reason
from disputes.wording import RULE_NOTICES, STATUS_TITLES, YOUR_TURN_TITLE, rule_label
from notifications.events import Event, Recipients, Text, register_event_type

# The event types disputes raise, registered with the engine (API.md's webhook types).
OPENED = register_event_type("dispute.opened", gettext_lazy("A dispute is opened"))
MESSAGE = register_event_type("dispute.message", gettext_lazy("A new message in a dispute"))
STATUS_CHANGED = register_event_type(
    "dispute.status_changed", gettext_lazy("A dispute changes status")
)
ESCALATED = register_event_type("dispute.escalated", gettext_lazy("A dispute is escalated"))
RESOLVED = register_event_type("dispute.resolved", gettext_lazy("A dispute is resolved"))
CLOSED = register_event_type("dispute.closed", gettext_lazy("A dispute is closed"))
DEADLINE_FIRED = register_event_type("deadline.fired", gettext_lazy("A deadline passes"))
# The merchant's own matter: told to the person only, never to webhooks or the supplier.
ASSIGNED = register_event_type("dispute.assigned", gettext_lazy("A dispute is assigned to you"))

# A body's first words by kind: whole sentences, so they start with a capital in every
# language (the kind's label is lower-case for use inside a sentence).
KIND_SUMMARIES = {
    DisputeKind.PROBLEM: gettext_noop("Problem report: %(reason)s"),
    DisputeKind.REFUND: gettext_noop("Refund request: %(reason)s"),
}

# Status events by code: the webhook type they are.
STATUS_TYPES = {
    "closed": CLOSED,
    "fulfilled": RESOLVED,
}


def _link(party: str, dispute) -> str:
    name = "portal-dispute-detail" if party == Party.SUPPLIER else "app-dispute-detail"
    return reverse(name, kwargs={"pk": dispute.pk})


def _audience(event) -> tuple[str, set[str]]:
    """(webhook type, parties to tell in-app and by e-mail), or ("", ...) for nothing."""
    data = event.data or {}
    code = data.get("code", "")
    author = event.author_party
    others = (
        {Party.MERCHANT, Party.SUPPLIER}
        if author in (Party.SYSTEM, Party.PLATFORM)
        else {Party.MERCHANT, Party.SUPPLIER} - {author}
    )
    if event.internal or event.type in (EventType.NOTE, EventType.ATTACHMENT):
        return "", set()
    if event.type == EventType.MESSAGE:
        return MESSAGE, others
    if event.type == EventType.DEADLINE:
        return DEADLINE_FIRED, set(data.get("audience", ()))
    if event.type == EventType.ESCALATION:
        return ESCALATED, others
    if code == "opened":
        # The supplier hears of it when it is asked to act: now, or once evidence arrives.
        asked = data.get("to") == DisputeStatus.AWAITING_SUPPLIER
        return OPENED, {Party.SUPPLIER} if asked else set()
    if code == "evidence_received":
        return STATUS_CHANGED, {Party.SUPPLIER}
    if code == "cancelled_missing_evidence":
        # The supplier was never asked to act on it.
        return STATUS_CHANGED, {Party.MERCHANT}
    if code in ("evidence_needed", "parcels_still_in_transit") or code.startswith("parcel_"):
        # A parcel's change is told by the orders domain's own notices; the timeline keeps it.
        return "", set()
    if code == "arbitration_decided" and data.get("to") == DisputeStatus.RESOLVED:
        return RESOLVED, others
    return STATUS_TYPES.get(code, STATUS_CHANGED), others


def _title(kind: str, dispute, event, party: str) -> Text:
    number = {"number": dispute.number}
    if kind == OPENED:
        return Text(gettext_noop("New dispute #%(number)s"), number)
    if kind == MESSAGE:
        return Text(gettext_noop("New message on dispute #%(number)s"), number)
    if kind == ESCALATED:
        return Text(gettext_noop("Dispute #%(number)s was escalated"), number)
    if kind == RESOLVED:
        return Text(gettext_noop("Dispute #%(number)s is resolved"), number)
    if kind == CLOSED:
        return Text(gettext_noop("Dispute #%(number)s is closed"), number)
    if kind == DEADLINE_FIRED:
        label = rule_label((event.data or {}).get("rule", ""))
        return Text(gettext_noop("Dispute #%(number)s: %(rule)s"), {**number, "rule": label})
    if policies.waiting_on(dispute) == party:
        return Text(YOUR_TURN_TITLE, number)
    return Text(STATUS_TITLES.get(dispute.status, ""), number)


def _body(kind: str, dispute, event) -> Text:
    data = event.data or {}
    if kind == MESSAGE or data.get("code") == "evidence_requested":
        # What the supplier wrote is the point: what it needs to see.
        return Text(gettext_noop("%(text)s"), {"text": event.body})
    if kind == DEADLINE_FIRED:
        notice = RULE_NOTICES.get(data.get("code"))
        return Text(notice.notification if notice else "")
    return Text(KIND_SUMMARIES[dispute.kind], {"reason": Reason(dispute.reason).label})


def _payload(kind: str, dispute, event) -> dict:
    data = event.data or {}
    payload = {
        "dispute": {
            "id": str(dispute.pk),
            "number": dispute.number,
            "kind": dispute.kind,
            "reason": dispute.reason,
            "status": dispute.status,
            "order": str(dispute.order_id),
            "supplier": str(dispute.supplier_id),
            "respond_by": dispute.respond_by.isoformat() if dispute.respond_by else None,
            "resolve_by": dispute.resolve_by.isoformat() if dispute.resolve_by else None,
        },
        "event": {
            "id": str(event.pk),
            "type": event.type,
            "code": data.get("code", ""),
            "position": event.position,
            "author_party": event.author_party,
        },
    }
    if kind == MESSAGE:
        payload["message"] = {"body": event.body}
    if data.get("rule"):
        payload["rule"] = data["rule"]
    if data.get("from") or data.get("to"):
        payload["from"], payload["to"] = data.get("from", ""), data.get("to", "")
    return payload


def subject_of(dispute) -> str:
    """What a dispute's notifications are about: opening the dispute marks them read."""
    return f"dispute:{dispute.pk}"


def events_for(dispute, event) -> list[Event]:
    """The notification Events of one timeline event (none for a note)."""
    kind, parties = _audience(event)
    if not kind:
        return []
    body, payload = _body(kind, dispute, event), _payload(kind, dispute, event)
    excluded = (event.author_user,) if event.author_user_id else ()
    answer = [
        # Always: the merchant's webhooks hear of every event, even when no person is told.
        Event(
            type=kind,
            merchant=dispute.merchant,
            dedup_key=f"dispute-event:{event.pk}:merchant",
            title=_title(kind, dispute, event, Party.MERCHANT),
            body=body,
            url=_link(Party.MERCHANT, dispute),
            data=payload,
            recipients=(
                (Recipients(dispute.merchant, roles=MERCHANT_WORKERS),)
                if Party.MERCHANT in parties
                else ()
            ),
            exclude_users=excluded,
            subject=subject_of(dispute),
        )
    ]
    if Party.SUPPLIER in parties:
        answer.append(
            Event(
                type=kind,
                merchant=dispute.merchant,
                dedup_key=f"dispute-event:{event.pk}:supplier",
                title=_title(kind, dispute, event, Party.SUPPLIER),
                body=body,
                url=_link(Party.SUPPLIER, dispute),
                data=payload,
                recipients=(Recipients(dispute.supplier, roles=SUPPLIER_WORKERS),),
                exclude_users=excluded,
                webhooks=False,
                subject=subject_of(dispute),
            )
        )
    return answer


def assignment_event(dispute, *, assignee, actor) -> Event:
    """Tell `assignee` that `actor` gave them the dispute (one notice per assignment)."""
    return Event(
        type=ASSIGNED,
        merchant=dispute.merchant,
        dedup_key=f"dispute-assigned:{dispute.pk}:{assignee.pk}:{dispute.assigned_at.isoformat()}",
        title=Text(
            gettext_noop("Dispute #%(number)s is assigned to you"), {"number": dispute.number}
        ),
        body=Text(
            gettext_noop("%(name)s assigned it to you: %(reason)s"),
            {"name": actor.display_name, "reason": Reason(dispute.reason).label},
        ),
        url=_link(Party.MERCHANT, dispute),
        data={"dispute": {"id": str(dispute.pk), "number": dispute.number}},
        recipients=(Recipients(dispute.merchant, users=(assignee,)),),
        internal=True,
        webhooks=False,
    )
