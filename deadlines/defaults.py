"""The rules of DESIGN.md's table: codes, labels, default numbers, bounds and options.

Only the metadata lives here, so that /app/settings/rules/ and the API list every rule
before a domain attaches its action (orders: ship-reminder, ship-overdue, customs-hold;
disputes: the others) with `deadlines.registry.rule_action`. Numbers are named after what
they measure so that a domain schedules a deadline with the number it means, e.g.
`deadline_schedule(..., rule="supplier-response", number="escalate_after_hours")`.
"""

from django.utils.translation import gettext_lazy as _

from deadlines.rules import Number, Option, Rule, Unit


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


SHIP_REMINDER = Rule(
    code="ship-reminder",
    label=_("Ship reminder"),
    description=_(
        "A line not shipped this long after the order was placed: urge the supplier and "
        "tell the merchant."
    ),
    numbers=(Number("after_days", _("Remind after"), Unit.DAYS, 2),),
)

SHIP_OVERDUE = Rule(
    code="ship-overdue",
    label=_("Shipping overdue"),
    description=_(
        "Not shipped after this long: flag a likely stock problem, suggest another linked "
        "supplier for the SKU, and optionally open a refund request for “shipping delayed”."
    ),
    numbers=(Number("after_days", _("Overdue after"), Unit.DAYS, 4),),
    options=(Option("open_refund_request", _("Open a refund request automatically"), False),),
)

SUPPLIER_RESPONSE = Rule(
    code="supplier-response",
    label=_("Supplier response"),
    description=_(
        "A dispute waiting for the supplier: remind, then escalate one level. When a refund "
        "request stays unanswered, the merchant chooses what happens."
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
)

PROBLEM_DEADLINE = Rule(
    code="problem-deadline",
    label=_("Problem report deadline"),
    description=_("A problem report still unresolved after this long becomes a refund request."),
    numbers=(Number("after_days", _("Escalate after"), Unit.DAYS, 7),),
)

REFUND_EXECUTION = Rule(
    code="refund-execution",
    label=_("Refund execution"),
    description=_(
        "An accepted refund not carried out within this many business days of the "
        "supplier's country goes to arbitration."
    ),
    numbers=(Number("after_business_days", _("Escalate after"), Unit.BUSINESS_DAYS, 2),),
)

VERIFIED_CLAIM = Rule(
    code="verified-claim",
    label=_("Verified claim"),
    description=_(
        "A wrong, missing or damaged item claim with accepted evidence: the supplier "
        "reships or refunds within this many business days, else it escalates."
    ),
    numbers=(Number("after_business_days", _("Escalate after"), Unit.BUSINESS_DAYS, 15),),
)

DELIVERED_NOT_RECEIVED = Rule(
    code="delivered-not-received",
    label=_("Delivered but not received"),
    description=_(
        "Tracking says delivered but the customer says not received: advise the merchant "
        "to check the address and wait, then continue."
    ),
    numbers=(Number("wait_hours", _("Wait"), Unit.HOURS, 24),),
)

CUSTOMS_HOLD = Rule(
    code="customs-hold",
    label=_("Customs hold"),
    description=_(
        "A shipment held at customs: send the merchant a clearance reminder to forward "
        "to the buyer."
    ),
    numbers=(Number("remind_after_days", _("Remind after"), Unit.DAYS, 2),),
)

AUTO_CLOSE = Rule(
    code="auto-close",
    label=_("Automatic close"),
    description=_(
        "Close a dispute, with a notice, when it has been resolved and quiet, or waiting "
        "for the merchant, for this long."
    ),
    numbers=(
        Number("resolved_quiet_days", _("Resolved and quiet for"), Unit.DAYS, 7),
        Number("awaiting_merchant_days", _("Waiting for the merchant for"), Unit.DAYS, 14),
    ),
)

DEFAULT_RULES = (
    SHIP_REMINDER,
    SHIP_OVERDUE,
    SUPPLIER_RESPONSE,
    PROBLEM_DEADLINE,
    REFUND_EXECUTION,
    VERIFIED_CLAIM,
    DELIVERED_NOT_RECEIVED,
    CUSTOMS_HOLD,
    AUTO_CLOSE,
)
