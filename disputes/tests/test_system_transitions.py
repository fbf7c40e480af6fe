"""What the deadline timers (the system party) may do, through the same table."""

import pytest

from accounts.actors import Actor
from core.errors import InvalidTransition, PermissionDenied
from core.tenancy import cross_tenant_scope
from disputes import services


def as_system(service, dispute, **kwargs):
    with cross_tenant_scope(reason="deadline sweep"):
        return service(actor=Actor.system(), dispute=dispute, **kwargs)


def test_timer_escalates_a_problem_then_sends_an_ignored_refund_to_arbitration(disputes):
    dispute = disputes.open(kind="problem", reason="not_received")
    as_system(services.dispute_escalate, disputes.refresh(dispute), to="refund")
    dispute = disputes.refresh(dispute)
    assert (dispute.kind, dispute.status) == ("refund", "awaiting_supplier")
    as_system(services.dispute_escalate, dispute, to="arbitration")
    assert disputes.refresh(dispute).status == "in_arbitration"


def test_timer_sends_an_unfulfilled_refund_to_arbitration(disputes):
    dispute = disputes.in_state("resolution_accepted")
    as_system(services.dispute_escalate, dispute, to="arbitration")
    assert disputes.refresh(dispute).status == "in_arbitration"


@pytest.mark.parametrize("state", ["resolved", "awaiting_merchant"])
def test_timer_auto_closes_quiet_disputes(disputes, state):
    dispute = disputes.in_state(state)
    as_system(services.dispute_close, dispute)
    assert disputes.refresh(dispute).status == "closed"


def test_timer_does_not_close_a_dispute_waiting_for_the_supplier(disputes):
    dispute = disputes.in_state("awaiting_supplier")
    with pytest.raises(InvalidTransition):
        as_system(services.dispute_close, dispute)


def test_timer_cannot_write_messages_or_propose(disputes):
    dispute = disputes.in_state("awaiting_supplier")
    with pytest.raises(PermissionDenied):
        as_system(services.dispute_message_post, dispute, body="hello")
    with pytest.raises(PermissionDenied):
        as_system(services.proposal_create, dispute, resolution="refund")


def test_a_notice_takes_its_place_without_changing_the_state(world, disputes):
    dispute = disputes.in_state("awaiting_supplier")
    respond_by = dispute.respond_by
    as_system(
        services.dispute_notice_post,
        dispute,
        code="supplier_reminded",
        text="The supplier was reminded.",
    )
    dispute = disputes.refresh(dispute)
    assert (dispute.status, dispute.respond_by) == ("awaiting_supplier", respond_by)
    events = world.client("acme_agent").get(f"/api/v1/disputes/{dispute.pk}/timeline/").json()
    assert events["results"][-1]["type"] == "deadline"
    assert events["results"][-1]["body"] == "The supplier was reminded."
    assert events["results"][-1]["author"] == {"party": "system", "name": "Redress"}
