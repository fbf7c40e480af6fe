from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.core.management import call_command
from django.utils import timezone

from accounts.actors import Actor
from accounts.models import Role
from deadlines import registry, services
from deadlines.models import Deadline, DeadlineState, RuleSettingChange
from deadlines.rule_definitions import Number, Rule, Unit

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def owner(world):
    return Actor.member(user=world.users["acme_owner"], organization=world.acme, role=Role.OWNER)


@pytest.fixture
def subject(world):
    return world.users["acme_agent"]


@time_machine.travel(NOW, tick=False)
def test_schedule_computes_due_time_from_the_merchants_setting(world, test_rules, subject):
    deadline = services.deadline_schedule(
        merchant=world.acme, rule=test_rules.TOUCH, subject=subject
    )
    assert deadline.state == DeadlineState.PENDING
    assert deadline.due_at == NOW + timedelta(hours=48)
    assert deadline.run_at == deadline.due_at
    assert deadline.settings["numbers"] == {"after_hours": 48, "later_hours": 72}
    assert deadline.subject == subject


@time_machine.travel(NOW, tick=False)
def test_scheduling_twice_is_harmless(world, test_rules, subject):
    first = services.deadline_schedule(merchant=world.acme, rule=test_rules.TOUCH, subject=subject)
    again = services.deadline_schedule(
        merchant=world.acme, rule=test_rules.TOUCH, subject=subject, due_at=NOW
    )
    assert again.pk == first.pk
    assert Deadline.cross_tenant_objects.count() == 1
    other_key = services.deadline_schedule(
        merchant=world.acme,
        rule=test_rules.TOUCH,
        subject=subject,
        key="later",
        number="later_hours",
    )
    assert other_key.due_at == NOW + timedelta(hours=72)
    assert Deadline.cross_tenant_objects.count() == 2


@time_machine.travel(NOW, tick=False)
def test_schedule_many_is_schedule_in_bulk(
    world, test_rules, subject, django_assert_max_num_queries
):
    other = world.users["acme_owner"]
    existing = services.deadline_schedule(
        merchant=world.acme, rule=test_rules.TOUCH, subject=subject, key="a"
    )
    items = [(subject, "a", NOW), (subject, "b", NOW), (other, "a", NOW - timedelta(hours=1))]
    with django_assert_max_num_queries(6):
        services.deadline_schedule_many(merchant=world.acme, rule=test_rules.TOUCH, items=items)
    rows = {
        (row.subject_id, row.key): row.due_at
        for row in Deadline.cross_tenant_objects.filter(state=DeadlineState.PENDING)
    }
    # The pending row that existed stays the one row for its (subject, key).
    assert rows == {
        (str(subject.pk), "a"): existing.due_at,
        (str(subject.pk), "b"): NOW + timedelta(hours=48),
        (str(other.pk), "a"): NOW + timedelta(hours=47),
    }
    services.deadline_schedule_many(merchant=world.acme, rule=test_rules.TOUCH, items=items)
    assert Deadline.cross_tenant_objects.count() == 3


def test_schedule_many_respects_a_switched_off_rule(world, test_rules, subject):
    services.rule_setting_update(actor=owner(world), code=test_rules.TOUCH, enabled=False)
    scheduled = services.deadline_schedule_many(
        merchant=world.acme, rule=test_rules.TOUCH, items=[(subject, "", timezone.now())]
    )
    assert scheduled == 0
    assert not Deadline.cross_tenant_objects.exists()


def test_business_days_follow_the_acting_partys_country(world, test_rules, subject):
    start = datetime(2026, 11, 25, 10, tzinfo=UTC)
    us = services.deadline_schedule(
        merchant=world.acme, rule=test_rules.BUSINESS, subject=subject, start_at=start
    )
    assert us.due_at == datetime(2026, 11, 30, 10, tzinfo=UTC)
    assert us.country == "US"
    china = services.deadline_schedule(
        merchant=world.acme,
        rule=test_rules.BUSINESS,
        subject=subject,
        key="cn",
        start_at=datetime(2026, 9, 30, 10, tzinfo=UTC),
        party=world.shenzhen,
    )
    assert china.due_at == datetime(2026, 10, 9, 10, tzinfo=UTC)


def test_a_switched_off_rule_schedules_nothing(world, test_rules, subject):
    services.rule_setting_update(actor=owner(world), code=test_rules.TOUCH, enabled=False)
    assert (
        services.deadline_schedule(merchant=world.acme, rule=test_rules.TOUCH, subject=subject)
        is None
    )
    assert not Deadline.cross_tenant_objects.exists()
    # Another merchant's setting is its own.
    assert services.deadline_schedule(merchant=world.globex, rule=test_rules.TOUCH, subject=subject)


@time_machine.travel(NOW, tick=False)
def test_a_setting_change_applies_to_deadlines_created_afterwards(world, test_rules, subject):
    before = services.deadline_schedule(merchant=world.acme, rule=test_rules.TOUCH, subject=subject)
    services.rule_setting_update(
        actor=owner(world),
        code=test_rules.TOUCH,
        enabled=True,
        numbers={"after_hours": 5},
        options={"loud": True},
    )
    after = services.deadline_schedule(
        merchant=world.acme, rule=test_rules.TOUCH, subject=subject, key="second"
    )
    assert before.due_at == NOW + timedelta(hours=48)
    assert after.due_at == NOW + timedelta(hours=5)
    assert after.settings["options"] == {"loud": True}
    before.refresh_from_db()
    assert before.due_at == NOW + timedelta(hours=48)
    change = RuleSettingChange.cross_tenant_objects.get()
    assert change.changed_by == world.users["acme_owner"]
    assert change.before["numbers"]["after_hours"] == 48
    assert change.after["numbers"]["after_hours"] == 5


def test_cancel_withdraws_pending_deadlines_only(world, test_rules, subject):
    services.deadline_schedule(merchant=world.acme, rule=test_rules.TOUCH, subject=subject)
    services.deadline_schedule(merchant=world.acme, rule=test_rules.TOUCH, subject=subject, key="b")
    services.deadline_schedule(merchant=world.acme, rule=test_rules.BUSINESS, subject=subject)
    assert services.deadline_cancel(subject=subject, rule=test_rules.TOUCH, key="b") == 1
    assert services.deadline_cancel(subject=subject, rule=test_rules.TOUCH) == 1
    assert services.deadline_cancel_all_for(subject) == 1
    assert services.deadline_cancel_all_for(subject) == 0
    states = set(Deadline.cross_tenant_objects.values_list("state", flat=True))
    assert states == {DeadlineState.CANCELLED}
    # Once cancelled, the same timer can be scheduled afresh.
    assert services.deadline_schedule(merchant=world.acme, rule=test_rules.TOUCH, subject=subject)


def test_sweep_fires_due_deadlines_once_in_the_merchants_scope(world, test_rules, subject):
    seen_scopes = []

    def record_scope(deadline):
        from core.tenancy import current_organization

        seen_scopes.append(current_organization())
        test_rules.touch(deadline)

    registry.register_rule(
        registry.rule_get(test_rules.TOUCH).__class__(
            code="test.scope",
            label="Scope",
            numbers=registry.rule_get(test_rules.TOUCH).numbers,
            action=record_scope,
        )
    )
    try:
        due = services.deadline_schedule(
            merchant=world.globex, rule="test.scope", subject=subject, due_at=NOW
        )
        later = services.deadline_schedule(
            merchant=world.acme,
            rule=test_rules.TOUCH,
            subject=subject,
            due_at=NOW + timedelta(hours=1),
        )
        assert services.deadline_sweep(now=NOW) == 1
        assert services.deadline_sweep(now=NOW) == 0
    finally:
        registry.unregister_rule("test.scope")
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.state == DeadlineState.FIRED
    assert due.fired_at is not None
    assert later.state == DeadlineState.PENDING
    assert seen_scopes == [world.globex]
    assert test_rules.fired_counts() == {str(due.pk): 1}


def test_sweep_works_through_several_batches(world, test_rules, subject):
    for number in range(25):
        services.deadline_schedule(
            merchant=world.acme, rule=test_rules.TOUCH, subject=subject, key=str(number), due_at=NOW
        )
    assert services.deadline_sweep(now=NOW, batch_size=10) == 25
    assert set(test_rules.fired_counts().values()) == {1}


def test_a_failing_action_rolls_back_and_is_retried_with_backoff_then_given_up(
    world, test_rules, subject, settings
):
    settings.DEADLINE_MAX_ATTEMPTS = 3
    deadline = services.deadline_schedule(
        merchant=world.acme, rule=test_rules.FAIL, subject=subject, due_at=NOW
    )
    ok = services.deadline_schedule(
        merchant=world.acme, rule=test_rules.TOUCH, subject=subject, due_at=NOW
    )
    assert services.deadline_sweep(now=NOW) == 1  # the failure does not block the other row
    deadline.refresh_from_db()
    assert deadline.state == DeadlineState.PENDING
    assert deadline.attempts == 1
    assert "supplier's API is down" in deadline.last_error
    assert deadline.run_at > timezone.now() + timedelta(seconds=40)
    # The action's own writes were rolled back with it.
    assert not LogEntry.objects.filter(object_repr="should be rolled back").exists()
    for _attempt in range(2):
        assert services.deadline_sweep(now=deadline.run_at + timedelta(days=1)) == 0
        deadline.refresh_from_db()
    assert deadline.state == DeadlineState.FAILED
    assert deadline.attempts == 3
    ok.refresh_from_db()
    assert ok.state == DeadlineState.FIRED


def test_a_batch_action_runs_once_per_merchant_and_falls_back_to_rows_when_it_raises(
    world, test_rules, subject
):
    batches = []

    def batch(deadlines):
        batches.append(sorted(deadline.key for deadline in deadlines))
        for deadline in deadlines:
            test_rules.touch(deadline)
        if any(deadline.key == "bad" for deadline in deadlines):
            raise RuntimeError("one row of the batch is bad")

    def one(deadline):
        if deadline.key == "bad":
            raise RuntimeError("this row is bad")
        test_rules.touch(deadline)

    base = registry.rule_get(test_rules.TOUCH)
    registry.register_rule(
        base.__class__(
            code="test.batch",
            label="Batch",
            numbers=base.numbers,
            action=one,
            batch_action=batch,
        )
    )
    try:
        for merchant, key in [(world.acme, "a1"), (world.acme, "a2"), (world.globex, "bad")]:
            services.deadline_schedule(
                merchant=merchant, rule="test.batch", subject=subject, key=key, due_at=NOW
            )
        services.deadline_schedule(
            merchant=world.globex, rule="test.batch", subject=subject, key="g1", due_at=NOW
        )
        assert services.deadline_sweep(now=NOW) == 3
    finally:
        registry.unregister_rule("test.batch")
    # One batch per merchant; the failing batch rolled back and ran again row by row.
    assert sorted(batches) == [["a1", "a2"], ["bad", "g1"]]
    states = dict(Deadline.cross_tenant_objects.values_list("key", "state"))
    assert states == {
        "a1": DeadlineState.FIRED,
        "a2": DeadlineState.FIRED,
        "g1": DeadlineState.FIRED,
        "bad": DeadlineState.PENDING,
    }
    assert sorted(test_rules.fired_counts().values()) == [1, 1, 1]


def test_one_failing_row_among_its_merchants_rows_leaves_the_others_fired_once(
    world, test_rules, subject
):
    def touch_unless_bad(deadline):
        test_rules.touch(deadline)
        if deadline.key == "bad":
            raise RuntimeError("this row is bad")

    base = registry.rule_get(test_rules.TOUCH)
    registry.register_rule(
        base.__class__(
            code="test.rows", label="Rows", numbers=base.numbers, action=touch_unless_bad
        )
    )
    try:
        for key in ("r1", "bad", "r2"):
            services.deadline_schedule(
                merchant=world.acme, rule="test.rows", subject=subject, key=key, due_at=NOW
            )
        assert services.deadline_sweep(now=NOW) == 2
    finally:
        registry.unregister_rule("test.rows")
    states = dict(Deadline.cross_tenant_objects.values_list("key", "state"))
    assert states == {"r1": "fired", "r2": "fired", "bad": "pending"}
    # The rows ran together, rolled back, then one by one: each committed exactly once.
    assert sorted(test_rules.fired_counts().values()) == [1, 1]


def test_an_action_may_schedule_its_own_rule_again(world, test_rules, subject):
    def again(deadline):
        services.deadline_schedule(
            merchant=deadline.merchant,
            rule="test.again",
            subject=subject,
            due_at=NOW + timedelta(days=1),
        )

    registry.register_rule(
        registry.rule_get(test_rules.TOUCH).__class__(
            code="test.again",
            label="Again",
            numbers=registry.rule_get(test_rules.TOUCH).numbers,
            action=again,
        )
    )
    try:
        services.deadline_schedule(
            merchant=world.acme, rule="test.again", subject=subject, due_at=NOW
        )
        assert services.deadline_sweep(now=NOW) == 1
    finally:
        registry.unregister_rule("test.again")
    states = sorted(Deadline.cross_tenant_objects.values_list("state", flat=True))
    assert states == [DeadlineState.FIRED, DeadlineState.PENDING]


def test_scheduling_a_rule_without_an_action_is_refused(world, subject):
    # A rule whose domain never attached its action would pile up rows nobody can fire.
    registry.register_rule(
        Rule(
            code="test.no-action",
            label="No action",
            numbers=(Number("after_hours", "After", Unit.HOURS, 1),),
        )
    )
    try:
        with pytest.raises(LookupError, match="no action"):
            services.deadline_schedule(merchant=world.acme, rule="test.no-action", subject=subject)
    finally:
        registry.unregister_rule("test.no-action")


def test_sweep_deadlines_command_runs_one_sweep(world, test_rules, subject, capsys):
    services.deadline_schedule(
        merchant=world.acme, rule=test_rules.TOUCH, subject=subject, due_at=timezone.now()
    )
    call_command("sweep_deadlines")
    assert "1 deadline(s) fired." in capsys.readouterr().out


def test_every_rule_of_the_design_is_registered_with_its_defaults():
    expected = {
        "ship-reminder": {"after_days": 2},
        "ship-overdue": {"after_days": 4},
        "supplier-response": {"remind_after_hours": 48, "escalate_after_hours": 72},
        "problem-deadline": {"after_days": 7},
        "refund-execution": {"after_business_days": 2},
        "verified-claim": {"after_business_days": 15},
        "delivered-not-received": {"wait_hours": 24},
        "customs-hold": {"remind_after_days": 2},
        "auto-close": {"resolved_quiet_days": 7, "awaiting_merchant_days": 14},
    }
    defaults = {rule.code: rule.defaults().numbers for rule in registry.rule_list()}
    assert {code: defaults[code] for code in expected} == expected
    silent = registry.rule_get("supplier-response").defaults().options
    assert silent == {"silent_refund_request": "escalate"}


def test_attaching_a_second_action_to_a_rule_is_refused():
    def first(deadline): ...

    def second(deadline): ...

    registry.register_rule(
        registry.rule_get("ship-reminder").__class__(
            code="test.attach", label="Attach", numbers=registry.rule_get("ship-reminder").numbers
        )
    )
    try:
        registry.attach_action("test.attach", first)
        registry.attach_action("test.attach", first)  # the same again: harmless
        with pytest.raises(ValueError, match="already has an action"):
            registry.attach_action("test.attach", second)
    finally:
        registry.unregister_rule("test.attach")


def test_business_days_are_counted_by_the_acting_partys_local_date(world, test_rules, subject):
    # Wednesday 3 February 2027, 07:00 in Shanghai (Tuesday 23:00 UTC), before the Spring
    # Festival holidays (Friday 5 to Wednesday 10 February).
    start = datetime(2027, 2, 3, 7, tzinfo=ZoneInfo("Asia/Shanghai"))
    supplier = services.deadline_schedule(
        merchant=world.globex,
        rule=test_rules.BUSINESS,
        subject=subject,
        start_at=start,
        party=world.shenzhen,
    )
    assert supplier.due_at == datetime(2027, 2, 11, 7, tzinfo=ZoneInfo("Asia/Shanghai"))
    # The merchant in Berlin counts its own: Wednesday 00:00 there, due Friday 00:00.
    merchant = services.deadline_schedule(
        merchant=world.globex, rule=test_rules.BUSINESS, subject=subject, key="m", start_at=start
    )
    assert merchant.due_at == datetime(2027, 2, 5, 0, tzinfo=ZoneInfo("Europe/Berlin"))


def test_hours_stay_elapsed_time_in_the_acting_partys_zone(world, test_rules, subject):
    # New York moves its clocks forward on 8 March 2026; 48 hours are still 48 hours.
    world.shenzhen.time_zone = "America/New_York"
    start = datetime(2026, 3, 7, 12, tzinfo=UTC)
    deadline = services.deadline_schedule(
        merchant=world.acme,
        rule="supplier-response",
        number="remind_after_hours",
        subject=subject,
        start_at=start,
        party=world.shenzhen,
    )
    assert deadline.due_at - start == timedelta(hours=48)
