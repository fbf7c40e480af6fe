"""Every action in every state, by each kind of caller, through the API.

The expectations below are written out by hand from the product rules, not derived from
transitions.TABLE: the test checks the table, the services and the API against them.
"""

import pytest

from core.tenancy import cross_tenant_scope
from disputes.models import Proposal, TimelineEvent
from disputes.tests.conftest import MERCHANT_PROPOSED
from disputes.tests.samples import png_upload

URL = "/api/v1/disputes/"

EVERYDAY = ["message", "note", "attach"]
SUPPLIER_EVERYDAY = ["message", "attach"]
# (state of a refund request) -> (merchant's actions, supplier's actions)
REFUND_EXPECTED = {
    "awaiting_evidence": ([*EVERYDAY, "close"], SUPPLIER_EVERYDAY),
    "awaiting_supplier": (
        [*EVERYDAY, "propose", "escalate_to_arbitration", "close"],
        [*SUPPLIER_EVERYDAY, "propose", "escalate_to_arbitration"],
    ),
    "awaiting_merchant": (
        [*EVERYDAY, "propose", "escalate_to_arbitration", "close"],
        [*SUPPLIER_EVERYDAY, "propose", "escalate_to_arbitration"],
    ),
    "resolution_proposed": (
        [*EVERYDAY, "propose", "accept", "reject", "escalate_to_arbitration", "close"],
        [*SUPPLIER_EVERYDAY, "propose", "escalate_to_arbitration"],
    ),
    MERCHANT_PROPOSED: (
        [*EVERYDAY, "propose", "escalate_to_arbitration", "close"],
        [*SUPPLIER_EVERYDAY, "propose", "accept", "reject", "escalate_to_arbitration"],
    ),
    "resolution_accepted": (
        [*EVERYDAY, "escalate_to_arbitration", "close"],
        [*SUPPLIER_EVERYDAY, "fulfil"],
    ),
    "in_arbitration": ([*EVERYDAY, "close"], SUPPLIER_EVERYDAY),
    "resolved": ([*EVERYDAY, "close"], SUPPLIER_EVERYDAY),
    "closed": (["note", "reopen"], []),
    "cancelled": ([], []),
}
# A problem report cannot go to arbitration; the merchant escalates it to a refund request.
PROBLEM_EXPECTED = {
    state: (
        [
            "escalate_to_refund" if action == "escalate_to_arbitration" else action
            for action in merchant
        ],
        [action for action in supplier if action != "escalate_to_arbitration"],
    )
    for state, (merchant, supplier) in REFUND_EXPECTED.items()
    if state != "in_arbitration"
}
for _state in ("awaiting_evidence",):
    merchant, supplier = PROBLEM_EXPECTED[_state]
    PROBLEM_EXPECTED[_state] = ([*merchant[:3], "escalate_to_refund", *merchant[3:]], supplier)
ORDER = [
    "message", "note", "attach", "propose", "accept", "reject", "fulfil",
    "escalate_to_refund", "escalate_to_arbitration", "close", "reopen",
]  # fmt: skip
for table in (REFUND_EXPECTED, PROBLEM_EXPECTED):
    for _state, (merchant, supplier) in table.items():
        table[_state] = (sorted(merchant, key=ORDER.index), sorted(supplier, key=ORDER.index))

# Actions a party may never take: refused with 403 rather than 409.
NEVER = {
    "merchant": {"fulfil"},
    "supplier": {"note", "escalate_to_refund", "close", "reopen"},
}
# What the state becomes after a successful action (None: unchanged).
NEXT = {
    # The merchant's photo is the evidence the reason needed: now the supplier is asked.
    ("attach", "merchant", "awaiting_evidence"): "awaiting_supplier",
    ("message", "supplier", "awaiting_supplier"): "awaiting_merchant",
    ("message", "merchant", "awaiting_merchant"): "awaiting_supplier",
    ("propose", None, None): "resolution_proposed",
    ("accept", None, None): "resolution_accepted",
    ("reject", "merchant", None): "awaiting_supplier",
    ("reject", "supplier", None): "awaiting_merchant",
    ("fulfil", None, None): "resolved",
    ("escalate_to_arbitration", None, None): "in_arbitration",
    ("close", None, None): "closed",
    ("reopen", None, None): "awaiting_supplier",
}
CALLERS = {"acme_agent": "merchant", "shenzhen_agent": "supplier", "acme_viewer": "viewer"}


def expected_next(action, party, state):
    for key in ((action, party, state), (action, party, None), (action, None, None)):
        if key in NEXT:
            return NEXT[key]
    return "resolution_proposed" if state == MERCHANT_PROPOSED else state


def perform(client, dispute, action):
    base = f"{URL}{dispute.pk}/"
    with cross_tenant_scope(reason="test"):
        proposal = Proposal.cross_tenant_objects.filter(dispute=dispute).order_by("-created_at")
        proposal = proposal.first()
    if action in ("accept", "reject"):
        if proposal is None:
            return None
        return client.post(f"{base}proposals/{proposal.pk}/{action}/", {}, format="json")
    if action == "attach":
        return client.post(f"{base}attachments/", {"file": png_upload()}, format="multipart")
    requests = {
        "message": ("messages/", {"body": "Any news?"}),
        "note": ("messages/", {"body": "Customer is a regular.", "internal": True}),
        "propose": ("proposals/", {"resolution": "partial_refund", "amount": "5.00"}),
        "fulfil": ("fulfil/", {"refund_reference": "PAY-77"}),
        "escalate_to_refund": ("escalate/", {"to": "refund"}),
        "escalate_to_arbitration": ("escalate/", {"to": "arbitration", "note": "No answer."}),
        "close": ("close/", {}),
        "reopen": ("reopen/", {}),
    }
    path, body = requests[action]
    return client.post(base + path, body, format="json")


def snapshot(disputes, dispute):
    dispute = disputes.refresh(dispute)
    with cross_tenant_scope(reason="test"):
        events = TimelineEvent.cross_tenant_objects.filter(dispute=dispute).count()
    return dispute.status, dispute.kind, events


def run_matrix(world, disputes, kind, state, caller, action, expected_table):
    dispute = disputes.in_state(state, kind=kind)
    party = CALLERS[caller]
    client = world.client(caller)
    # allowed_actions says exactly what the caller may do.
    detail = client.get(f"{URL}{dispute.pk}/").json()
    allowed = [] if party == "viewer" else expected_table[state][party == "supplier"]
    assert detail["allowed_actions"] == allowed
    before = snapshot(disputes, dispute)
    response = perform(client, dispute, action)
    if response is None:  # accept/reject with no proposal at all: nothing to name
        assert action not in allowed
        return
    if action in allowed:
        assert response.status_code in (200, 201), response.json()
        status, kind_after, events = snapshot(disputes, dispute)
        assert status == expected_next(action, party, state)
        assert events > before[2], "every transition writes a timeline event"
        if action == "escalate_to_refund":
            assert kind_after == "refund"
    else:
        never = party == "viewer" or action in NEVER[party]
        assert response.status_code == (403 if never else 409), (response.status_code, action)
        assert response.json()["detail"]
        assert snapshot(disputes, dispute) == before, "a refused action changes nothing"


@pytest.mark.parametrize("caller", ["acme_agent", "shenzhen_agent"])
@pytest.mark.parametrize("state", list(REFUND_EXPECTED))
@pytest.mark.parametrize("action", ORDER)
def test_refund_request_action_matrix(world, disputes, state, caller, action):
    run_matrix(world, disputes, "refund", state, caller, action, REFUND_EXPECTED)


@pytest.mark.parametrize("state", list(REFUND_EXPECTED))
def test_viewer_can_do_nothing_in_any_state(world, disputes, state):
    dispute = disputes.in_state(state)
    client = world.client("acme_viewer")
    assert client.get(f"{URL}{dispute.pk}/").json()["allowed_actions"] == []
    before = snapshot(disputes, dispute)
    for action in ORDER:
        response = perform(client, dispute, action)
        if response is not None:
            assert response.status_code == 403, action
    assert snapshot(disputes, dispute) == before


@pytest.mark.parametrize("caller", ["acme_agent", "shenzhen_agent"])
@pytest.mark.parametrize("state", list(PROBLEM_EXPECTED))
@pytest.mark.parametrize("action", ["escalate_to_refund", "escalate_to_arbitration", "propose"])
def test_problem_report_escalations(world, disputes, state, caller, action):
    run_matrix(world, disputes, "problem", state, caller, action, PROBLEM_EXPECTED)


@pytest.mark.parametrize("caller", ["acme_owner", "acme_manager", "acme_agent"])
def test_every_merchant_worker_role_has_the_same_actions(world, disputes, caller):
    dispute = disputes.in_state("awaiting_supplier")
    detail = world.client(caller).get(f"{URL}{dispute.pk}/").json()
    assert detail["allowed_actions"] == REFUND_EXPECTED["awaiting_supplier"][0]


@pytest.mark.parametrize("caller", ["shenzhen_admin", "shenzhen_agent"])
def test_every_supplier_role_has_the_same_actions(world, disputes, caller):
    dispute = disputes.in_state("resolution_accepted")
    detail = world.client(caller).get(f"{URL}{dispute.pk}/").json()
    assert detail["allowed_actions"] == REFUND_EXPECTED["resolution_accepted"][1]


def test_refused_transition_says_why(world, disputes):
    dispute = disputes.in_state("closed")
    response = world.client("acme_agent").post(
        f"{URL}{dispute.pk}/messages/", {"body": "hello"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["detail"] == "This is not possible while the dispute is closed."


def test_proposer_cannot_answer_its_own_proposal(world, disputes):
    dispute = disputes.in_state("resolution_proposed")
    proposal = disputes.refresh(dispute).open_proposal
    response = world.client("shenzhen_agent").post(
        f"{URL}{dispute.pk}/proposals/{proposal.pk}/accept/", {}, format="json"
    )
    assert response.status_code == 409
    assert "other party" in response.json()["detail"]
