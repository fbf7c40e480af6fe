"""The disputes domain's deadline rules and what they do when due (DESIGN.md, "Deadlines").

Registers the domain's rules (disputes.deadline_rules) with the engine and attaches their
actions. Each action re-reads the dispute under its lock, does nothing when the rule no
longer applies (`disputes.services.deadline_plan` answers that), and acts through the same
services as a person, as `Actor.system()`. Imported by `DisputesConfig.ready()`, which is
what attaches them to the engine's rules.
"""

from django.db import transaction

from accounts.actors import Actor
from core.errors import InvalidTransition, NotFound
from deadlines.registry import register_rule, rule_action
from disputes.deadline_rules import (
    AUTO_CLOSE,
    DELIVERED_NOT_RECEIVED,
    MISSING_EVIDENCE,
    PROBLEM_DEADLINE,
    REFUND_EXECUTION,
    RULES,
    SUPPLIER_RESPONSE,
    VERIFIED_CLAIM,
    SilentSupplier,
)
from disputes.models import Dispute, DisputeKind, DisputeStatus, Party
from disputes.services import (
    dispute_accept_by_default,
    dispute_cancel_for_missing_evidence,
    dispute_close,
    dispute_escalate,
    dispute_notice_post,
    dispute_open_for_overdue_shipping,
)
from disputes.services.deadline_plan import (
    FINISHED,
    asks_supplier_to_answer,
    is_verified_claim,
    merchant_must_answer,
    refund_to_carry_out,
    snapshot,
)
from disputes.services.transition_machinery import locked

St = DisputeStatus

for rule in RULES:
    register_rule(rule)


def _locked_or_none(deadline) -> Dispute | None:
    try:
        return locked(deadline.subject_id)
    except NotFound:
        return None


def _act(deadline, *, applies, act) -> bool:
    """Re-check under the lock, then act; a refused (stale) transition does nothing."""
    dispute = _locked_or_none(deadline)
    if dispute is None or dispute.status in FINISHED or not applies(dispute):
        return False
    try:
        with transaction.atomic():
            act(dispute)
    except InvalidTransition:
        return False
    return True


def _notice(dispute, deadline, code: str, audience, **data):
    return dispute_notice_post(
        actor=Actor.system(),
        dispute=dispute,
        code=code,
        rule=deadline.rule,
        deadline=str(deadline.pk),
        audience=list(audience),
        **data,
    )


def _escalate_one_level(dispute: Dispute) -> None:
    target = "refund" if dispute.kind == DisputeKind.PROBLEM else "arbitration"
    dispute_escalate(actor=Actor.system(), dispute=dispute, to=target)


@rule_action(SUPPLIER_RESPONSE)
def supplier_response_due(deadline) -> bool:
    if deadline.key == "remind":
        return _act(
            deadline,
            applies=asks_supplier_to_answer,
            act=lambda dispute: _notice(
                dispute, deadline, "supplier_response_reminder", [Party.SUPPLIER]
            ),
        )

    def escalate(dispute):
        option = (deadline.settings or {}).get("options", {}).get("silent_refund_request")
        accept = dispute.kind == DisputeKind.REFUND and option == SilentSupplier.ACCEPT_REFUND
        outcome = (
            "accept_refund"
            if accept
            else ("refund" if dispute.kind == "problem" else "arbitration")
        )
        _notice(dispute, deadline, "supplier_response_expired", (), outcome=outcome)
        if accept:
            dispute_accept_by_default(actor=Actor.system(), dispute=dispute, rule=deadline.rule)
        else:
            _escalate_one_level(dispute)

    return _act(deadline, applies=asks_supplier_to_answer, act=escalate)


@rule_action(PROBLEM_DEADLINE)
def problem_deadline_due(deadline) -> bool:
    def escalate(dispute):
        _notice(dispute, deadline, "problem_deadline_passed", ())
        _escalate_one_level(dispute)

    return _act(
        deadline,
        applies=lambda d: d.kind == DisputeKind.PROBLEM and d.status != St.RESOLVED,
        act=escalate,
    )


@rule_action(REFUND_EXECUTION)
def refund_execution_due(deadline) -> bool:
    def escalate(dispute):
        _notice(dispute, deadline, "refund_not_carried_out", ())
        _escalate_one_level(dispute)

    return _act(deadline, applies=refund_to_carry_out, act=escalate)


@rule_action(VERIFIED_CLAIM)
def verified_claim_due(deadline) -> bool:
    def escalate(dispute):
        _notice(dispute, deadline, "verified_claim_expired", ())
        _escalate_one_level(dispute)

    return _act(
        deadline,
        applies=lambda d: (
            is_verified_claim(snapshot(d)) and d.status not in (St.RESOLVED, St.IN_ARBITRATION)
        ),
        act=escalate,
    )


@rule_action(DELIVERED_NOT_RECEIVED)
def delivered_not_received_due(deadline) -> bool:
    return _act(
        deadline,
        applies=lambda d: True,
        act=lambda dispute: _notice(dispute, deadline, "delivered_wait_over", [Party.MERCHANT]),
    )


def _resolved(dispute: Dispute) -> bool:
    return dispute.status == St.RESOLVED


@rule_action(AUTO_CLOSE)
def auto_close_due(deadline) -> bool:
    applies = _resolved if deadline.key == "resolved" else merchant_must_answer

    def close(dispute):
        _notice(dispute, deadline, "auto_closed", (), waited=deadline.key)
        dispute_close(actor=Actor.system(), dispute=dispute)

    return _act(deadline, applies=applies, act=close)


@rule_action(MISSING_EVIDENCE)
def missing_evidence_due(deadline) -> bool:
    def cancel(dispute):
        _notice(dispute, deadline, "evidence_deadline_passed", ())
        dispute_cancel_for_missing_evidence(actor=Actor.system(), dispute=dispute)

    return _act(
        deadline,
        applies=lambda d: d.status == St.AWAITING_EVIDENCE and d.kind == DisputeKind.REFUND,
        act=cancel,
    )


def open_shipping_delayed_refund(*, order, supplier, lines, options) -> None:
    """orders' ship-overdue hook: a "shipping delayed" refund request, if the merchant wants."""
    if options.get("open_refund_request"):
        dispute_open_for_overdue_shipping(order=order, lines=lines)
