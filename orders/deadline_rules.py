"""The deadline rules the orders domain owns (DESIGN.md, "Deadlines"): codes, words, numbers.

Registered with the deadline engine when the app starts (orders.deadlines), so the rules
pages list them; their actions are in orders.deadlines, their work in
orders.services.shipping_deadlines.
"""

from django.utils.translation import gettext_lazy as _

from deadlines.rule_definitions import Number, Option, Rule, Unit

SHIP_REMINDER = "ship-reminder"
SHIP_OVERDUE = "ship-overdue"
CUSTOMS_HOLD = "customs-hold"

RULES = (
    Rule(
        code=SHIP_REMINDER,
        label=_("Ship reminder"),
        description=_(
            "A line not shipped this long after the order was placed: urge the supplier and "
            "tell the merchant."
        ),
        numbers=(Number("after_days", _("Remind after"), Unit.DAYS, 2),),
        position=10,
    ),
    Rule(
        code=SHIP_OVERDUE,
        label=_("Shipping overdue"),
        description=_(
            "Not shipped after this long: flag a likely stock problem, suggest another linked "
            "supplier for the SKU, and optionally open a refund request for “shipping delayed”."
        ),
        numbers=(Number("after_days", _("Overdue after"), Unit.DAYS, 4),),
        options=(Option("open_refund_request", _("Open a refund request automatically"), False),),
        position=20,
    ),
    Rule(
        code=CUSTOMS_HOLD,
        label=_("Customs hold"),
        description=_(
            "A shipment held at customs: send the merchant a clearance reminder to forward "
            "to the buyer."
        ),
        numbers=(Number("remind_after_days", _("Remind after"), Unit.DAYS, 2),),
        position=80,
    ),
)
