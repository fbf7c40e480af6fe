"""Rules for the engine's tests only: their subject is a User row (no domain model).

The action leaves one admin LogEntry per firing, so that a test (or a worker in another
process) can count firings in the database: more than one entry for a deadline id would
be a rule fired twice.
"""

import os
import time

from django.contrib.admin.models import ADDITION, LogEntry

from deadlines import registry
from deadlines.rule_definitions import Number, Option, Rule, Unit

TOUCH = "test.touch"
FAIL = "test.fail"
BUSINESS = "test.business"


def touch(deadline) -> None:
    started_file = os.environ.get("TEST_DEADLINE_STARTED_FILE")
    if started_file:
        # Outside the database on purpose: shows which actions began before a crash.
        with open(started_file, "a") as handle:
            handle.write(f"{deadline.pk}\n")
    LogEntry.objects.create(
        user_id=deadline.subject_id,
        object_id=str(deadline.pk),
        object_repr="fired",
        action_flag=ADDITION,
        change_message=deadline.rule,
    )
    time.sleep(float(os.environ.get("TEST_DEADLINE_ACTION_SECONDS", "0")))


def fail(deadline) -> None:
    LogEntry.objects.create(
        user_id=deadline.subject_id,
        object_id=str(deadline.pk),
        object_repr="should be rolled back",
        action_flag=ADDITION,
    )
    raise RuntimeError("the supplier's API is down")


RULES = (
    Rule(
        code=TOUCH,
        label="Touch",
        numbers=(
            Number("after_hours", "After", Unit.HOURS, 48),
            Number("later_hours", "Later", Unit.HOURS, 72),
        ),
        options=(Option("loud", "Loud", False),),
        action=touch,
    ),
    Rule(
        code=FAIL,
        label="Fail",
        numbers=(Number("after_hours", "After", Unit.HOURS, 1),),
        action=fail,
    ),
    Rule(
        code=BUSINESS,
        label="Business",
        numbers=(Number("after_business_days", "After", Unit.BUSINESS_DAYS, 2),),
        action=touch,
    ),
)


def register() -> None:
    for rule in RULES:
        registry.register_rule(rule, replace=True)


def unregister() -> None:
    for rule in RULES:
        registry.unregister_rule(rule.code)


def fired_counts() -> dict[str, int]:
    from django.db.models import Count

    return dict(
        LogEntry.objects.filter(object_repr="fired")
        .values("object_id")
        .annotate(count=Count("id"))
        .values_list("object_id", "count")
    )
