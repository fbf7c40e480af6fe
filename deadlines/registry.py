"""The rules of this installation, and how domains attach what a rule does.

The engine owns no rule: each domain registers the rules it owns (code, label, numbers and
bounds, options: DESIGN.md's table; see orders.deadline_rules, disputes.deadline_rules) and
attaches their actions when it starts, from its AppConfig.ready()::

    from deadlines.registry import register_rule, rule_action

    register_rule(Rule(code="supplier-response", ...))

    @rule_action("supplier-response")
    def supplier_response_due(deadline):   # runs in the merchant's scope, in a transaction
        dispute = Dispute.objects.select_for_update().filter(pk=deadline.subject_id).first()
        ...                                 # re-check the state, then call the service

Actions must be idempotent by design: the sweep runs each one at most once per deadline
row (row lock + state check), and re-checks nothing about the subject, so an action looks
at the subject's current state and does nothing when the deadline no longer applies.
"""

import dataclasses
import threading

from deadlines.rule_definitions import DeadlineAction, Rule

_rules: dict[str, Rule] = {}
_lock = threading.Lock()


def register_rule(rule: Rule, *, replace: bool = False) -> Rule:
    """Add a rule. Registering the same code twice is a bug unless `replace` says otherwise."""
    with _lock:
        if rule.code in _rules and not replace and _rules[rule.code] != rule:
            raise ValueError(f"A deadline rule {rule.code!r} is already registered.")
        _rules[rule.code] = rule
    return rule


def unregister_rule(code: str) -> None:
    """For tests that register a rule of their own."""
    with _lock:
        _rules.pop(code, None)


def attach_action(code: str, action: DeadlineAction) -> Rule:
    """Give a registered rule its action; attaching the same function again is harmless."""
    with _lock:
        rule = _rules.get(code)
        if rule is None:
            raise LookupError(f"No deadline rule {code!r}; register it first.")
        if (
            rule.action is not None
            and rule.action is not action
            and (_qualified_name(rule.action) != _qualified_name(action))
        ):
            raise ValueError(f"Deadline rule {code!r} already has an action.")
        rule = dataclasses.replace(rule, action=action)
        _rules[code] = rule
    return rule


def rule_action(code: str):
    """Decorator form of `attach_action`."""

    def decorator(action: DeadlineAction) -> DeadlineAction:
        attach_action(code, action)
        return action

    return decorator


def rule_get(code: str) -> Rule:
    try:
        return _rules[code]
    except KeyError:
        raise LookupError(f"No deadline rule {code!r} is registered.") from None


def rule_exists(code: str) -> bool:
    return code in _rules


def rule_list() -> list[Rule]:
    """Every rule, by position (DESIGN.md's table order), then in registration order."""
    return sorted(_rules.values(), key=lambda rule: rule.position)


def _qualified_name(function) -> str:
    # A module imported twice (e.g. by a test runner) yields a new function object with
    # the same name; that is the same action, not a second one.
    return f"{function.__module__}.{function.__qualname__}"
