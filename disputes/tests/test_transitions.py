"""The transition table itself: complete, consistent, and the only writer of `status`."""

import re
from pathlib import Path

from disputes import transitions
from disputes.models import REASONS_BY_KIND, DisputeStatus, Reason

DISPUTES = Path(__file__).resolve().parent.parent


def test_every_status_has_a_row_and_every_target_is_a_status():
    assert set(transitions.TABLE) == set(DisputeStatus.values)
    for moves in transitions.TABLE.values():
        for action, move in moves.items():
            assert action in transitions.API_ACTIONS + transitions.INTERNAL_ACTIONS
            targets = move.to.values() if isinstance(move.to, dict) else [move.to]
            for target in targets:
                assert target == transitions.SAME or target in DisputeStatus.values
            if isinstance(move.to, dict):
                assert set(move.to) == set(move.by)


def test_every_api_action_is_reachable_somewhere():
    used = {action for moves in transitions.TABLE.values() for action in moves}
    assert set(transitions.API_ACTIONS) <= used
    assert set(transitions.INTERNAL_ACTIONS) <= used


def test_finished_states_allow_nothing_but_notes_and_reopening():
    assert transitions.TABLE[DisputeStatus.CANCELLED] == {}
    assert set(transitions.TABLE[DisputeStatus.CLOSED]) == {"note", "reopen"}


def test_reason_codes_are_exactly_api_md():
    # API.md's codes, plus issue 8's "part of the order is missing" in both kinds.
    assert REASONS_BY_KIND["problem"] == (
        "tracking_invalid", "not_received", "damaged", "wrong_item", "not_as_described",
        "missing_item", "customs_hold", "other",
    )  # fmt: skip
    assert REASONS_BY_KIND["refund"] == (
        "damaged", "customer_wrong_size", "not_as_described", "supplier_wrong_size",
        "missing_item", "not_received", "no_tracking", "out_of_stock", "oversized",
        "shipping_delayed", "supplier_unresponsive", "customer_cancelled", "wrong_address",
    )  # fmt: skip
    assert set(Reason.values) == set(REASONS_BY_KIND["problem"]) | set(REASONS_BY_KIND["refund"])
    assert all(label != value for value, label in Reason.choices)


def test_only_the_transition_machinery_assigns_status():
    # STYLE.md, "State changes": a status set anywhere else skips the lock, the table
    # check and the timeline event.
    allowed = {DISPUTES / "services" / "transition_machinery.py"}
    pattern = re.compile(r"dispute\w*\.status\s*=[^=]|\.set\(\s*status=|update\(\s*status=")
    offenders = [
        str(path.relative_to(DISPUTES))
        for path in DISPUTES.rglob("*.py")
        if "tests" not in path.parts
        and "migrations" not in path.parts
        and path not in allowed
        and pattern.search(path.read_text())
    ]
    assert offenders == []


def test_allowed_actions_are_exactly_the_actions_without_a_refusal(world, disputes):
    # Every state, every caller (and a caller of another tenant): the quick answer of the
    # lists is the same as asking `refusal` action by action.
    states = [*DisputeStatus.values, "resolution_proposed_by_merchant"]
    callers = ["acme_owner", "acme_agent", "acme_viewer", "shenzhen_agent", "globex_owner"]
    for state in states:
        dispute = disputes.in_state(state)
        for caller in callers:
            actor = disputes.actor(caller)
            expected = [
                action
                for action in transitions.API_ACTIONS
                if actor.can_work and transitions.refusal(dispute, actor, action) is None
            ]
            assert transitions.allowed_actions(dispute, actor) == expected, (state, caller)


def test_only_the_transition_machinery_writes_timeline_events_and_proposals():
    # One timeline writer: a rule's notice and an arbitrated or default resolution go
    # through the same Change and proposal_add as a party's message or offer.
    allowed = {DISPUTES / "services" / "transition_machinery.py"}
    pattern = re.compile(
        r"(TimelineEvent|Proposal)\.(objects|cross_tenant_objects)\.(bulk_)?create"
    )
    offenders = [
        str(path.relative_to(DISPUTES))
        for path in DISPUTES.rglob("*.py")
        if "tests" not in path.parts
        and "migrations" not in path.parts
        and path not in allowed
        and pattern.search(path.read_text())
    ]
    assert offenders == []
    assert all(pattern.search(path.read_text()) for path in allowed)
