"""On-time shipping: each merchant's ship-reminder allowance and whether a line met it."""

from django.db.models import Case, ExpressionWrapper, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from core import tenancy
from deadlines import registry
from deadlines.models import RuleSetting
from insights.aggregates import HoursBetween
from orders.deadline_rules import SHIP_REMINDER
from suppliers.models import SupplierLink

SHIP_REMINDER_NUMBER = "after_days"


def default_allowed_days() -> int:
    return registry.rule_get(SHIP_REMINDER).defaults().numbers[SHIP_REMINDER_NUMBER]


def changed_allowed_days(merchant_ids=None) -> dict:
    """{merchant id: days} of the merchants whose allowance is not the default: few, read
    once (those linked to a supplier in the scope, or the merchants given)."""
    default_days = default_allowed_days()
    if merchant_ids is None:
        # The caller's scope picks the merchants (read now, in that scope) ...
        merchant_ids = list(SupplierLink.objects.values_list("merchant_id", flat=True))
    # ... whose rule settings are other merchants' rows for a supplier: the system context.
    with tenancy.cross_tenant_scope(reason="a scorecard reads its merchants' ship-reminder rule"):
        return dict(
            RuleSetting.cross_tenant_objects.filter(
                rule=SHIP_REMINDER, merchant_id__in=list(merchant_ids)
            )
            .annotate(days=Cast(KeyTextTransform(SHIP_REMINDER_NUMBER, "numbers"), IntegerField()))
            .exclude(days=default_days)
            .exclude(days__isnull=True)
            .values_list("merchant_id", "days")
        )


def with_ship_timing(lines: QuerySet, changed: dict | None = None) -> QuerySet:
    """Annotate each line with its shipping time and its merchant's ship-reminder allowance.

    A supplier across many merchants is judged by each one's own rule; every line of a
    merchant that kept the default gets the rule's default.
    """
    default_days = default_allowed_days()
    changed = changed_allowed_days() if changed is None else changed
    allowance = [
        When(merchant_id=merchant_id, then=Value(days)) for merchant_id, days in changed.items()
    ]
    allowed_days = (
        Case(*allowance, default=Value(default_days)) if allowance else Value(default_days)
    )
    return lines.annotate(
        allowed_hours=ExpressionWrapper(allowed_days * 24, output_field=IntegerField()),
        ship_hours=HoursBetween(F("shipped_at"), F("placed_at")),
    )


def on_time() -> Q:
    return Q(shipped_at__isnull=False, ship_hours__lte=F("allowed_hours"))
