"""Proposals, acceptance, fulfilment (a reship is a real parcel), escalation, close/reopen."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from accounts.actors import Actor
from core.errors import InvalidTransition
from core.tenancy import cross_tenant_scope
from disputes.models import CostDefault, Proposal
from disputes.services import dispute_cancel_for_missing_evidence
from disputes.tests.samples import png_upload
from orders.models import Shipment

URL = "/api/v1/disputes/"


def post(world, caller, dispute, path, body=None):
    return world.client(caller).post(f"{URL}{dispute.pk}/{path}", body or {}, format="json")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"resolution": "partial_refund"}, "amount"),
        ({"resolution": "partial_refund", "amount": "25.01"}, "amount"),
        ({"resolution": "partial_refund", "amount": "0"}, "amount"),
        ({"resolution": "refund", "amount": "25.01"}, "amount"),
        ({"resolution": "reship", "amount": "3.00"}, "amount"),
        ({"resolution": "store_credit"}, "amount"),
        ({"resolution": "compensation", "amount": "99"}, "amount"),
        ({"resolution": "rejection"}, "resolution"),
        ({"resolution": "bribe"}, "resolution"),
        ({"resolution": "reship", "fault": "aliens"}, "fault"),
        (
            {"resolution": "return_refund", "rma_number": "R1", "restocking_fee_percent": "10"},
            "restocking_fee_percent",
        ),
        (
            {
                "resolution": "return_refund",
                "rma_number": "R1",
                "fault": "customer",
                "restocking_fee_percent": "50.01",
            },
            "restocking_fee_percent",
        ),
    ],
)
def test_bad_proposals_are_400_and_change_nothing(world, disputes, body, field):
    dispute = disputes.open()  # two lines worth 25.00
    response = post(world, "shenzhen_agent", dispute, "proposals/", body)
    assert response.status_code == 400
    assert field in response.json()
    assert disputes.refresh(dispute).status == "awaiting_supplier"
    with cross_tenant_scope(reason="test"):
        assert not Proposal.cross_tenant_objects.filter(dispute=dispute).exists()


def test_full_refund_is_what_was_paid(world, disputes):
    dispute = disputes.open()
    response = post(world, "shenzhen_agent", dispute, "proposals/", {"resolution": "refund"})
    assert response.status_code == 201
    assert response.json()["amount"] == "25.00"
    assert response.json()["proposed_by"] == "supplier"
    assert response.json()["status"] == "open"


def test_unset_fault_and_cost_bearers_are_null_not_empty_strings(world, disputes):
    dispute = disputes.open()
    proposal = post(world, "shenzhen_agent", dispute, "proposals/", {"resolution": "refund"})
    body = proposal.json()
    assert (body["fault"], body["return_shipping_paid_by"], body["restocking_paid_by"]) == (
        None,
        None,
        None,
    )
    shown = world.client("acme_owner").get(f"{URL}{dispute.pk}/").json()["open_proposal"]
    assert shown["fault"] is None
    assert shown["rma_number"] == ""


def test_return_with_restocking_fee_when_the_customer_is_at_fault(world, disputes):
    dispute = disputes.open(kind="refund", reason="customer_wrong_size")
    body = {
        "resolution": "return_refund",
        "rma_number": "RMA-2024-77",
        "fault": "customer",
        "restocking_fee_percent": "15",
    }
    proposal = post(world, "shenzhen_agent", dispute, "proposals/", body).json()
    # The defaults for a customer's fault: the customer bears return and restocking.
    assert proposal["return_shipping_paid_by"] == "customer"
    assert proposal["restocking_paid_by"] == "customer"
    assert proposal["restocking_fee_percent"] == "15.00"
    # The merchant overrides the cost split for this dispute when accepting.
    answer = post(
        world,
        "acme_agent",
        dispute,
        f"proposals/{proposal['id']}/accept/",
        {"return_shipping_paid_by": "merchant"},
    ).json()
    assert answer["status"] == "resolution_accepted"
    assert answer["resolution"]["return_shipping_paid_by"] == "merchant"
    assert answer["resolution"]["restocking_paid_by"] == "customer"


def test_merchant_cost_table_sets_the_defaults(world, disputes):
    CostDefault.cross_tenant_objects.create(
        merchant=world.acme,
        fault="carrier",
        return_shipping_paid_by="merchant",
        restocking_paid_by="merchant",
    )
    dispute = disputes.open()
    proposal = post(
        world, "acme_agent", dispute, "proposals/", {"resolution": "reship", "fault": "carrier"}
    ).json()
    assert proposal["return_shipping_paid_by"] == "merchant"
    other = disputes.open("globex_owner")
    proposal = post(
        world, "globex_owner", other, "proposals/", {"resolution": "reship", "fault": "carrier"}
    ).json()
    assert proposal["return_shipping_paid_by"] == "supplier"


def test_only_the_merchant_overrides_costs(world, disputes):
    dispute = disputes.open()
    proposal = post(world, "acme_agent", dispute, "proposals/", {"resolution": "reship"}).json()
    response = post(
        world,
        "shenzhen_agent",
        dispute,
        f"proposals/{proposal['id']}/accept/",
        {"return_shipping_paid_by": "supplier"},
    )
    assert response.status_code == 403


def test_counter_proposal_supersedes_and_an_old_one_cannot_be_accepted(world, disputes):
    dispute = disputes.open()
    first = post(world, "shenzhen_agent", dispute, "proposals/", {"resolution": "reship"}).json()
    counter = post(
        world, "acme_agent", dispute, "proposals/", {"resolution": "partial_refund", "amount": "10"}
    ).json()
    proposals = world.client("acme_agent").get(f"{URL}{dispute.pk}/proposals/").json()
    assert [(p["id"], p["status"]) for p in proposals] == [
        (first["id"], "superseded"),
        (counter["id"], "open"),
    ]
    stale = post(world, "acme_agent", dispute, f"proposals/{first['id']}/accept/")
    assert stale.status_code == 409
    timeline = world.client("acme_agent").get(f"{URL}{dispute.pk}/timeline/").json()["results"]
    assert timeline[-1]["body"] == "Counter-proposal: partial refund ($10.00)."


def test_accepting_twice_is_409(world, disputes):
    dispute = disputes.in_state("resolution_proposed")
    proposal = disputes.refresh(dispute).open_proposal
    assert post(world, "acme_agent", dispute, f"proposals/{proposal.pk}/accept/").status_code == 200
    again = post(world, "acme_owner", dispute, f"proposals/{proposal.pk}/accept/")
    assert again.status_code == 409
    assert "no longer open" in again.json()["detail"]


def test_reject_hands_the_turn_back_to_the_proposer(world, disputes):
    dispute = disputes.in_state("resolution_proposed")
    proposal = disputes.refresh(dispute).open_proposal
    answer = post(
        world, "acme_agent", dispute, f"proposals/{proposal.pk}/reject/", {"note": "Too little"}
    ).json()
    assert answer["status"] == "awaiting_supplier"
    assert answer["respond_by"] is not None


def test_reship_fulfilment_creates_a_real_shipment_on_the_order(world, disputes):
    dispute = disputes.open(kind="problem", reason="wrong_item")
    # A wrong item needs a photo before the supplier is asked to act.
    world.client("acme_agent").post(
        f"{URL}{dispute.pk}/attachments/", {"file": png_upload()}, format="multipart"
    )
    proposal = post(world, "shenzhen_agent", dispute, "proposals/", {"resolution": "reship"})
    post(world, "acme_agent", dispute, f"proposals/{proposal.json()['id']}/accept/")
    missing = post(world, "shenzhen_agent", dispute, "fulfil/", {"refund_reference": "X"})
    assert missing.status_code == 400
    assert "tracking_number" in missing.json()
    answer = post(
        world,
        "shenzhen_agent",
        dispute,
        "fulfil/",
        {"carrier": "ups", "tracking_number": "1Z999AA10123456784"},
    )
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["status"] == "resolved"
    assert body["resolve_by"] is None
    fulfilment = body["resolution"]["fulfilment"]
    assert fulfilment["tracking_number"] == "1Z999AA10123456784"
    with cross_tenant_scope(reason="test"):
        shipment = Shipment.cross_tenant_objects.get(pk=fulfilment["shipment"])
        assert shipment.order_id == dispute.order_id
        assert shipment.supplier_id == world.shenzhen.pk
        assert set(shipment.lines.values_list("pk", flat=True)) == {
            line.pk for line in disputes.lines(dispute.order)
        }


def test_refund_fulfilment_needs_a_reference(world, disputes):
    dispute = disputes.in_state("resolution_accepted")
    assert post(world, "shenzhen_agent", dispute, "fulfil/", {}).status_code == 400
    answer = post(world, "shenzhen_agent", dispute, "fulfil/", {"refund_reference": "PP-123"})
    assert answer.json()["resolution"]["fulfilment"]["refund_reference"] == "PP-123"


def test_problem_escalates_to_refund_on_the_same_timeline(world, disputes):
    dispute = disputes.open(kind="problem", reason="tracking_invalid")
    answer = post(world, "acme_agent", dispute, "escalate/", {"to": "refund", "note": "7 days"})
    body = answer.json()
    assert (body["id"], body["number"]) == (str(dispute.pk), dispute.number)
    assert (body["kind"], body["reason"]) == ("refund", "no_tracking")
    assert body["requested_amount"] == "25.00"
    # The problem's 7-day deadline ends with it; a no-tracking refund request has none.
    assert body["resolve_by"] is None
    events = world.client("shenzhen_agent").get(f"{URL}{dispute.pk}/timeline/").json()["results"]
    assert events[-1]["type"] == "escalation"
    assert events[-1]["body"].startswith("Escalated to a refund request")
    assert "7 days" in events[-1]["body"]
    # Now it can go to arbitration, and the supplier may ask for it too.
    answer = post(world, "shenzhen_agent", dispute, "escalate/", {"to": "arbitration"})
    assert answer.json()["status"] == "in_arbitration"
    assert answer.json()["respond_by"] is None


def test_escalation_to_refund_with_a_reason_of_the_wrong_kind_is_400(world, disputes):
    dispute = disputes.open(kind="problem")
    response = post(world, "acme_agent", dispute, "escalate/", {"to": "refund", "reason": "other"})
    assert response.status_code == 400
    response = post(world, "acme_agent", dispute, "escalate/", {"to": "moon"})
    assert response.status_code == 400


def test_reopen_within_thirty_days_only(world, disputes):
    dispute = disputes.in_state("closed")
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        late = post(world, "acme_agent", dispute, "reopen/")
        assert late.status_code == 409
        assert "30 days" in late.json()["detail"]
    with time_machine.travel(timezone.now() + timedelta(days=29)):
        answer = post(world, "acme_agent", dispute, "reopen/")
        assert answer.status_code == 200
        assert answer.json()["status"] == "awaiting_supplier"


def test_reopen_refused_when_the_lines_have_a_new_dispute(world, disputes):
    dispute = disputes.in_state("closed")
    newer = disputes.open(order=dispute.order)
    response = post(world, "acme_agent", dispute, "reopen/")
    assert response.status_code == 409
    assert response.json()["dispute"]["number"] == newer.number


def test_supplier_waiting_time_is_not_reset_by_a_second_merchant_message(world, disputes):
    dispute = disputes.open()
    respond_by = disputes.refresh(dispute).respond_by
    with time_machine.travel(timezone.now() + timedelta(hours=5)):
        post(world, "acme_agent", dispute, "messages/", {"body": "Any news?"})
    assert disputes.refresh(dispute).respond_by == respond_by
    post(world, "shenzhen_agent", dispute, "messages/", {"body": "Looking."})
    # The merchant's turn now: due when the dispute would close for want of an answer.
    merchant_due = disputes.refresh(dispute).respond_by
    assert merchant_due - timezone.now() > timedelta(days=13)
    with time_machine.travel(timezone.now() + timedelta(hours=5)):
        post(world, "acme_agent", dispute, "messages/", {"body": "And?"})
        expected = timezone.now() + timedelta(hours=48)
    assert abs(disputes.refresh(dispute).respond_by - expected) < timedelta(minutes=1)


def test_cancel_for_missing_evidence(world, disputes):
    dispute = disputes.in_state("awaiting_evidence")
    with cross_tenant_scope(reason="deadline sweep"):
        dispute_cancel_for_missing_evidence(actor=Actor.system(), dispute=dispute)
        dispute = disputes.refresh(dispute)
        assert dispute.status == "cancelled"
        assert dispute.cancelled_at is not None
        assert not dispute.dispute_lines.filter(is_open=True).exists()
        with pytest.raises(InvalidTransition):
            dispute_cancel_for_missing_evidence(actor=Actor.system(), dispute=dispute)
    events = world.client("shenzhen_agent").get(f"{URL}{dispute.pk}/timeline/").json()["results"]
    assert events[-1]["type"] == "system"
    assert "not attached in time" in events[-1]["body"]
    # Merchant staff cannot use the timer's action.
    other = disputes.in_state("awaiting_evidence")
    with pytest.raises(Exception, match="role"), disputes.acting("acme_owner") as actor:
        dispute_cancel_for_missing_evidence(actor=actor, dispute=disputes.refresh(other))


def test_money_is_decimal_strings_with_currency(world, disputes):
    dispute = disputes.open(kind="refund", reason="no_tracking", requested_amount=Decimal("7.5"))
    body = world.client("acme_agent").get(f"{URL}{dispute.pk}/").json()
    assert (body["requested_amount"], body["currency"]) == ("7.50", "USD")


def test_a_refund_may_be_of_the_requested_amount_and_a_return_needs_no_rma_yet(world, disputes):
    # API.md's proposal body is {"resolution", "amount"?, "note"?}: nothing more is required.
    dispute = disputes.open()  # two lines worth 25.00
    response = post(
        world, "shenzhen_agent", dispute, "proposals/", {"resolution": "refund", "amount": "10.00"}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["amount"] == "10.00"
    other = disputes.open(order=disputes.order())
    response = post(world, "shenzhen_agent", other, "proposals/", {"resolution": "return_refund"})
    assert response.status_code == 201, response.json()
