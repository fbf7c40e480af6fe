"""The deadline plan of disputes (DESIGN.md, "Deadlines"): which rules a state starts and ends.

`deadlines_plan` runs inside every transition's transaction (from `Change.save`), so the
deadline rows change atomically with the state: a crash loses neither. It schedules the
rules a new state starts, cancels those it ends, and answers (respond_by, resolve_by) from
the rows' due times. What the rules do when due is in `disputes.deadlines`; it asks the
predicates here whether a rule still applies.
"""

from django.db.models import Min

from accounts.actors import Actor
from core.tenancy import owner_scope
from deadlines.models import Deadline
from deadlines.selectors import deadline_list_for_subject
from deadlines.services import DeadlinePlan, deadline_cancel_all_for
from disputes import policies
from disputes.deadline_rules import (
    AUTO_CLOSE,
    DELIVERED_NOT_RECEIVED,
    MISSING_EVIDENCE,
    PROBLEM_DEADLINE,
    REFUND_EXECUTION,
    SUPPLIER_RESPONSE,
    VERIFIED_CLAIM,
)
from disputes.models import (
    Dispute,
    DisputeKind,
    DisputeStatus,
    EventType,
    Party,
    Reason,
    ResolutionType,
)
from orders.models import Shipment, ShipmentStatus

St = DisputeStatus

# The rules whose due time is the dispute's resolve_by (the soonest pending one).
RESOLUTION_RULES = (PROBLEM_DEADLINE, VERIFIED_CLAIM, REFUND_EXECUTION)
# Wrong, missing or damaged items: once the supplier (or the operator) accepted the evidence
# the claim counts as verified. NOT_AS_DESCRIBED is what a wrong item becomes when its
# problem report escalates.
VERIFIED_CLAIM_REASONS = frozenset(
    {
        Reason.DAMAGED,
        Reason.WRONG_ITEM,
        Reason.SUPPLIER_WRONG_SIZE,
        Reason.NOT_AS_DESCRIBED,
        Reason.MISSING_ITEM,
    }
)
REFUND_RESOLUTIONS = frozenset({ResolutionType.REFUND, ResolutionType.PARTIAL_REFUND})
FINISHED = frozenset({St.CLOSED, St.CANCELLED})


def snapshot(dispute: Dispute | None) -> dict:
    """What the planner compares against: the dispute as the transition found it."""
    if dispute is None:
        return {"status": "", "kind": "", "reason": "", "evidence_accepted_at": None}
    return {
        "status": dispute.status,
        "kind": dispute.kind,
        "reason": dispute.reason,
        "evidence_accepted_at": dispute.evidence_accepted_at,
    }


def asks_supplier_to_answer(dispute: Dispute) -> bool:
    """The supplier-response rule's state: the supplier must answer (not carry out)."""
    return (
        policies.waiting_on(dispute) == Party.SUPPLIER and dispute.status != St.RESOLUTION_ACCEPTED
    )


def is_verified_claim(values: dict) -> bool:
    return values["reason"] in VERIFIED_CLAIM_REASONS and values["evidence_accepted_at"] is not None


def refund_to_carry_out(dispute: Dispute) -> bool:
    resolution = dispute.resolution
    return (
        dispute.status == St.RESOLUTION_ACCEPTED
        and resolution is not None
        and resolution.resolution in REFUND_RESOLUTIONS
        and resolution.fulfilled_at is None
    )


def _tracking_says_delivered(dispute: Dispute) -> bool:
    return Shipment.objects.filter(
        lines__in=dispute.lines.all(), status=ShipmentStatus.DELIVERED
    ).exists()


def _schedule(plan: DeadlinePlan, rule, **kwargs) -> Deadline | None:
    return plan.schedule(rule=rule, **kwargs)


def _schedule_for_supplier(plan: DeadlinePlan, dispute, rule) -> Deadline | None:
    # The supplier must act (reship or refund): its business days, in its country and time
    # zone, from its local date (DESIGN.md, "Deadlines").
    return _schedule(plan, rule, party=dispute.supplier)


def deadlines_plan(change) -> tuple:
    """Schedule and cancel the dispute's deadlines for the state `change` leads to.

    Runs in the transition's transaction; answers (respond_by, resolve_by).
    """
    dispute = change.dispute
    before = change.before
    status = dispute.status
    if status in FINISHED:
        deadline_cancel_all_for(dispute)
        return None, None
    now_values = snapshot(dispute)
    # The rules this state ends are withdrawn together (see DeadlinePlan).
    plan = DeadlinePlan(merchant=dispute.merchant, subject=dispute)
    entering = before["status"] != status
    opening = before["status"] == ""
    # Opening, reopening and problem → refund start the clocks again.
    restart = opening or change.restart_resolution

    supplier_starts_at = None
    if opening and dispute.reason == Reason.NOT_RECEIVED and _tracking_says_delivered(dispute):
        wait = _schedule(plan, DELIVERED_NOT_RECEIVED)
        if wait is not None:
            change.record(
                EventType.DEADLINE,
                code="delivered_check_address",
                actor=Actor.system(),
                rule=DELIVERED_NOT_RECEIVED,
                audience=[Party.MERCHANT],
                until=wait.due_at.isoformat(),
            )
            # "then continue": the supplier's clock starts when the wait is over.
            supplier_starts_at = wait.due_at

    respond_by = None
    if asks_supplier_to_answer(dispute):
        was_asked = not opening and before["status"] not in (
            St.AWAITING_EVIDENCE,
            St.RESOLUTION_ACCEPTED,
        )
        if change.was_waiting_on != Party.SUPPLIER or restart or not was_asked:
            plan.cancel(rule=SUPPLIER_RESPONSE)
            remind = _schedule(
                plan,
                SUPPLIER_RESPONSE,
                number="remind_after_hours",
                key="remind",
                start_at=supplier_starts_at,
            )
            _schedule(
                plan,
                SUPPLIER_RESPONSE,
                number="escalate_after_hours",
                key="escalate",
                start_at=supplier_starts_at,
            )
            respond_by = remind.due_at if remind is not None else None
        else:
            respond_by = dispute.respond_by  # a second merchant message buys no time
    else:
        plan.cancel(rule=SUPPLIER_RESPONSE)

    if dispute.kind == DisputeKind.PROBLEM and status != St.RESOLVED:
        if restart:
            plan.cancel(rule=PROBLEM_DEADLINE)
            _schedule(plan, PROBLEM_DEADLINE)
    else:
        plan.cancel(rule=PROBLEM_DEADLINE)

    verified = is_verified_claim(now_values) and status not in (St.RESOLVED, St.IN_ARBITRATION)
    if verified and (
        restart or not is_verified_claim(before) or (entering and _was_paused(before))
    ):
        plan.cancel(rule=VERIFIED_CLAIM)
        _schedule_for_supplier(plan, dispute, VERIFIED_CLAIM)
    elif not verified:
        plan.cancel(rule=VERIFIED_CLAIM)

    if refund_to_carry_out(dispute):
        if entering:
            _schedule_for_supplier(plan, dispute, REFUND_EXECUTION)
            # The supplier's next deadline is carrying the refund out.
    else:
        plan.cancel(rule=REFUND_EXECUTION)

    if status == St.RESOLVED:
        if entering or change.events:
            # Quiet means quiet: any new event starts the week again.
            plan.cancel(rule=AUTO_CLOSE, key="resolved")
            _schedule(plan, AUTO_CLOSE, number="resolved_quiet_days", key="resolved")
    else:
        plan.cancel(rule=AUTO_CLOSE, key="resolved")
    if merchant_must_answer(dispute):
        if entering or change.action == "propose":
            # Something new to answer (the turn came back, or a new offer): the wait restarts.
            plan.cancel(rule=AUTO_CLOSE, key="awaiting_merchant")
            _schedule(plan, AUTO_CLOSE, number="awaiting_merchant_days", key="awaiting_merchant")
    else:
        plan.cancel(rule=AUTO_CLOSE, key="awaiting_merchant")

    if status == St.AWAITING_EVIDENCE and dispute.kind == DisputeKind.REFUND:
        if entering or before["kind"] != dispute.kind:
            _schedule(plan, MISSING_EVIDENCE)
    else:
        plan.cancel(rule=MISSING_EVIDENCE)

    plan.flush()
    due = _pending_due(dispute)
    resolved_by = [due[rule] for rule in RESOLUTION_RULES if rule in due]
    resolve_by = min(resolved_by) if resolved_by else None
    waiting = policies.waiting_on(dispute)
    if status == St.RESOLUTION_ACCEPTED:
        respond_by = due.get(REFUND_EXECUTION)
    elif status == St.AWAITING_EVIDENCE:
        # The merchant's evidence deadline: the refund request is cancelled then.
        respond_by = due.get(MISSING_EVIDENCE)
    elif merchant_must_answer(dispute):
        respond_by = due.get(AUTO_CLOSE)
    if respond_by is None and waiting in (Party.MERCHANT, Party.SUPPLIER) and status != St.RESOLVED:
        # No rule times this turn by itself: the party must act before the dispute is due.
        respond_by = resolve_by
    return respond_by, resolve_by


def merchant_must_answer(dispute: Dispute) -> bool:
    """The merchant's turn to answer the supplier (a message or an offer): auto-close's wait."""
    return dispute.status in (St.AWAITING_MERCHANT, St.RESOLUTION_PROPOSED) and (
        policies.waiting_on(dispute) == Party.MERCHANT
    )


def _was_paused(before: dict) -> bool:
    # A verified claim's clock stops in arbitration and starts again if it comes back.
    return before["status"] in (St.IN_ARBITRATION, St.RESOLVED)


def _pending_due(dispute: Dispute) -> dict:
    rows = (
        deadline_list_for_subject(dispute)
        .filter(rule__in=(*RESOLUTION_RULES, MISSING_EVIDENCE, AUTO_CLOSE))
        .values("rule")
        .annotate(due=Min("due_at"))
    )
    with owner_scope(dispute):  # the merchant's deadlines, whichever party acts
        return {row["rule"]: row["due"] for row in rows}
