"""How the timeline words what the system recorded, in the reader's language.

Events keep a code and its parameters, not a sentence: a Spanish merchant and a Chinese
supplier read the same event each in their own language.
"""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.formats import money
from core.labels import choice_label
from deadlines import registry
from disputes.models import DisputeKind, DisputeStatus, Party, Reason, ResolutionType
from orders.models import carrier_name


def _label(choices, value) -> str:
    return choice_label(choices, value) if value else ""


def _money(data) -> str:
    return money(data.get("amount"), data.get("currency", ""))


def _resolution(data) -> str:
    text = _label(ResolutionType, data.get("resolution") or data.get("decision"))
    money = _money(data)
    return f"{text} ({money})" if money else text


def describe(event) -> str:
    """The system's sentence for an event, or '' for one that is only people's text."""
    data = event.data or {}
    code = data.get("code", "")
    if code == "opened":
        return _("Opened a %(kind)s: %(reason)s.") % {
            "kind": _label(DisputeKind, data.get("kind")),
            "reason": _label(Reason, data.get("reason")),
        }
    if code == "evidence_needed":
        return _(
            "This reason needs a photo or video of what arrived. The supplier is asked to "
            "respond once it is attached."
        )
    if code == "evidence_received":
        return _("Evidence received: the supplier is asked to review it and respond.")
    if code == "evidence_accepted":
        return _("Accepted the evidence: the claim is verified.")
    if code == "evidence_requested":
        return _("Asked for more evidence.")
    if code == "attached":
        return _("Attached %(filename)s.") % {"filename": data.get("filename", "")}
    if code == "proposal_made":
        return _("Proposed: %(resolution)s.") % {"resolution": _resolution(data)}
    if code == "proposal_countered":
        return _("Counter-proposal: %(resolution)s.") % {"resolution": _resolution(data)}
    if code == "proposal_accepted":
        return _("Accepted the proposal: %(resolution)s.") % {"resolution": _resolution(data)}
    if code == "proposal_rejected":
        return _("Rejected the proposal: %(resolution)s.") % {"resolution": _resolution(data)}
    if code == "fulfilled":
        if data.get("tracking_number"):
            return _("Shipped again: %(carrier)s tracking number %(number)s.") % {
                "carrier": carrier_name(data.get("carrier") or "") or _("carrier unknown"),
                "number": data["tracking_number"],
            }
        return _("Carried out: refund reference %(reference)s.") % {
            "reference": data.get("refund_reference", "")
        }
    if code == "escalated_to_refund":
        return _("Escalated to a refund request: %(reason)s.") % {
            "reason": _label(Reason, data.get("reason"))
        }
    if code == "escalated_to_arbitration":
        return _("Asked the platform to arbitrate.")
    if code == "arbitration_decided":
        return _("Arbitration decision: %(decision)s.") % {"decision": _resolution(data)}
    if code == "closed":
        return _("Closed the dispute.")
    if code == "reopened":
        return _("Reopened the dispute.")
    if code == "cancelled_missing_evidence":
        return _("Cancelled: the required photo or video evidence was not attached in time.")
    if code == "parcels_still_in_transit":
        return _(
            "This order shipped in %(count)s parcels and %(numbers)s is still on its way: "
            "the rest of the order may still arrive. Check with the customer which items are "
            "missing."
        ) % {
            "count": data.get("parcels", ""),
            "numbers": ", ".join(data.get("tracking_numbers", [])),
        }
    if code in PARCEL_NOTICES:
        return _(PARCEL_NOTICES[code]) % {
            "number": data.get("tracking_number", ""),
            "previous": data.get("previous_tracking_number", ""),
            "check": _tracking_check_label(data.get("tracking_valid")),
        }
    if code in RULE_NOTICES:
        return _rule_notice(code, data)
    if data.get("to") in STATUS_SENTENCES:
        return _(STATUS_SENTENCES[data["to"]])
    # A rule's notice with a code this module does not know carries its own words.
    return str(data.get("text", ""))


@dataclass(frozen=True)
class RuleNotice:
    """The words of one deadline rule's notice: the only table of them, by code."""

    # The timeline's sentence; %(rule)s is the rule's label.
    timeline: str
    # The body of its deadline notification (disputes.notifications); none for a code
    # recorded as a status change, which is told in the status change's words.
    notification: str = ""


# A status as a sentence: status labels ("resolution proposed") are for lists and
# filters; in a sentence people read what it means and whom it waits for.
STATUS_SENTENCES = {
    DisputeStatus.AWAITING_EVIDENCE: gettext_noop(
        "The dispute is now waiting for a photo or video of what arrived."
    ),
    DisputeStatus.AWAITING_SUPPLIER: gettext_noop(
        "The dispute is now waiting for the supplier's answer."
    ),
    DisputeStatus.AWAITING_MERCHANT: gettext_noop(
        "The dispute is now waiting for the merchant's answer."
    ),
    DisputeStatus.RESOLUTION_PROPOSED: gettext_noop("A proposal is now waiting for an answer."),
    DisputeStatus.RESOLUTION_ACCEPTED: gettext_noop(
        "The resolution was accepted and is now to be carried out."
    ),
    DisputeStatus.IN_ARBITRATION: gettext_noop("The dispute is now in arbitration."),
    DisputeStatus.RESOLVED: gettext_noop("The dispute is now resolved."),
    DisputeStatus.CLOSED: gettext_noop("The dispute is now closed."),
    DisputeStatus.CANCELLED: gettext_noop("The dispute is now cancelled."),
}

# The same, as a notification's title: for the party whose turn it is, "your answer".
STATUS_TITLES = {
    DisputeStatus.AWAITING_EVIDENCE: gettext_noop(
        "Dispute #%(number)s is now waiting for a photo or video of what arrived"
    ),
    DisputeStatus.AWAITING_SUPPLIER: gettext_noop(
        "Dispute #%(number)s is now waiting for the supplier's answer"
    ),
    DisputeStatus.AWAITING_MERCHANT: gettext_noop(
        "Dispute #%(number)s is now waiting for the merchant's answer"
    ),
    DisputeStatus.RESOLUTION_PROPOSED: gettext_noop(
        "Dispute #%(number)s now has a proposal waiting for an answer"
    ),
    DisputeStatus.RESOLUTION_ACCEPTED: gettext_noop(
        "Dispute #%(number)s: the resolution is accepted and now to be carried out"
    ),
    DisputeStatus.IN_ARBITRATION: gettext_noop("Dispute #%(number)s is now in arbitration"),
    DisputeStatus.RESOLVED: gettext_noop("Dispute #%(number)s is resolved"),
    DisputeStatus.CLOSED: gettext_noop("Dispute #%(number)s is closed"),
    DisputeStatus.CANCELLED: gettext_noop("Dispute #%(number)s is cancelled"),
}
YOUR_TURN_TITLE = gettext_noop("Dispute #%(number)s is now waiting for your answer")

PARCEL_NOTICES = {
    "parcel_corrected": gettext_noop(
        "Parcel tracking number corrected from %(previous)s to %(number)s (%(check)s)."
    ),
    "parcel_voided": gettext_noop("Parcel %(number)s was voided: it was recorded by mistake."),
    "parcel_returned": gettext_noop("Parcel %(number)s is being returned to the sender."),
    "parcel_reship_requested": gettext_noop(
        "The shipping address was corrected after parcel %(number)s came back; the lines "
        "are to be reshipped."
    ),
}


def _tracking_check_label(valid) -> str:
    if valid is None:
        return _("unchecked")
    return _("valid") if valid else _("looks invalid")


RULE_NOTICES = {
    "supplier_response_reminder": RuleNotice(
        timeline=gettext_noop("%(rule)s: the supplier was reminded to respond."),
        notification=gettext_noop(
            "The supplier has not answered yet: please respond to this dispute."
        ),
    ),
    "supplier_response_expired": RuleNotice(
        timeline=gettext_noop(
            "%(rule)s: the supplier did not respond in time, so the dispute moves on."
        ),
        notification=gettext_noop(
            "The supplier did not answer in time; the dispute moves on by the merchant's rule."
        ),
    ),
    "accepted_by_default": RuleNotice(
        timeline=gettext_noop(
            "%(rule)s: the supplier did not respond, so the requested refund counts as "
            "accepted (%(resolution)s)."
        ),
    ),
    "problem_deadline_passed": RuleNotice(
        timeline=gettext_noop(
            "%(rule)s: the problem report was not resolved in time; it becomes a refund request."
        ),
        notification=gettext_noop(
            "The problem report was not resolved in time and becomes a refund request."
        ),
    ),
    "refund_not_carried_out": RuleNotice(
        timeline=gettext_noop(
            "%(rule)s: the accepted refund was not carried out in time; the dispute is escalated."
        ),
        notification=gettext_noop(
            "The accepted refund was not carried out in time; the dispute is escalated."
        ),
    ),
    "verified_claim_expired": RuleNotice(
        timeline=gettext_noop(
            "%(rule)s: the verified claim was not reshipped or refunded in time; the dispute "
            "is escalated."
        ),
        notification=gettext_noop(
            "The verified claim was not reshipped or refunded in time; the dispute is escalated."
        ),
    ),
    "delivered_check_address": RuleNotice(
        timeline=gettext_noop(
            "%(rule)s: tracking says the parcel was delivered. Check the shipping address "
            "with the customer and wait until %(until)s; then the dispute continues."
        ),
        notification=gettext_noop(
            "Tracking says delivered: check the shipping address with the customer and wait "
            "before the supplier is pressed."
        ),
    ),
    "delivered_wait_over": RuleNotice(
        timeline=gettext_noop("%(rule)s: the wait is over; the dispute continues."),
        notification=gettext_noop(
            "The wait after delivery is over: the dispute continues with the supplier."
        ),
    ),
    "auto_closed": RuleNotice(
        timeline=gettext_noop("%(rule)s: closed automatically after a quiet period."),
        notification=gettext_noop("The dispute was closed automatically after a quiet period."),
    ),
    "evidence_deadline_passed": RuleNotice(
        timeline=gettext_noop("%(rule)s: the required photo or video was not attached in time."),
        notification=gettext_noop(
            "The required photo or video was not attached in time: the refund request is cancelled."
        ),
    ),
}


def rule_label(rule: str):
    """A rule's label for people, or its code when no rule of that code is registered."""
    return registry.rule_get(rule).label if registry.rule_exists(rule) else rule


def _rule_notice(code: str, data) -> str:
    return _(RULE_NOTICES[code].timeline) % {
        "rule": rule_label(data.get("rule", "")),
        "until": reader_time(data.get("until", "")),
        "resolution": _resolution(data),
    }


def reader_time(value: str) -> str:
    """A stored ISO time as its reader reads it: in their time zone (the active one, which
    the pages and the API set from the user's profile), in their language's format."""
    moment = parse_datetime(value or "")
    if moment is None:
        return value or ""
    local = timezone.localtime(moment)
    return f"{date_format(local, 'DATETIME_FORMAT')} ({timezone.get_current_timezone_name()})"


def event_text(event) -> str:
    """The whole text of an event: the system's sentence, then what the person wrote."""
    sentence = describe(event)
    if sentence and event.body:
        return f"{sentence}\n\n{event.body}"
    return sentence or event.body


def author_name(event, viewer) -> str:
    """A person's name for their own side; "Shop · Person" for the other side."""
    if event.author_party == Party.SYSTEM:
        return "Redress"
    if event.author_party == Party.PLATFORM:
        return _("Redress arbitration")
    person = event.author_user.get_short_name() if event.author_user else ""
    organization = event.author_organization
    if organization is None:
        return person
    if viewer is not None and organization.pk == viewer.pk:
        return person or organization.name
    return f"{organization.name} · {person}" if person else organization.name
