"""Writes of the deadline engine: schedule, cancel, sweep, and merchants' rule settings.

Domains call these (never the models):

    deadline_schedule(*, merchant, rule, subject, start_at=None, due_at=None, number=None,
                      key="", party=None) -> Deadline | None
    deadline_schedule_many(*, merchant, rule, items, number=None, party=None) -> int
    deadline_cancel(*, subject, rule, key=None) -> int
    deadline_cancel_all_for(subject) -> int
    deadline_cancel_many(*, subject, rules) -> int
    DeadlinePlan(merchant=..., subject=...): cancel/schedule, written in two or three statements

and attach each rule's action with `deadlines.registry.rule_action` (see there). The
sweep, run every minute by Celery beat (`deadlines.sweep`) or by `manage.py
sweep_deadlines`, claims a batch of due rows and marks them fired in one statement
(UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)), so several sweeps share the
work; the actions run in the batch's transaction, one savepoint per rule and merchant
(through the rule's batch action where it has one), row by row only after a failure: a
crash rolls back the marks and the actions together (nothing lost, nothing doubled), and
a failing action or an unreadable row rolls back alone while the rest goes on.
"""

import logging
import random
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.actors import Actor
from accounts.models import MERCHANT_MANAGERS, AuditAction
from accounts.services import audit_record
from core import tenancy
from core.bulk import copy_insert_values
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
    # Deadlines are the merchant's, whichever party's action scheduled them.
    with tenancy.owner_scope(merchant):
        return _schedule(
            merchant=merchant,
            rule=rule,
            definition=definition,
            subject=subject,
            start_at=start_at,
            due_at=due_at,
            number=number,
            key=key,
            party=party,
        )


def _schedule(*, merchant, rule, definition, subject, start_at, due_at, number, key, party):
    values = selectors.rule_values_for(merchant=merchant, rule=definition)
    row = _deadline_row(
        merchant=merchant,
        definition=definition,
        values=values,
        subject=subject,
        start_at=start_at,
        due_at=due_at,
        number=number,
        key=key,
        party=party,
    )
    if row is None:
        return None
    deadline, _created = Deadline.objects.get_or_create(
        merchant=merchant,
        rule=rule,
        key=key,
        state=DeadlineState.PENDING,
        **_subject_filter(subject),
        defaults={
            "due_at": row.due_at,
            "run_at": row.run_at,
            "start_at": row.start_at,
            "country": row.country,
            "settings": row.settings,
        },
    )
    return deadline


def _deadline_row(
    *, merchant, definition, values: RuleValues, subject, start_at, due_at, number, key, party
) -> Deadline | None:
    """The pending row `deadline_schedule` describes (unsaved); None when switched off."""
    if definition.action is None:
        raise LookupError(f"Deadline rule {definition.code!r} has no action attached.")
    definition.number(number)  # an unknown number name is a bug: fail before writing
    if not values.enabled:
        return None
    party = party or merchant
    country = party.country or ""
    if due_at is None:
        start_at = start_at or timezone.now()
        due_at = definition.due_at(
            values, start_at=start_at, number=number, country=country, time_zone=party.time_zone
        )
    return Deadline(
        merchant=merchant,
        rule=definition.code,
        key=key,
        state=DeadlineState.PENDING,
        **_subject_filter(subject),
        due_at=due_at,
        run_at=due_at,
        start_at=start_at,
        country=country,
        settings=values.as_json(),
    )


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
    with tenancy.owner_scope(merchant):
        values = selectors.rule_values_for(merchant=merchant, rule=definition)
    if not values.enabled:
        return 0
    party = party or merchant
    country = party.country or ""
    settings_json = values.as_json()
    subject_types: dict[type, int] = {}
    rows = []
    for subject, key, start_at in items:
        due_at = definition.due_at(
            values, start_at=start_at, number=number, country=country, time_zone=party.time_zone
        )
        subject_type = subject_types.get(type(subject))
        if subject_type is None:
            subject_type = ContentType.objects.get_for_model(subject).pk
            subject_types[type(subject)] = subject_type
        # Plain rows, not Deadline instances: an import schedules thousands at once.
        rows.append(
            {
                "merchant_id": merchant.pk,
                "rule": rule,
                "key": key,
                "state": DeadlineState.PENDING,
                "subject_type_id": subject_type,
                "subject_id": str(subject.pk),
                "due_at": due_at,
                "run_at": due_at,
                "start_at": start_at,
                "country": country,
                "settings": settings_json,
            }
        )
    # The partial unique constraint on pending rows turns a repeat into a no-op.
    with tenancy.owner_scope(merchant):
        copy_insert_values(Deadline, rows, ignore_conflicts=True)
    return len(rows)


@contextmanager
def _pending_of(subject) -> Iterator[QuerySet]:
    """The subject's pending deadlines: a tenant row's in the scope of the merchant owning
    it, whichever party's action withdraws them; another subject's in the caller's scope."""
    if hasattr(subject, "merchant_id"):
        with tenancy.owner_scope(subject):
            yield Deadline.objects.filter(state=DeadlineState.PENDING, **_subject_filter(subject))
    else:
        yield Deadline.cross_tenant_objects.filter(
            state=DeadlineState.PENDING, **_subject_filter(subject)
        )


def deadline_cancel(*, subject, rule: str, key: str | None = None) -> int:
    """Withdraw the subject's pending deadlines of `rule` (of one `key` if given)."""
    with _pending_of(subject) as pending:
        pending = pending.filter(rule=rule)
        if key is not None:
            pending = pending.filter(key=key)
        return pending.update(state=DeadlineState.CANCELLED, cancelled_at=timezone.now())


def deadline_cancel_all_for(subject) -> int:
    """Withdraw every pending deadline of the subject (e.g. the dispute was closed)."""
    with _pending_of(subject) as pending:
        return pending.update(state=DeadlineState.CANCELLED, cancelled_at=timezone.now())


def deadline_cancel_many(*, subject, rules: Iterable[tuple[str, str | None]]) -> int:
    """Withdraw the subject's pending deadlines of several (rule, key) at once, in one
    UPDATE; a key of None means every key of that rule."""
    wanted = Q()
    for rule, key in rules:
        wanted |= Q(rule=rule) if key is None else Q(rule=rule, key=key)
    if not wanted:
        return 0
    with _pending_of(subject) as pending:
        return pending.filter(wanted).update(
            state=DeadlineState.CANCELLED, cancelled_at=timezone.now()
        )


class DeadlinePlan:
    """A subject's deadline changes in one state change, written together at `flush()`.

    One statement withdraws the cancelled (rule, key)s and answers the rows still pending;
    one INSERT adds the scheduled rows; the merchant's rule settings are read once, when a
    rule is first scheduled. `pending_due()` then answers each rule's soonest due time
    without another read. So a dispute's transition costs two or three statements for its
    deadlines whatever the number of rules it starts and ends. `new_subject`: the subject
    was created in this transaction, so nothing of it can be pending (no withdrawal).

    As with `deadline_schedule`, scheduling a (rule, key) that is already pending (and not
    cancelled in this plan) keeps the pending row; a schedule cancelled later in the same
    plan is dropped.
    """

    def __init__(self, *, merchant, subject, new_subject: bool = False):
        self.merchant, self.subject = merchant, subject
        self._cancels: list[tuple[str, str | None]] = []
        self._schedules: list[Deadline] = []
        self._values: dict[str, RuleValues] | None = None
        self._new_subject = new_subject
        # (rule, key, due_at) of the rows pending once the plan is written; None: not read.
        self._pending: list[tuple[str, str, datetime]] | None = [] if new_subject else None

    def cancel(self, *, rule: str, key: str | None = None) -> None:
        self._cancels.append((rule, key))
        self._schedules = [
            row
            for row in self._schedules
            if not (row.rule == rule and (key is None or row.key == key))
        ]

    def schedule(
        self,
        *,
        rule: str,
        start_at: datetime | None = None,
        due_at: datetime | None = None,
        number: str | None = None,
        key: str = "",
        party=None,
    ) -> Deadline | None:
        """The row `flush()` will insert (unsaved until then); None when switched off."""
        for row in self._schedules:
            if row.rule == rule and row.key == key:
                return row
        definition = registry.rule_get(rule)
        if self._values is None:
            with tenancy.owner_scope(self.merchant):
                self._values = selectors.rule_values_by_code(merchant=self.merchant)
        row = _deadline_row(
            merchant=self.merchant,
            definition=definition,
            values=self._values[rule],
            subject=self.subject,
            start_at=start_at,
            due_at=due_at,
            number=number,
            key=key,
            party=party,
        )
        if row is not None:
            self._schedules.append(row)
        return row

    def flush(self) -> None:
        # Deadlines are the merchant's, whichever party's action changed them.
        with tenancy.owner_scope(self.merchant):
            self._flush()

    def _flush(self) -> None:
        if self._new_subject:
            self._cancels = []  # nothing of a new subject is pending: nothing to withdraw
        if self._cancels or self._pending is None:
            remaining = _withdraw(subject=self.subject, rules=self._cancels)
            if self._pending is not None:
                # A second flush: rows this plan inserted stay unless now withdrawn.
                remaining = {
                    (rule, key, due)
                    for rule, key, due in self._pending
                    if not _matches(rule, key, self._cancels)
                } | set(remaining)
            self._pending = list(remaining)
            self._cancels = []
        pending = {(rule, key) for rule, key, _due in self._pending}
        fresh = [row for row in self._schedules if (row.rule, row.key) not in pending]
        if fresh:
            # The partial unique constraint on pending rows backs the check above.
            Deadline.cross_tenant_objects.bulk_create(fresh, ignore_conflicts=True)
            self._pending += [(row.rule, row.key, row.due_at) for row in fresh]
        self._schedules = []

    def pending_due(self, rules: Iterable[str]) -> dict[str, datetime]:
        """The soonest due time of each of `rules` still pending, after `flush()`."""
        wanted, due = set(rules), {}
        for rule, _key, due_at in self._pending or ():
            if rule in wanted and (rule not in due or due_at < due[rule]):
                due[rule] = due_at
        return due


def _matches(rule: str, key: str, cancels: list[tuple[str, str | None]]) -> bool:
    return any(rule == cancelled and wanted in (None, key) for cancelled, wanted in cancels)


def _withdraw(*, subject, rules: list[tuple[str, str | None]]) -> list[tuple[str, str, datetime]]:
    """Cancel the subject's pending rows of `rules` ((rule, key), key None: every key) and
    answer (rule, key, due_at) of those still pending, in one statement on Postgres."""
    subject_filter = _subject_filter(subject)
    pending = Deadline.cross_tenant_objects.filter(state=DeadlineState.PENDING, **subject_filter)
    wanted = Q()
    for rule, key in rules:
        wanted |= Q(rule=rule) if key is None else Q(rule=rule, key=key)
    now = timezone.now()
    if not wanted:
        return list(pending.values_list("rule", "key", "due_at"))
    if connection.vendor != "postgresql":
        pending.filter(wanted).update(state=DeadlineState.CANCELLED, cancelled_at=now)
        return list(pending.values_list("rule", "key", "due_at"))
    table = connection.ops.quote_name(Deadline._meta.db_table)
    conditions, params = [], []
    for rule, key in rules:
        if key is None:
            conditions.append("rule = %s")
            params.append(rule)
        else:
            conditions.append("(rule = %s AND key = %s)")
            params += [rule, key]
    subject_params = [subject_filter["subject_type"].pk, subject_filter["subject_id"]]
    with connection.cursor() as cursor:
        # The outer SELECT reads the snapshot from before the UPDATE: the rows the UPDATE
        # cancels still look pending there, hence NOT IN.
        cursor.execute(
            f"""
            WITH cancelled AS (
                UPDATE {table} SET state = %s, cancelled_at = %s
                WHERE state = %s AND subject_type_id = %s AND subject_id = %s
                AND ({" OR ".join(conditions)})
                RETURNING id
            )
            SELECT rule, key, due_at FROM {table}
            WHERE state = %s AND subject_type_id = %s AND subject_id = %s
            AND id NOT IN (SELECT id FROM cancelled)
            """,  # noqa: S608 — the table name is the model's, every value a parameter
            [
                DeadlineState.CANCELLED,
                now,
                DeadlineState.PENDING,
                *subject_params,
                *params,
                DeadlineState.PENDING,
                *subject_params,
            ],
        )
        return [tuple(row) for row in cursor.fetchall()]


def _retry_delay(attempts: int) -> timedelta:
    base = settings.DEADLINE_RETRY_BASE_SECONDS
    ceiling = settings.DEADLINE_RETRY_MAX_SECONDS
    delay = min(base * 2 ** (attempts - 1), ceiling)
    # Jitter spreads the retries of many rows that failed together (say, a database blip).
    return timedelta(seconds=delay * random.uniform(0.8, 1.2))  # noqa: S311 — not security


def _error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def _claim(*, batch_size: int, now: datetime) -> list[str]:
    """Lock and mark fired up to `batch_size` due rows in one statement; answer their ids.

    Fired first, then the actions: an action that schedules the same rule again for the
    same subject gets a fresh pending row instead of this one. The mark and the actions
    commit together, so a worker that dies in between leaves the rows pending and
    unlocked for the next sweep (nothing lost, nothing done twice). Only ids come back:
    a row whose times Python cannot read (a year before 1) must not stop the batch here.
    """
    if connection.vendor != "postgresql":
        return _claim_in_two_statements(batch_size=batch_size, now=now)
    table = Deadline._meta.db_table
    with connection.cursor() as cursor:
        # The claimed ids are MATERIALIZED, read once: a subquery with LIMIT … SKIP LOCKED
        # that the plan runs again (as row-level security's plans do) skips the rows it
        # locked the first time and returns the next ones, claiming far beyond the batch.
        cursor.execute(
            f"""
            WITH claimed AS MATERIALIZED (
                SELECT id FROM {table} WHERE state = %s AND run_at <= %s
                ORDER BY run_at LIMIT %s FOR UPDATE SKIP LOCKED
            )
            UPDATE {table} SET state = %s, fired_at = %s, cancelled_at = NULL
            FROM claimed WHERE {table}.id = claimed.id
            RETURNING {table}.id
            """,  # noqa: S608 — the table name is the model's, every value a parameter
            [DeadlineState.PENDING, now, batch_size, DeadlineState.FIRED, timezone.now()],
        )
        return [row[0] for row in cursor.fetchall()]


def _claim_in_two_statements(*, batch_size: int, now: datetime) -> list:
    # The embedded default (SQLite) has no row locks to skip: it runs one writer at a time.
    due = Deadline.cross_tenant_objects.filter(state=DeadlineState.PENDING, run_at__lte=now)
    ids = list(due.order_by("run_at").values_list("id", flat=True)[:batch_size])
    Deadline.cross_tenant_objects.filter(pk__in=ids).update(
        state=DeadlineState.FIRED, fired_at=timezone.now(), cancelled_at=None
    )
    return ids


def _load(ids: list) -> tuple[list[Deadline], list[tuple[Any, BaseException]]]:
    """The claimed rows, and the ids of those that cannot be read with the error."""
    rows = Deadline.cross_tenant_objects.select_related("merchant").order_by("run_at")
    try:
        return list(rows.filter(pk__in=ids)), []
    except (ValueError, OverflowError, DatabaseError):
        pass
    # One row poisons the whole read: read them one by one to find it.
    loaded, unreadable = [], []
    for deadline_id in ids:
        try:
            with transaction.atomic():
                loaded.extend(rows.filter(pk=deadline_id))
        except (ValueError, OverflowError, DatabaseError) as error:
            unreadable.append((deadline_id, error))
    return loaded, unreadable


def _run_one(rule, deadline: Deadline) -> BaseException | None:
    try:
        with transaction.atomic():
            _run_group(rule, [deadline], batch=False)
    except Exception as error:
        # The savepoint rolled back the action's writes; the row goes back below.
        logger.exception("Deadline %s (%s) failed", deadline.pk, deadline.rule)
        return error
    return None


def _run_group(rule, group: list[Deadline], *, batch: bool) -> None:
    if rule is None or rule.action is None:
        raise LookupError(f"No action is attached to deadline rule {group[0].rule!r}.")
    with tenancy.organization_scope(group[0].merchant):
        if batch and rule.batch_action is not None:
            rule.batch_action(group)
        else:
            for deadline in group:
                rule.action(deadline)


def _run_actions(deadlines: list[Deadline]) -> list[tuple[Deadline, BaseException]]:
    """Run the actions of the claimed rows; answer the rows whose action raised.

    The rows of one rule and one merchant run together in one savepoint (through the
    rule's batch action when it has one). Should that raise, the savepoint rolls back
    (with the on-commit work registered in it) and the rows run again one by one, each in
    its own savepoint, so that only the culprit fails. Actions are idempotent and do their
    I/O after commit, so running the others a second time is harmless.
    """
    groups: dict[tuple[str, Any], list[Deadline]] = {}
    for deadline in deadlines:
        groups.setdefault((deadline.rule, deadline.merchant_id), []).append(deadline)
    failed = []
    for (code, _merchant_id), group in groups.items():
        rule = registry._rules.get(code)
        try:
            with transaction.atomic():
                _run_group(rule, group, batch=True)
            continue
        except Exception:
            logger.warning("Deadlines of rule %s failed together; one by one now", code)
        for deadline in group:
            error = _run_one(rule, deadline)
            if error is not None:
                failed.append((deadline, error))
    return failed


def _mark_retry_or_failed(deadline: Deadline, error: BaseException, now: datetime) -> None:
    attempts = deadline.attempts + 1
    given_up = attempts >= settings.DEADLINE_MAX_ATTEMPTS
    Deadline.cross_tenant_objects.filter(pk=deadline.pk).update(
        state=DeadlineState.FAILED if given_up else DeadlineState.PENDING,
        fired_at=None,
        attempts=attempts,
        last_error=_error_text(error),
        run_at=deadline.run_at if given_up else max(now, timezone.now()) + _retry_delay(attempts),
    )


def _mark_unreadable(deadline_id, error: BaseException) -> None:
    # A row that cannot even be read would fail the same way forever: give up at once.
    logger.error("Deadline %s cannot be read and is given up: %s", deadline_id, error)
    Deadline.cross_tenant_objects.filter(pk=deadline_id).update(
        state=DeadlineState.FAILED,
        fired_at=None,
        attempts=F("attempts") + 1,
        last_error=_error_text(error),
    )


def _sweep_batch(*, batch_size: int, now: datetime) -> tuple[int, int]:
    with transaction.atomic():
        ids = _claim(batch_size=batch_size, now=now)
        if not ids:
            return 0, 0
        deadlines, unreadable = _load(ids)
        failed = _run_actions(deadlines)
        for deadline, error in failed:
            _mark_retry_or_failed(deadline, error, now)
        for deadline_id, error in unreadable:
            _mark_unreadable(deadline_id, error)
    return len(ids), len(ids) - len(failed) - len(unreadable)


def deadline_sweep(
    *, batch_size: int = 500, now: datetime | None = None, time_budget: float | None = None
) -> int:
    """Fire every pending deadline due at `now`; answer how many fired.

    Rows another sweep holds are skipped, not waited for. A batch commits as a whole, so
    its length bounds the work a crash throws away. A row whose action raises goes back
    with a backoff (failed after DEADLINE_MAX_ATTEMPTS), a row that cannot be read is
    failed at once; neither stops the batch. `time_budget` (seconds) stops starting new
    batches, leaving the rest to the next tick.
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
