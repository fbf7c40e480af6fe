"""The deadline rules the disputes domain owns (DESIGN.md, "Deadlines"): codes, words, numbers.

Registered with the deadline engine when the app starts (disputes.deadlines), so the rules
pages list them. Numbers are named after what they measure, so a service schedules a
deadline with the number it means, e.g.
`deadline_schedule(..., rule=SUPPLIER_RESPONSE, number="escalate_after_hours")`.
"""

from django.utils.translation import gettext_lazy as _

from deadlines.rule_definitions import Number, Option, Rule, Unit
from disputes import policies

SUPPLIER_RESPONSE = "supplier-response"
PROBLEM_DEADLINE = "problem-deadline"
REFUND_EXECUTION = "refund-execution"
VERIFIED_CLAIM = "verified-claim"
DELIVERED_NOT_RECEIVED = "delivered-not-received"
AUTO_CLOSE = "auto-close"
MISSING_EVIDENCE = "missing-evidence"


class SilentSupplier:
    """What happens when a supplier stays silent past a refund request's response deadline."""

    ESCALATE = "escalate"  # the default judgement: platform arbitration decides
    ACCEPT_REFUND = "accept_refund"  # the requested refund counts as accepted

    CHOICES = (
        (ESCALATE, _("Escalate to arbitration")),
        (ACCEPT_REFUND, _("Treat the requested refund as accepted")),
    )


def _escalation_after_reminder(numbers: dict[str, int]) -> dict:
    if numbers["escalate_after_hours"] <= numbers["remind_after_hours"]:
        return {"escalate_after_hours": _("Must be later than the reminder.")}
    return {}


RULES = (
    Rule(
        code=SUPPLIER_RESPONSE,
        label=_("Supplier response"),
        description=_(
            "A dispute waiting for the supplier: remind, then escalate one level. When a "
            "refund request stays unanswered, the merchant chooses what happens."
        ),
        numbers=(
            Number("remind_after_hours", _("Remind after"), Unit.HOURS, 48),
            Number("escalate_after_hours", _("Escalate after"), Unit.HOURS, 72),
        ),
        options=(
            Option(
                "silent_refund_request",
                _("When the supplier ignores a refund request"),
                SilentSupplier.ESCALATE,
                choices=SilentSupplier.CHOICES,
            ),
        ),
        check=_escalation_after_reminder,
        position=30,
    ),
    Rule(
        code=PROBLEM_DEADLINE,
        label=_("Problem report deadline"),
        description=_(
            "A problem report still unresolved after this long becomes a refund request."
        ),
        numbers=(Number("after_days", _("Escalate after"), Unit.DAYS, 7),),
        position=40,
    ),
    Rule(
        code=REFUND_EXECUTION,
        label=_("Refund execution"),
        description=_(
            "An accepted refund not carried out within this many business days of the "
            "supplier's country goes to arbitration."
        ),
        numbers=(Number("after_business_days", _("Escalate after"), Unit.BUSINESS_DAYS, 2),),
        position=50,
    ),
    Rule(
        code=VERIFIED_CLAIM,
        label=_("Verified claim"),
        description=_(
            "A wrong, missing or damaged item claim with accepted evidence: the supplier "
            "reships or refunds within this many business days, else it escalates."
        ),
        numbers=(Number("after_business_days", _("Escalate after"), Unit.BUSINESS_DAYS, 15),),
        position=60,
    ),
    Rule(
        code=DELIVERED_NOT_RECEIVED,
        label=_("Delivered but not received"),
        description=_(
            "Tracking says delivered but the customer says not received: advise the merchant "
            "to check the address and wait, then continue."
        ),
        numbers=(Number("wait_hours", _("Wait"), Unit.HOURS, 24),),
        position=70,
    ),
    Rule(
        code=AUTO_CLOSE,
        label=_("Automatic close"),
        description=_(
            "Close a dispute, with a notice, when it has been resolved and quiet, or waiting "
            "for the merchant, for this long."
        ),
        numbers=(
            Number("resolved_quiet_days", _("Resolved and quiet for"), Unit.DAYS, 7),
            Number("awaiting_merchant_days", _("Waiting for the merchant for"), Unit.DAYS, 14),
        ),
        position=90,
    ),
    # A claim without its evidence does not wait forever; merchants may tune how long.
    Rule(
        code=MISSING_EVIDENCE,
        label=_("Missing evidence"),
        description=_(
            "A refund request whose required photo or video is still missing after this long "
            "is cancelled."
        ),
        numbers=(
            Number("after_days", _("Cancel after"), Unit.DAYS, policies.MISSING_EVIDENCE_DAYS),
        ),
        position=100,
    ),
)
