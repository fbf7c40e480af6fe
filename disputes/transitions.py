"""The dispute state machine: ONE table, read by every entry point.

`TABLE[status][action]` is a `Move`: the state it leads to (SAME, or one per party when the
party decides it, e.g. a message hands the turn to the other side) and the parties that may
take it, plus named guards that also look at the dispute (its kind, the open proposal, the
reopen window). Services check it under the dispute's row lock (`check`); the API and the
pages show what it allows (`allowed_actions`). Nothing else decides what may happen.

Parties: M merchant staff who work disputes (never viewers), S the dispute's supplier,
P a platform operator (admin), Y the system (deadline rules).

A dispute here is a `Dispute` or a row the API's lists and detail read as values
(`selectors.DisputeRow`): the guards read only attributes both have (status, kind, the
parties' ids, the open proposal's party, the evidence, arbitration and closing times).
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.actors import Actor
from core.errors import InvalidTransition, NotFound, PermissionDenied
from disputes.models import DisputeKind, DisputeStatus, Party

M, S, P, Y = Party.MERCHANT, Party.SUPPLIER, Party.PLATFORM, Party.SYSTEM
SAME = "same"  # the action leaves the status as it is

# The action names of API.md, in the order `allowed_actions` lists them.
API_ACTIONS = (
    "message",
    "note",
    "attach",
    "propose",
    "accept",
    "reject",
    "fulfil",
    "escalate_to_refund",
    "escalate_to_arbitration",
    "close",
    "reopen",
    # Beyond API.md's list: the supplier (or, in arbitration, the operator) reviews the
    # merchant's photo or video evidence before the verified-claim clock runs.
    "accept_evidence",
    "request_evidence",
)
# Actions only services take as consequences or on behalf of the platform and the timers.
INTERNAL_ACTIONS = (
    "provide_evidence",  # the first photo or video arrives for a reason that needs one
    "arbitrate_refund",
    "arbitrate_reject",
    "cancel_for_missing_evidence",
    # The supplier-response rule's default judgement (the merchant's `silent_refund_request`
    # option): the refund the supplier left unanswered counts as accepted.
    "accept_by_default",
)

REOPEN_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class Move:
    to: str | dict[str, str]
    by: frozenset[str]
    when: tuple[str, ...] = field(default=())

    def target(self, party: str) -> str | None:
        if isinstance(self.to, dict):
            return self.to.get(party)
        return self.to


def _m(to, *by, when=()):
    return Move(to=to, by=frozenset(by), when=tuple(when))


# The ball moves to the other side when one side writes.
_TURN = {M: DisputeStatus.AWAITING_SUPPLIER, S: DisputeStatus.AWAITING_MERCHANT}
# A rejected proposal goes back to the side that made it.
_REJECTED = {M: DisputeStatus.AWAITING_SUPPLIER, S: DisputeStatus.AWAITING_MERCHANT}

St = DisputeStatus
TABLE: dict[str, dict[str, Move]] = {
    St.AWAITING_EVIDENCE: {
        "message": _m(SAME, M, S),
        "note": _m(SAME, M),
        "attach": _m(SAME, M, S),
        "provide_evidence": _m(St.AWAITING_SUPPLIER, M),
        "escalate_to_refund": _m(SAME, M, Y, when=["problem"]),
        "close": _m(St.CLOSED, M),
        "cancel_for_missing_evidence": _m(St.CANCELLED, Y, P),
    },
    St.AWAITING_SUPPLIER: {
        "message": _m({M: SAME, S: St.AWAITING_MERCHANT}, M, S),
        "note": _m(SAME, M),
        "attach": _m(SAME, M, S),
        "accept_evidence": _m(SAME, S, when=["evidence_to_review"]),
        "request_evidence": _m(St.AWAITING_EVIDENCE, S, when=["evidence_to_review"]),
        "propose": _m(St.RESOLUTION_PROPOSED, M, S),
        "escalate_to_refund": _m(SAME, M, Y, when=["problem"]),
        "escalate_to_arbitration": _m(
            St.IN_ARBITRATION, M, S, Y, when=["refund", "not_arbitrated"]
        ),
        "accept_by_default": _m(St.RESOLUTION_ACCEPTED, Y, when=["refund"]),
        "close": _m(St.CLOSED, M),
    },
    St.AWAITING_MERCHANT: {
        "message": _m({M: St.AWAITING_SUPPLIER, S: SAME}, M, S),
        "note": _m(SAME, M),
        "attach": _m(SAME, M, S),
        "accept_evidence": _m(SAME, S, when=["evidence_to_review"]),
        "request_evidence": _m(St.AWAITING_EVIDENCE, S, when=["evidence_to_review"]),
        "propose": _m(St.RESOLUTION_PROPOSED, M, S),
        "escalate_to_refund": _m(SAME, M, Y, when=["problem"]),
        "escalate_to_arbitration": _m(St.IN_ARBITRATION, M, S, when=["refund", "not_arbitrated"]),
        "close": _m(St.CLOSED, M, Y),
    },
    St.RESOLUTION_PROPOSED: {
        "message": _m(SAME, M, S),
        "note": _m(SAME, M),
        "attach": _m(SAME, M, S),
        "accept_evidence": _m(SAME, S, when=["evidence_to_review"]),
        "propose": _m(St.RESOLUTION_PROPOSED, M, S),  # a counter-proposal, or a better offer
        "accept": _m(St.RESOLUTION_ACCEPTED, M, S, when=["answers_open_proposal"]),
        "reject": _m(_REJECTED, M, S, when=["answers_open_proposal"]),
        "escalate_to_refund": _m(SAME, M, Y, when=["problem"]),
        "escalate_to_arbitration": _m(
            St.IN_ARBITRATION, M, S, Y, when=["refund", "not_arbitrated"]
        ),
        "accept_by_default": _m(St.RESOLUTION_ACCEPTED, Y, when=["refund"]),
        # The merchant, or the auto-close rule when the merchant left an offer unanswered.
        "close": _m(St.CLOSED, M, Y),
    },
    St.RESOLUTION_ACCEPTED: {
        "message": _m(SAME, M, S),
        "note": _m(SAME, M),
        "attach": _m(SAME, M, S),
        "accept_evidence": _m(SAME, S, when=["evidence_to_review"]),
        "fulfil": _m(St.RESOLVED, S),
        "escalate_to_refund": _m(SAME, M, Y, when=["problem"]),
        "escalate_to_arbitration": _m(St.IN_ARBITRATION, M, Y, when=["refund", "not_arbitrated"]),
        "close": _m(St.CLOSED, M),
    },
    St.IN_ARBITRATION: {
        "message": _m(SAME, M, S, P),
        "note": _m(SAME, M),
        "attach": _m(SAME, M, S),
        # The operator may verify the evidence the supplier left unreviewed.
        "accept_evidence": _m(SAME, P, when=["evidence_to_review"]),
        "arbitrate_refund": _m(St.RESOLUTION_ACCEPTED, P),
        "arbitrate_reject": _m(St.RESOLVED, P),
        "close": _m(St.CLOSED, M),  # the merchant withdraws the claim
    },
    St.RESOLVED: {
        "message": _m(SAME, M, S),
        "note": _m(SAME, M),
        "attach": _m(SAME, M, S),
        "close": _m(St.CLOSED, M, Y),  # the merchant confirms; or quiet for a week
    },
    St.CLOSED: {
        "note": _m(SAME, M),
        "reopen": _m(St.AWAITING_SUPPLIER, M, when=["within_reopen_window"]),
    },
    St.CANCELLED: {},
}

# Which actions a party can ever take: outside this, the answer is 403, not 409.
_PARTY_ACTIONS: dict[str, frozenset[str]] = {
    party: frozenset(
        action for moves in TABLE.values() for action, move in moves.items() if party in move.by
    )
    for party in (M, S, P, Y)
}


def _guard(name: str, dispute, actor: Actor) -> str | None:
    """None when the guard passes; otherwise why the action is refused."""
    if name == "problem":
        if dispute.kind != DisputeKind.PROBLEM:
            return _("Only a problem report can be escalated to a refund request.")
    elif name == "refund":
        if dispute.kind != DisputeKind.REFUND:
            return _(
                "Only a refund request can go to arbitration; escalate the problem report "
                "to a refund request first."
            )
    elif name == "answers_open_proposal":
        proposal = dispute.open_proposal
        if proposal is None:
            return _("No proposal is open.")
        if proposal.proposed_by_party == actor.party:
            return _("Your side made this proposal; the other party answers it.")
    elif name == "not_arbitrated":
        # The platform's decision is final: nobody sends the dispute back to arbitration.
        if dispute.arbitrated_at is not None:
            return _(
                "The platform already decided this dispute; arbitration cannot be asked again."
            )
    elif name == "evidence_to_review":
        if dispute.evidence_received_at is None:
            return _("No evidence is waiting for review.")
        if dispute.evidence_accepted_at is not None:
            return _("The evidence was already accepted.")
    elif name == "within_reopen_window":
        if dispute.closed_at is None or timezone.now() - dispute.closed_at > REOPEN_WINDOW:
            return _("A dispute can be reopened only within 30 days of closing.")
    else:  # pragma: no cover - a typo in the table
        raise ValueError(f"unknown guard {name!r}")
    return None


def is_party(dispute, actor: Actor) -> bool:
    if actor.party in (P, Y):
        return True
    organization_id = getattr(actor.organization, "pk", None)
    if actor.is_merchant:
        return organization_id == dispute.merchant_id
    return actor.is_supplier and organization_id == dispute.supplier_id


def refusal(dispute, actor: Actor, action: str) -> str | None:
    """Why `actor` may not take `action` now, or None when it may."""
    if not actor.can_work or not is_party(dispute, actor):
        return _("Your role does not allow this.")
    move = TABLE[dispute.status].get(action)
    if move is None or actor.party not in move.by:
        return _("This is not possible while the dispute is %(status)s.") % {
            "status": DisputeStatus(dispute.status).label
        }
    for name in move.when:
        reason = _guard(name, dispute, actor)
        if reason is not None:
            return reason
    return None


def check(dispute, actor: Actor, action: str) -> str:
    """The status `action` leads to; raise when the actor may not take it now.

    Call it on the dispute re-read under its row lock: a check on a stale copy is the race
    the lock exists to prevent.
    """
    if not is_party(dispute, actor):
        raise NotFound()
    if not actor.can_work or action not in _PARTY_ACTIONS[actor.party]:
        raise PermissionDenied()
    reason = refusal(dispute, actor, action)
    if reason is not None:
        raise InvalidTransition(reason)
    target = TABLE[dispute.status][action].target(actor.party)
    return dispute.status if target == SAME else target


def allowed_actions(dispute, actor: Actor) -> list[str]:
    """What the caller may do now, in API.md's words; computed from TABLE alone.

    The same answer as `refusal(...) is None` for each action, without wording a refusal
    only to drop it (a list computes this for every row).
    """
    if not actor.can_work or not is_party(dispute, actor):
        return []
    moves = TABLE[dispute.status]
    return [
        action
        for action in API_ACTIONS
        if (move := moves.get(action)) is not None
        and actor.party in move.by
        and all(_guard(name, dispute, actor) is None for name in move.when)
    ]


def can(dispute, actor: Actor, action: str) -> bool:
    return actor.can_work and refusal(dispute, actor, action) is None
