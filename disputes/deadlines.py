"""The disputes domain's deadline rule actions (DESIGN.md, "Deadlines").

Registers the domain's rules (disputes.deadline_rules) with the engine, then attaches their
actions. Thin: each action hands the due deadline to its service in `disputes.services.rules`,
which re-checks the dispute under its lock and acts as `Actor.system()`. Imported by
`DisputesConfig.ready()`, which is what attaches them to the engine's rules.
"""

from deadlines.registry import register_rule, rule_action
from disputes.deadline_rules import RULES
from disputes.services import dispute_open_for_overdue_shipping, rules

for rule in RULES:
    register_rule(rule)


@rule_action(rules.SUPPLIER_RESPONSE)
def supplier_response_due(deadline) -> None:
    rules.dispute_rule_supplier_response(deadline=deadline)


@rule_action(rules.PROBLEM_DEADLINE)
def problem_deadline_due(deadline) -> None:
    rules.dispute_rule_problem_deadline(deadline=deadline)


@rule_action(rules.REFUND_EXECUTION)
def refund_execution_due(deadline) -> None:
    rules.dispute_rule_refund_execution(deadline=deadline)


@rule_action(rules.VERIFIED_CLAIM)
def verified_claim_due(deadline) -> None:
    rules.dispute_rule_verified_claim(deadline=deadline)


@rule_action(rules.DELIVERED_NOT_RECEIVED)
def delivered_not_received_due(deadline) -> None:
    rules.dispute_rule_delivered_not_received(deadline=deadline)


@rule_action(rules.AUTO_CLOSE)
def auto_close_due(deadline) -> None:
    rules.dispute_rule_auto_close(deadline=deadline)


@rule_action(rules.MISSING_EVIDENCE)
def missing_evidence_due(deadline) -> None:
    rules.dispute_rule_missing_evidence(deadline=deadline)


def open_shipping_delayed_refund(*, order, supplier, lines, options) -> None:
    """orders' ship-overdue hook: a "shipping delayed" refund request, if the merchant wants."""
    if options.get("open_refund_request"):
        dispute_open_for_overdue_shipping(order=order, lines=lines)
