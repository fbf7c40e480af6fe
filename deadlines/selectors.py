"""Reads of the deadline engine."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from core.tenancy import owner_scope
from deadlines import registry
from deadlines.models import Deadline, DeadlineState, RuleSetting, RuleSettingChange
from deadlines.rule_definitions import Rule, RuleValues


def rule_values_for(*, merchant, rule: Rule) -> RuleValues:
    """The merchant's effective setting of `rule` (stored values over the defaults)."""
    with owner_scope(merchant):
        stored = (
            RuleSetting.objects.filter(merchant=merchant, rule=rule.code)
            .values("enabled", "numbers", "options")
            .first()
        )
    if stored is None:
        return rule.defaults()
    return rule.merge(stored["enabled"], stored["numbers"], stored["options"])


def rule_values_by_code(*, merchant) -> dict[str, RuleValues]:
    """The merchant's effective setting of every registered rule, by code, in one query."""
    stored = {
        row["rule"]: row
        for row in RuleSetting.cross_tenant_objects.filter(merchant=merchant).values(
            "rule", "enabled", "numbers", "options"
        )
    }
    answer = {}
    for rule in registry.rule_list():
        row = stored.get(rule.code)
        answer[rule.code] = (
            rule.defaults()
            if row is None
            else rule.merge(row["enabled"], row["numbers"], row["options"])
        )
    return answer


def rule_setting_list_for_merchant(
    *, merchant
) -> list[tuple[Rule, RuleValues, RuleSetting | None]]:
    """Every registered rule with the merchant's setting: one query whatever the count."""
    stored = {
        setting.rule: setting
        for setting in RuleSetting.cross_tenant_objects.filter(merchant=merchant).select_related(
            "updated_by"
        )
    }
    answer = []
    for rule in registry.rule_list():
        setting = stored.get(rule.code)
        values = (
            rule.defaults()
            if setting is None
            else rule.merge(setting.enabled, setting.numbers, setting.options)
        )
        answer.append((rule, values, setting))
    return answer


def rule_setting_get_for_merchant(*, merchant, code: str):
    for rule, values, setting in rule_setting_list_for_merchant(merchant=merchant):
        if rule.code == code:
            return rule, values, setting
    return None


def rule_setting_change_list(*, merchant, rule: str | None = None) -> QuerySet[RuleSettingChange]:
    changes = RuleSettingChange.cross_tenant_objects.filter(merchant=merchant)
    if rule is not None:
        changes = changes.filter(rule=rule)
    return changes.select_related("changed_by").order_by("-id")


def deadline_list_for_subject(subject, *, state: str | None = DeadlineState.PENDING):
    """A subject's deadlines (pending ones by default), soonest first."""
    deadlines = Deadline.cross_tenant_objects.filter(
        subject_type=ContentType.objects.get_for_model(subject, for_concrete_model=False),
        subject_id=str(subject.pk),
    )
    if state is not None:
        deadlines = deadlines.filter(state=state)
    return deadlines.order_by("due_at")


def rule_values_for_merchants(*, merchant_ids, rule: Rule) -> dict:
    """Each merchant's effective setting of `rule`, in one query whatever the count."""
    merchant_ids = list(merchant_ids)
    stored = {
        row["merchant_id"]: rule.merge(row["enabled"], row["numbers"], row["options"])
        for row in RuleSetting.cross_tenant_objects.filter(
            merchant_id__in=merchant_ids, rule=rule.code
        ).values("merchant_id", "enabled", "numbers", "options")
    }
    return {merchant_id: stored.get(merchant_id) or rule.defaults() for merchant_id in merchant_ids}
