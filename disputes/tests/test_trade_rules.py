"""Issue 8's dispute rules, as services enforce them, on a frozen clock.

Before-shipment reasons, a due time for every wait, arbitration decided once, evidence
reviewed before the verified-claim clock runs, and one open proposal per dispute.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.template import Context, Template
from django.utils import timezone

from accounts.actors import Actor
from core.errors import Conflict, InvalidTransition, ValidationFailed
from core.templatetags.due_times import countdown_text
from core.tenancy import cross_tenant_scope
from deadlines.models import Deadline, DeadlineState
from deadlines.services import deadline_sweep
from disputes import services, transitions
from disputes.models import Dispute, Proposal, ProposalStatus, TimelineEvent
from disputes.tests.samples import png_upload
from notifications.models import Notification

START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)  # a Monday, no holiday near
PRE_SHIPMENT_ONLY = ["out_of_stock", "oversized", "shipping_delayed", "supplier_unresponsive"]
INTERCEPTABLE = ["customer_cancelled", "wrong_address"]


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def shipped_order(disputes, **fields):
    order = disputes.order(**fields)
    with cross_tenant_scope(reason="test"):
        order.lines.update(shipped_at=timezone.now() - timedelta(days=2))
    return order


def pending(dispute, rule):
    with cross_tenant_scope(reason="test"):
        rows = Deadline.cross_tenant_objects.filter(
            subject_id=str(dispute.pk), state=DeadlineState.PENDING, rule=rule
        )
        return [row.due_at for row in rows]


def dispute_count():
    with cross_tenant_scope(reason="test"):
        return Dispute.cross_tenant_objects.count()


def with_evidence(disputes, *, kind="refund", reason="damaged"):
    """A claim that needs evidence, with the merchant's photo attached (not yet reviewed)."""
    dispute = disputes.open(kind=kind, reason=reason)
    disputes.call("acme_agent", services.dispute_attachment_add, dispute, upload=png_upload())
    return disputes.refresh(dispute)


# 1. Before-shipment reasons only before shipment


@pytest.mark.parametrize("reason", PRE_SHIPMENT_ONLY)
def test_before_shipment_reason_is_refused_on_a_shipped_line(clock, disputes, reason):
    order = shipped_order(disputes, ship_country="CN")  # even a domestic parcel
    before = dispute_count()
    with pytest.raises(ValidationFailed) as refused:
        disputes.open(order=order, kind="refund", reason=reason)
    message = str(refused.value.message)
    assert f"{reason} applies only before shipment" in message
    # It says which reasons fit a shipped line, and those only.
    fitting = message.split("Reasons that fit a shipped line: ")[1]
    assert "damaged" in fitting
    assert "not_received" in fitting
    assert reason not in fitting
    assert refused.value.field_errors["reason"] == [message]
    assert dispute_count() == before


@pytest.mark.parametrize("reason", PRE_SHIPMENT_ONLY + INTERCEPTABLE)
def test_before_shipment_reasons_open_while_the_line_is_unshipped(clock, disputes, reason):
    dispute = disputes.open(kind="refund", reason=reason)
    assert disputes.refresh(dispute).status == "awaiting_supplier"


@pytest.mark.parametrize("reason", INTERCEPTABLE)
def test_cancel_or_wrong_address_on_a_shipped_domestic_parcel_opens(clock, disputes, reason):
    # The supplier ships from China to a Chinese address: the carrier can still intercept.
    order = shipped_order(disputes, ship_country="CN")
    dispute = disputes.open(order=order, kind="refund", reason=reason)
    assert disputes.refresh(dispute).status == "awaiting_supplier"


@pytest.mark.parametrize("reason", INTERCEPTABLE)
def test_cancel_or_wrong_address_on_a_shipped_international_parcel_is_refused(
    clock, disputes, reason
):
    # The merchant and the customer are both in the US, but the parcel left China: it is
    # international for the carrier, whatever the order's merchant-side flag says.
    order = shipped_order(disputes, ship_country="US", is_international=False)
    before = dispute_count()
    with pytest.raises(ValidationFailed) as refused:
        disputes.open(order=order, kind="refund", reason=reason)
    message = str(refused.value.message)
    assert "from CN to US" in message
    assert "cannot be intercepted once it has shipped" in message
    assert reason not in message.split("Reasons that fit a shipped line: ")[1]
    assert dispute_count() == before


def test_a_supplier_without_a_country_falls_back_to_the_orders_own_flag(clock, disputes, world):
    world.shenzhen.country = ""
    world.shenzhen.save(update_fields=["country"])
    domestic = shipped_order(disputes, ship_country="CN", is_international=False)
    assert disputes.open(order=domestic, kind="refund", reason="wrong_address")
    abroad = shipped_order(disputes, ship_country="CN", is_international=True)
    with pytest.raises(ValidationFailed):
        disputes.open(order=abroad, kind="refund", reason="wrong_address")


# 2. Every wait has a due time


def test_while_evidence_is_awaited_respond_by_is_the_merchants_evidence_deadline(clock, disputes):
    dispute = disputes.refresh(disputes.open(kind="refund", reason="damaged"))
    assert dispute.status == "awaiting_evidence"
    assert dispute.respond_by == START + timedelta(days=3)
    assert pending(dispute, "missing-evidence") == [dispute.respond_by]


@pytest.mark.parametrize(
    "status",
    [
        "awaiting_evidence",
        "awaiting_supplier",
        "awaiting_merchant",
        "resolution_proposed",
        "resolution_proposed_by_merchant",
        "resolution_accepted",
    ],
)
@pytest.mark.parametrize("kind", ["problem", "refund"])
def test_every_state_someone_waits_in_has_a_due_time(clock, disputes, status, kind):
    dispute = disputes.in_state(status, kind=kind)
    assert dispute.respond_by is not None, (status, kind)
    assert dispute.respond_by >= START


@pytest.mark.parametrize("status", ["in_arbitration", "resolved", "closed", "cancelled"])
def test_nobody_waits_so_nothing_is_due(clock, disputes, status):
    dispute = disputes.in_state(status)
    assert (dispute.respond_by, dispute.resolve_by) == (None, None)


@pytest.mark.parametrize(
    ("offset", "text"),
    [
        (timedelta(days=2, hours=5), "2 days left"),
        (timedelta(hours=30), "30 h left"),
        (timedelta(minutes=20), "20 min left"),
        (-timedelta(hours=3, minutes=10), "overdue by 3 h"),
        (-timedelta(days=4), "overdue by 4 days"),
    ],
)
def test_due_times_read_as_a_countdown(offset, text):
    assert countdown_text(START + offset, START) == text


def test_the_due_tag_shows_the_exact_time_on_hover(clock):
    rendered = Template("{% load due_times %}{% due when %}").render(
        Context({"when": START - timedelta(hours=3)})
    )
    assert 'class="due overdue"' in rendered
    assert 'datetime="2027-03-01T06:00:00+00:00"' in rendered
    assert 'title="March 1, 2027, 6 a.m."' in rendered
    assert ">overdue by 3 h</time>" in rendered
    assert Template("{% load due_times %}{% due when %}").render(Context({"when": None})) == ""


# 3. Arbitration is decided once


def decided(disputes, world, dispute, decision="refund"):
    with cross_tenant_scope(reason="test"):
        services.dispute_arbitrate(
            actor=Actor.platform(user=world.users["acme_owner"]),
            dispute=disputes.refresh(dispute),
            decision=decision,
            reason="Seen.",
        )
    return disputes.refresh(dispute)


@pytest.mark.parametrize("decision", ["refund", "rejection"])
def test_after_the_platform_decided_nobody_asks_for_arbitration_again(
    clock, disputes, world, decision
):
    dispute = decided(disputes, world, disputes.in_state("in_arbitration"), decision)
    assert dispute.arbitrated_at == START
    if decision == "rejection":
        # Even reopened after closing, the decision stands.
        disputes.call("acme_agent", services.dispute_close, dispute)
        disputes.call("acme_agent", services.dispute_reopen, dispute)
        dispute = disputes.refresh(dispute)
        assert dispute.status == "awaiting_supplier"
    for caller in ("acme_agent", "shenzhen_agent"):
        assert "escalate_to_arbitration" not in transitions.allowed_actions(
            dispute, disputes.actor(caller)
        )
    with pytest.raises(InvalidTransition, match="already decided"):
        disputes.call("acme_agent", services.dispute_escalate, dispute, to="arbitration")
    assert disputes.refresh(dispute).status == dispute.status


def test_an_arbitrated_refund_left_undone_stays_overdue_instead_of_a_second_arbitration(
    clock, disputes, world
):
    dispute = decided(disputes, world, disputes.in_state("in_arbitration"))
    assert dispute.status == "resolution_accepted"
    assert dispute.respond_by is not None  # the refund-execution deadline
    clock.move_to(dispute.respond_by + timedelta(minutes=1))
    deadline_sweep()
    dispute = disputes.refresh(dispute)
    assert dispute.status == "resolution_accepted"
    assert dispute.is_overdue


def test_asking_for_arbitration_twice_while_it_is_pending_is_refused(clock, disputes):
    dispute = disputes.in_state("in_arbitration")
    for caller in ("acme_agent", "shenzhen_agent"):
        with pytest.raises(InvalidTransition):
            disputes.call(caller, services.dispute_escalate, dispute, to="arbitration")
    with cross_tenant_scope(reason="test"):
        asked = TimelineEvent.cross_tenant_objects.filter(
            dispute=dispute, data__code="escalated_to_arbitration"
        )
        assert asked.count() == 1


# 4. Evidence is reviewed, then the 15 business days run


def test_evidence_received_is_not_verified_until_the_supplier_accepts_it(clock, disputes):
    dispute = with_evidence(disputes)
    assert dispute.status == "awaiting_supplier"
    assert dispute.evidence_received_at == START
    assert pending(dispute, "verified-claim") == []
    supplier = disputes.actor("shenzhen_agent")
    assert {"accept_evidence", "request_evidence"} <= set(
        transitions.allowed_actions(dispute, supplier)
    )
    assert "accept_evidence" not in transitions.allowed_actions(
        dispute, disputes.actor("acme_agent")
    )
    clock.move_to(START + timedelta(days=2))  # Wednesday 3 March
    disputes.call("shenzhen_agent", services.dispute_evidence_accept, dispute)
    dispute = disputes.refresh(dispute)
    assert dispute.evidence_accepted_at == START + timedelta(days=2)
    # 15 business days from the acceptance, not from the upload.
    due = datetime(2027, 3, 24, 9, 0, tzinfo=UTC)
    assert pending(dispute, "verified-claim") == [due]
    assert dispute.resolve_by == due
    assert "accept_evidence" not in transitions.allowed_actions(dispute, supplier)
    with pytest.raises(InvalidTransition, match="already accepted"):
        disputes.call("shenzhen_agent", services.dispute_evidence_accept, dispute)


def test_supplier_asks_for_more_evidence_and_the_evidence_deadline_restarts(clock, disputes):
    dispute = with_evidence(disputes)
    with pytest.raises(ValidationFailed):
        disputes.call("shenzhen_agent", services.dispute_evidence_request, dispute, message=" ")
    clock.move_to(START + timedelta(days=1))
    disputes.call(
        "shenzhen_agent",
        services.dispute_evidence_request,
        dispute,
        message="The crack is not visible; send a close-up.",
    )
    dispute = disputes.refresh(dispute)
    assert dispute.status == "awaiting_evidence"
    assert dispute.evidence_received_at is None
    # Three days again, from the request.
    assert pending(dispute, "missing-evidence") == [START + timedelta(days=4)]
    assert dispute.respond_by == START + timedelta(days=4)
    with cross_tenant_scope(reason="test"):
        event = TimelineEvent.cross_tenant_objects.get(
            dispute=dispute, data__code="evidence_requested"
        )
        assert event.body == "The crack is not visible; send a close-up."
        told = set(
            Notification.cross_tenant_objects.filter(
                event__dedup_key__startswith=f"dispute-event:{event.pk}:"
            ).values_list("user__email", flat=True)
        )
        bodies = set(
            Notification.cross_tenant_objects.filter(
                event__dedup_key__startswith=f"dispute-event:{event.pk}:"
            ).values_list("body", flat=True)
        )
    assert "acme_agent@example.test" in told
    assert not any(email.startswith("shenzhen") for email in told)
    assert bodies == {"The crack is not visible; send a close-up."}
    # A new photo puts it back in the supplier's hands, for review again.
    disputes.call("acme_agent", services.dispute_attachment_add, dispute, upload=png_upload())
    dispute = disputes.refresh(dispute)
    assert (dispute.status, dispute.evidence_received_at) == ("awaiting_supplier", timezone.now())


def test_the_operator_accepts_the_evidence_in_arbitration(clock, disputes, world):
    dispute = with_evidence(disputes)
    disputes.call("acme_agent", services.dispute_escalate, dispute, to="arbitration")
    operator = Actor.platform(user=world.users["acme_owner"])
    with cross_tenant_scope(reason="test"):
        services.dispute_evidence_accept(actor=operator, dispute=disputes.refresh(dispute))
    dispute = disputes.refresh(dispute)
    assert dispute.evidence_accepted_at == START
    # The clock stays paused while the platform decides, and runs once it did.
    assert pending(dispute, "verified-claim") == []
    with cross_tenant_scope(reason="test"):
        services.dispute_arbitrate(
            actor=operator, dispute=dispute, decision="refund", reason="The photo is clear."
        )
    assert len(pending(dispute, "verified-claim")) == 1


def test_parties_cannot_review_evidence_that_did_not_arrive(clock, disputes):
    dispute = disputes.in_state("awaiting_evidence")
    with pytest.raises(InvalidTransition):
        disputes.call("shenzhen_agent", services.dispute_evidence_accept, dispute)
    plain = disputes.in_state("awaiting_supplier")
    with pytest.raises(InvalidTransition, match="No evidence"):
        disputes.call("shenzhen_agent", services.dispute_evidence_accept, plain)


@pytest.mark.parametrize("kind", ["problem", "refund"])
def test_part_of_the_order_missing_needs_evidence_in_both_kinds(clock, disputes, kind):
    dispute = disputes.refresh(disputes.open(kind=kind, reason="missing_item"))
    assert (dispute.status, dispute.evidence_required) == ("awaiting_evidence", True)


# 5. Only one open proposal


def test_the_database_refuses_a_second_open_proposal(clock, disputes):
    dispute = disputes.in_state("resolution_proposed")
    with cross_tenant_scope(reason="test"), pytest.raises(IntegrityError), transaction.atomic():
        Proposal.cross_tenant_objects.create(
            merchant_id=dispute.merchant_id,
            supplier_id=dispute.supplier_id,
            dispute=dispute,
            resolution="reship",
            currency="USD",
            proposed_by_party="merchant",
        )


def test_a_proposal_racing_past_the_lock_is_a_conflict_not_an_error(clock, disputes):
    # An open proposal the dispute does not point at: what a writer that skipped the lock
    # would leave. The constraint, not luck, refuses the next one.
    dispute = disputes.in_state("awaiting_supplier")
    with cross_tenant_scope(reason="test"):
        Proposal.cross_tenant_objects.create(
            merchant_id=dispute.merchant_id,
            supplier_id=dispute.supplier_id,
            dispute=dispute,
            resolution="reship",
            currency="USD",
            proposed_by_party="supplier",
        )
    with pytest.raises(Conflict, match="already open"):
        disputes.call("acme_agent", services.proposal_create, dispute, resolution="refund")
    with cross_tenant_scope(reason="test"):
        assert Proposal.cross_tenant_objects.filter(dispute=dispute).count() == 1
    assert disputes.refresh(dispute).status == "awaiting_supplier"


def test_a_stale_proposal_answers_with_its_real_status(clock, disputes):
    dispute = disputes.in_state("resolution_proposed")
    offer = disputes.refresh(dispute).open_proposal
    disputes.call("acme_agent", services.proposal_create, dispute, resolution="reship")
    with pytest.raises(Conflict, match=r"no longer open \(it is superseded\)"):
        disputes.call("acme_agent", services.proposal_accept, dispute, proposal=offer)
    with cross_tenant_scope(reason="test"):
        assert Proposal.cross_tenant_objects.get(pk=offer.pk).status == ProposalStatus.SUPERSEDED
