"""Writes of the deadline engine: schedule, cancel, sweep, and merchants' rule settings.

Domains call these (never the models):

    deadline_schedule(*, merchant, rule, subject, start_at=None, due_at=None, number=None,
                      key="", party=None) -> Deadline | None
    deadline_schedule_many(*, merchant, rule, items, number=None, party=None) -> int
    deadline_cancel(*, subject, rule, key=None) -> int
    deadline_cancel_all_for(subject) -> int

and attach each rule's action with `deadlines.registry.rule_action` (see there). The
sweep, run every minute by Celery beat (`deadlines.sweep`) or by `manage.py
sweep_deadlines`, locks due rows with SELECT … FOR UPDATE SKIP LOCKED, so several sweeps
share the work; each row is marked fired and its action run in one savepoint of the
batch's transaction: a crash rolls back both (nothing lost, nothing doubled) and a
failing action rolls back alone and is retried later with backoff.
"""

import logging
import random
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.actors import Actor
from accounts.models import MERCHANT_MANAGERS, AuditAction
from accounts.services import audit_record
from core import tenancy
from core.errors import NotFound, PermissionDenied
from deadlines import registry, selectors
from deadlines.models import Deadline, DeadlineState, RuleSetting, RuleSettingChange
from deadlines.rule_definitions import RuleValues

logger = logging.getLogger(__name__)

SWEEP_SCOPE_REASON = "deadline sweep: due deadlines of every merchant"


def _subject_filter(subject) -> dict:
    return {
        "subject_type": ContentType.objects.get_for_model(subject),
        "subject_id": str(subject.pk),
    }


def deadline_schedule(
    *,
    merchant,
    rule: str,
    subject,
    start_at: datetime | None = None,
    due_at: datetime | None = None,
    number: str | None = None,
    key: str = "",
    party=None,
) -> Deadline | None:
    """Create a pending deadline, or return the pending one that already exists.

    `due_at` wins when given; otherwise it is `start_at` (default now) plus the merchant's
    current value of `number` (default: the rule's first number). Business days are those
    of `party`, the organization that must act (default: the merchant): its country's
    holidays and weekend, counted by its local date in its time zone.
    Answers None when the merchant switched the rule off. Scheduling twice is harmless:
    the first pending row for (subject, rule, key) stays as it is; to move a deadline,
    cancel it and schedule again.
    """
    definition = registry.rule_get(rule)
    if definition.action is None:
        raise LookupError(f"Deadline rule {rule!r} has no action attached.")
    definition.number(number)  # an unknown number name is a bug: fail before writing
    values = selectors.rule_values_for(merchant=merchant, rule=definition)
    if not values.enabled:
        return None
    party = party or merchant
    country = party.country or ""
    if due_at is None:
        start_at = start_at or timezone.now()
        due_at = definition.due_at(
            values, start_at=start_at, number=number, country=country, time_zone=party.time_zone
        )
    deadline, _created = Deadline.cross_tenant_objects.get_or_create(
        merchant=merchant,
        rule=rule,
        key=key,
        state=DeadlineState.PENDING,
        **_subject_filter(subject),
        defaults={
            "due_at": due_at,
            "run_at": due_at,
            "start_at": start_at,
            "country": country,
            "settings": values.as_json(),
        },
    )
    return deadline


def deadline_schedule_many(
    *,
    merchant,
    rule: str,
    items: Iterable[tuple[Any, str, datetime]],
    number: str | None = None,
    party=None,
) -> int:
    """`deadline_schedule` for many (subject, key, start_at) at once: a bulk import's form.

    Reads the merchant's setting once and inserts in batches; a pending row that already
    exists for (subject, rule, key) stays as it is, exactly as with one call each.
    Answers how many items were handed over (0 when the merchant switched the rule off).
    """
    definition = registry.rule_get(rule)
    if definition.action is None:
        raise LookupError(f"Deadline rule {rule!r} has no action attached.")
    definition.number(number)
    values = selectors.rule_values_for(merchant=merchant, rule=definition)
    if not values.enabled:
        return 0
    party = party or merchant
    country = party.country or ""
    settings_json = values.as_json()
    rows = []
    for subject, key, start_at in items:
        due_at = definition.due_at(
            values, start_at=start_at, number=number, country=country, time_zone=party.time_zone
        )
        rows.append(
            Deadline(
                merchant=merchant,
                rule=rule,
                key=key,
                state=DeadlineState.PENDING,
                **_subject_filter(subject),
                due_at=due_at,
                run_at=due_at,
                start_at=start_at,
                country=country,
                settings=settings_json,
            )
        )
    # The partial unique constraint on pending rows turns a repeat into a no-op.
    Deadline.cross_tenant_objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return len(rows)


def deadline_cancel(*, subject, rule: str, key: str | None = None) -> int:
    """Withdraw the subject's pending deadlines of `rule` (of one `key` if given)."""
    pending = Deadline.cross_tenant_objects.filter(
        state=DeadlineState.PENDING, rule=rule, **_subject_filter(subject)
    )
    if key is not None:
        pending = pending.filter(key=key)
    return pending.update(state=DeadlineState.CANCELLED, cancelled_at=timezone.now())


def deadline_cancel_all_for(subject) -> int:
    """Withdraw every pending deadline of the subject (e.g. the dispute was closed)."""
    return Deadline.cross_tenant_objects.filter(
        state=DeadlineState.PENDING, **_subject_filter(subject)
    ).update(state=DeadlineState.CANCELLED, cancelled_at=timezone.now())


def _retry_delay(attempts: int) -> timedelta:
    base = settings.DEADLINE_RETRY_BASE_SECONDS
    ceiling = settings.DEADLINE_RETRY_MAX_SECONDS
    delay = min(base * 2 ** (attempts - 1), ceiling)
    # Jitter spreads the retries of many rows that failed together (say, a database blip).
    return timedelta(seconds=delay * random.uniform(0.8, 1.2))  # noqa: S311 — not security


def _fire(deadline: Deadline, now: datetime) -> bool:
    rule = registry._rules.get(deadline.rule)
    try:
        with transaction.atomic():
            # Fired first, then the action: an action that schedules the same rule again
            # for the same subject gets a fresh pending row instead of this one.
            deadline.state = DeadlineState.FIRED
            deadline.fired_at = timezone.now()
            deadline.cancelled_at = None
            deadline.save(update_fields=["state", "fired_at", "cancelled_at"])
            if rule is None or rule.action is None:
                raise LookupError(f"No action is attached to deadline rule {deadline.rule!r}.")
            with tenancy.organization_scope(deadline.merchant):
                rule.action(deadline)
        return True
    except Exception as error:
        # The savepoint rolled back the action's writes and the "fired" mark together.
        logger.exception("Deadline %s (%s) failed", deadline.pk, deadline.rule)
        deadline.state = DeadlineState.PENDING
        deadline.fired_at = None
        deadline.attempts += 1
        deadline.last_error = f"{type(error).__name__}: {error}"[:2000]
        if deadline.attempts >= settings.DEADLINE_MAX_ATTEMPTS:
            deadline.state = DeadlineState.FAILED
        else:
            deadline.run_at = max(now, timezone.now()) + _retry_delay(deadline.attempts)
        deadline.save(update_fields=["state", "fired_at", "attempts", "last_error", "run_at"])
        return False


def _sweep_batch(*, batch_size: int, now: datetime) -> tuple[int, int]:
    with transaction.atomic():
        due = list(
            Deadline.cross_tenant_objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("merchant")
            .filter(state=DeadlineState.PENDING, run_at__lte=now)
            .order_by("run_at")[:batch_size]
        )
        fired = sum(_fire(deadline, now) for deadline in due)
    return len(due), fired


def deadline_sweep(
    *, batch_size: int = 500, now: datetime | None = None, time_budget: float | None = None
) -> int:
    """Fire every pending deadline due at `now`; answer how many fired.

    Rows another sweep holds are skipped, not waited for. A batch commits as a whole, so
    its length bounds the work a crash throws away. `time_budget` (seconds) stops starting
    new batches, leaving the rest to the next tick.
    """
    now = now or timezone.now()
    started = time.monotonic()
    fired = 0
    with tenancy.cross_tenant_scope(reason=SWEEP_SCOPE_REASON):
        while True:
            claimed, fired_in_batch = _sweep_batch(batch_size=batch_size, now=now)
            fired += fired_in_batch
            if claimed < batch_size:
                break
            if time_budget is not None and time.monotonic() - started > time_budget:
                break
    return fired


def rule_setting_update(
    *,
    actor: Actor,
    code: str,
    enabled: bool | None = None,
    numbers: dict | None = None,
    options: dict | None = None,
    partial: bool = False,
) -> RuleValues:
    """Change a merchant's setting of one rule and record the change.

    Whole (`partial=False`): omitted numbers and options go back to the rule's defaults.
    Partial: omitted ones keep their current values. Deadlines already scheduled keep the
    setting they were made with; the change applies to deadlines created afterwards.
    """
    if not actor.is_merchant or actor.role not in MERCHANT_MANAGERS:
        raise PermissionDenied(_("Only the owner or a manager may change the rules."))
    merchant = actor.organization
    if not registry.rule_exists(code):
        raise NotFound(_("There is no such rule."))
    rule = registry.rule_get(code)
    with transaction.atomic():
        setting = (
            RuleSetting.cross_tenant_objects.select_for_update()
            .filter(merchant=merchant, rule=code)
            .first()
        )
        before = (
            rule.defaults()
            if setting is None
            else rule.merge(setting.enabled, setting.numbers, setting.options)
        )
        base = before if partial else rule.defaults()
        after = rule.validate(
            enabled=before.enabled if enabled is None else enabled,
            numbers={**base.numbers, **(numbers or {})},
            options={**base.options, **(options or {})},
        )
        if after == before and setting is not None:
            return after
        if setting is None:
            setting = RuleSetting(merchant=merchant, rule=code)
        setting.enabled = after.enabled
        setting.numbers = after.numbers
        setting.options = after.options
        setting.updated_at = timezone.now()
        setting.updated_by = actor.user
        setting.save()
        if after != before:
            RuleSettingChange.cross_tenant_objects.create(
                merchant=merchant,
                rule=code,
                changed_by=actor.user,
                changed_at=setting.updated_at,
                before=before.as_json(),
                after=after.as_json(),
            )
            audit_record(
                action=AuditAction.RULE_CHANGED,
                organization=merchant,
                actor=actor,
                target=code,
                data={"before": before.as_json(), "after": after.as_json()},
            )
    return after
