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
from django.utils.translation import gettext_noop

from accounts.models import MERCHANT_WORKERS, SUPPLIER_WORKERS
from deadlines import registry
from disputes.models import DisputeKind, DisputeStatus, EventType, Party, Reason
from notifications.events import Event, Recipients, Text

# Status events by code: the webhook type they are.
STATUS_TYPES = {
    "closed": "dispute.closed",
    "fulfilled": "dispute.resolved",
}
# What a rule's deadline event says, per code (English message ids, translated per reader).
DEADLINE_BODIES = {
    "supplier_response_reminder": gettext_noop(
        "The supplier has not answered yet: please respond to this dispute."
    ),
    "supplier_response_expired": gettext_noop(
        "The supplier did not answer in time; the dispute moves on by the merchant's rule."
    ),
    "problem_deadline_passed": gettext_noop(
        "The problem report was not resolved in time and becomes a refund request."
    ),
    "refund_not_carried_out": gettext_noop(
        "The accepted refund was not carried out in time; the dispute is escalated."
    ),
    "verified_claim_expired": gettext_noop(
        "The verified claim was not reshipped or refunded in time; the dispute is escalated."
    ),
    "delivered_check_address": gettext_noop(
        "Tracking says delivered: check the shipping address with the customer and wait "
        "before the supplier is pressed."
    ),
    "delivered_wait_over": gettext_noop(
        "The wait after delivery is over: the dispute continues with the supplier."
    ),
    "auto_closed": gettext_noop("The dispute was closed automatically after a quiet period."),
    "evidence_deadline_passed": gettext_noop(
        "The required photo or video was not attached in time: the refund request is cancelled."
    ),
}


def _link(party: str, dispute) -> str:
    name = "portal-dispute-detail" if party == Party.SUPPLIER else "app-dispute-detail"
    return reverse(name, kwargs={"pk": dispute.pk})


def _audience(dispute, event) -> tuple[str, set[str]]:
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
        return "dispute.message", others
    if event.type == EventType.DEADLINE:
        return "deadline.fired", set(data.get("audience", ()))
    if event.type == EventType.ESCALATION:
        return "dispute.escalated", others
    if code == "opened":
        # The supplier hears of it when it is asked to act: now, or once evidence arrives.
        asked = data.get("to") == DisputeStatus.AWAITING_SUPPLIER
        return "dispute.opened", {Party.SUPPLIER} if asked else set()
    if code == "evidence_received":
        return "dispute.status_changed", {Party.SUPPLIER}
    if code == "cancelled_missing_evidence":
        # The supplier was never asked to act on it.
        return "dispute.status_changed", {Party.MERCHANT}
    if code in ("evidence_needed", "parcels_still_in_transit") or code.startswith("parcel_"):
        # A parcel's change is told by the orders domain's own notices; the timeline keeps it.
        return "", set()
    if code == "arbitration_decided" and data.get("to") == DisputeStatus.RESOLVED:
        return "dispute.resolved", others
    return STATUS_TYPES.get(code, "dispute.status_changed"), others


def _title(kind: str, dispute, event) -> Text:
    number = {"number": dispute.number}
    if kind == "dispute.opened":
        return Text(gettext_noop("New dispute #%(number)s"), number)
    if kind == "dispute.message":
        return Text(gettext_noop("New message on dispute #%(number)s"), number)
    if kind == "dispute.escalated":
        return Text(gettext_noop("Dispute #%(number)s was escalated"), number)
    if kind == "dispute.resolved":
        return Text(gettext_noop("Dispute #%(number)s is resolved"), number)
    if kind == "dispute.closed":
        return Text(gettext_noop("Dispute #%(number)s is closed"), number)
    if kind == "deadline.fired":
        rule = (event.data or {}).get("rule", "")
        label = registry.rule_get(rule).label if registry.rule_exists(rule) else rule
        return Text(gettext_noop("Dispute #%(number)s: %(rule)s"), {**number, "rule": label})
    return Text(
        gettext_noop("Dispute #%(number)s is now %(status)s"),
        {**number, "status": DisputeStatus(dispute.status).label},
    )


def _body(kind: str, dispute, event) -> Text:
    data = event.data or {}
    if kind == "dispute.message":
        return Text(gettext_noop("%(text)s"), {"text": event.body})
    if kind == "deadline.fired":
        return Text(DEADLINE_BODIES.get(data.get("code"), ""))
    return Text(
        gettext_noop("%(kind)s: %(reason)s"),
        {"kind": DisputeKind(dispute.kind).label, "reason": Reason(dispute.reason).label},
    )


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
    if kind == "dispute.message":
        payload["message"] = {"body": event.body}
    if data.get("rule"):
        payload["rule"] = data["rule"]
    if data.get("from") or data.get("to"):
        payload["from"], payload["to"] = data.get("from", ""), data.get("to", "")
    return payload


def events_for(dispute, event) -> list[Event]:
    """The notification Events of one timeline event (none for a note)."""
    kind, parties = _audience(dispute, event)
    if not kind:
        return []
    title, body, payload = (
        _title(kind, dispute, event),
        _body(kind, dispute, event),
        _payload(kind, dispute, event),
    )
    excluded = (event.author_user,) if event.author_user_id else ()
    answer = [
        # Always: the merchant's webhooks hear of every event, even when no person is told.
        Event(
            type=kind,
            merchant=dispute.merchant,
            dedup_key=f"dispute-event:{event.pk}:merchant",
            title=title,
            body=body,
            url=_link(Party.MERCHANT, dispute),
            data=payload,
            recipients=(
                (Recipients(dispute.merchant, roles=MERCHANT_WORKERS),)
                if Party.MERCHANT in parties
                else ()
            ),
            exclude_users=excluded,
        )
    ]
    if Party.SUPPLIER in parties:
        answer.append(
            Event(
                type=kind,
                merchant=dispute.merchant,
                dedup_key=f"dispute-event:{event.pk}:supplier",
                title=title,
                body=body,
                url=_link(Party.SUPPLIER, dispute),
                data=payload,
                recipients=(Recipients(dispute.supplier, roles=SUPPLIER_WORKERS),),
                exclude_users=excluded,
                webhooks=False,
            )
        )
    return answer
