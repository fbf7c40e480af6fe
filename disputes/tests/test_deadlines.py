"""The dispute rules of DESIGN.md's deadline table, with a frozen clock and real sweeps."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.actors import Actor
from core.tenancy import cross_tenant_scope
from deadlines.models import Deadline, DeadlineState
from deadlines.services import deadline_sweep, rule_setting_update
from disputes import deadline_rules, services
from disputes import deadlines as dispute_deadlines
from disputes.models import Dispute, TimelineEvent
from disputes.tests.samples import png_upload
from orders.models import Shipment, ShipmentStatus
from orders.services import order_create
from orders.tests.factories import order_body

START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def sweep(clock, at):
    clock.move_to(at)
    return deadline_sweep()


def pending(dispute, rule=None):
    with cross_tenant_scope(reason="test"):
        rows = Deadline.cross_tenant_objects.filter(
            subject_id=str(dispute.pk), state=DeadlineState.PENDING
        )
        if rule:
            rows = rows.filter(rule=rule)
        return {(row.rule, row.key): row.due_at for row in rows}


def timeline(dispute):
    with cross_tenant_scope(reason="test"):
        return [
            (event.type, event.data.get("code", ""), event.data.get("rule", ""))
            for event in TimelineEvent.cross_tenant_objects.filter(dispute=dispute).order_by(
                "position"
            )
        ]


def setting(disputes, code, **changes):
    rule_setting_update(actor=disputes.actor("acme_owner"), code=code, partial=True, **changes)


def test_opening_schedules_the_supplier_response_and_the_problem_deadline(clock, disputes):
    dispute = disputes.refresh(disputes.open(kind="problem"))
    assert pending(dispute) == {
        ("supplier-response", "remind"): START + timedelta(hours=48),
        ("supplier-response", "escalate"): START + timedelta(hours=72),
        ("problem-deadline", ""): START + timedelta(days=7),
    }
    assert dispute.respond_by == START + timedelta(hours=48)
    assert dispute.resolve_by == START + timedelta(days=7)


def test_supplier_is_reminded_then_the_problem_escalates_to_a_refund_request(clock, disputes):
    dispute = disputes.open(kind="problem")
    assert sweep(clock, START + timedelta(hours=48, minutes=1)) == 1
    assert disputes.refresh(dispute).status == "awaiting_supplier"
    assert timeline(dispute)[-1] == ("deadline", "supplier_response_reminder", "supplier-response")
    sweep(clock, START + timedelta(hours=72, minutes=1))
    dispute = disputes.refresh(dispute)
    assert (dispute.kind, dispute.status) == ("refund", "awaiting_supplier")
    assert timeline(dispute)[-2:] == [
        ("deadline", "supplier_response_expired", "supplier-response"),
        ("escalation", "escalated_to_refund", ""),
    ]
    # The refund request has its own supplier clock; the problem's 7 days are gone.
    now = START + timedelta(hours=72, minutes=1)
    assert pending(dispute) == {
        ("supplier-response", "remind"): now + timedelta(hours=48),
        ("supplier-response", "escalate"): now + timedelta(hours=72),
    }
    assert dispute.respond_by == now + timedelta(hours=48)


def test_a_silent_supplier_sends_a_refund_request_to_arbitration_by_default(clock, disputes):
    dispute = disputes.open(kind="refund", reason="no_tracking")
    sweep(clock, START + timedelta(hours=72, minutes=1))
    dispute = disputes.refresh(dispute)
    assert dispute.status == "in_arbitration"
    assert ("escalation", "escalated_to_arbitration", "") in timeline(dispute)
    assert pending(dispute) == {}
    assert (dispute.respond_by, dispute.resolve_by) == (None, None)


def test_the_merchant_may_treat_a_silent_refund_request_as_accepted(clock, disputes):
    setting(disputes, "supplier-response", options={"silent_refund_request": "accept_refund"})
    dispute = disputes.open(kind="refund", reason="no_tracking")
    sweep(clock, START + timedelta(hours=72, minutes=1))
    dispute = disputes.refresh(dispute)
    assert dispute.status == "resolution_accepted"
    assert (dispute.resolution.resolution, str(dispute.resolution.amount)) == ("refund", "25.00")
    assert timeline(dispute)[-1] == ("status", "accepted_by_default", "supplier-response")
    assert set(pending(dispute)) == {("refund-execution", "")}


@pytest.fixture
def thanksgiving(world):
    # The supplier must carry the refund out: its calendar counts.
    world.shenzhen.country, world.shenzhen.time_zone = "US", "America/New_York"
    world.shenzhen.save(update_fields=["country", "time_zone"])
    # Wednesday before Thanksgiving (Thursday 26 November 2026, a US public holiday).
    with time_machine.travel(datetime(2026, 11, 25, 15, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


def test_refund_execution_counts_business_days_past_a_holiday_and_a_weekend(thanksgiving, disputes):
    dispute = disputes.in_state("resolution_accepted")
    # Thursday is a holiday, Friday is day 1, the weekend does not count, Monday is day 2.
    due = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
    assert pending(dispute) == {("refund-execution", ""): due}
    assert disputes.refresh(dispute).respond_by == due
    assert sweep(thanksgiving, due - timedelta(minutes=1)) == 0
    assert disputes.refresh(dispute).status == "resolution_accepted"
    sweep(thanksgiving, due + timedelta(minutes=1))
    assert disputes.refresh(dispute).status == "in_arbitration"
    assert ("deadline", "refund_not_carried_out", "refund-execution") in timeline(dispute)


@pytest.fixture
def spring_festival(world):
    # A merchant in Berlin, a supplier in Shenzhen; Wednesday 3 February 2027, 07:00 in
    # Shanghai is still Tuesday 2 February (23:00 UTC, 00:00 Berlin).
    world.acme.country, world.acme.time_zone = "DE", "Europe/Berlin"
    world.acme.save(update_fields=["country", "time_zone"])
    assert (world.shenzhen.country, world.shenzhen.time_zone) == ("CN", "Asia/Shanghai")
    accepted_at = datetime(2027, 2, 3, 7, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(accepted_at, tick=False) as traveller:
        yield traveller


def test_refund_execution_counts_the_suppliers_business_days_by_its_local_date(
    spring_festival, disputes
):
    dispute = disputes.in_state("resolution_accepted")
    # Thursday 4 February is day 1; New Year's Eve (Friday 5) to Wednesday 10 are the Spring
    # Festival holidays; Thursday 11 is day 2. Counted by the merchant's country and the UTC
    # date it would have fallen on Thursday 4, 23:00 UTC: New Year's Eve 07:00 in Shanghai.
    due = datetime(2027, 2, 11, 7, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert pending(dispute) == {("refund-execution", ""): due}
    assert disputes.refresh(dispute).respond_by == due
    with cross_tenant_scope(reason="test"):
        row = Deadline.cross_tenant_objects.get(subject_id=str(dispute.pk), rule="refund-execution")
    assert row.country == "CN"


@pytest.mark.parametrize("caller", ["acme_owner", "shenzhen_agent"])
def test_api_both_parties_read_the_suppliers_refund_due_time(
    spring_festival, disputes, world, caller
):
    dispute = disputes.in_state("resolution_accepted")
    body = world.client(caller).get(f"/api/v1/disputes/{dispute.pk}/").json()
    due = datetime(2027, 2, 11, 7, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert datetime.fromisoformat(body["respond_by"]) == due
    assert datetime.fromisoformat(body["resolve_by"]) == due


def test_a_verified_claim_counts_the_suppliers_business_days(spring_festival, disputes):
    dispute = disputes.open(kind="refund", reason="damaged")
    disputes.call("acme_agent", services.dispute_attachment_add, dispute, upload=png_upload())
    # The clock starts once the supplier accepts the evidence: 15 Chinese business days
    # from Wednesday 3 February 2027 (local date), past the Spring Festival week and its
    # make-up working days.
    disputes.call("shenzhen_agent", services.dispute_evidence_accept, dispute)
    due = pending(dispute, "verified-claim")[("verified-claim", "")]
    local = due.astimezone(ZoneInfo("Asia/Shanghai"))
    assert local.date() == expected_cn_business_day(date(2027, 2, 3), 15)
    assert (local.hour, local.minute) == (7, 0)


def expected_cn_business_day(start, days):
    calendar = holidays.country_holidays("CN", years=start.year)
    day = start
    while days:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            days -= 1
    return day


def test_a_refund_carried_out_in_time_cancels_its_deadline(clock, disputes):
    dispute = disputes.in_state("resolution_accepted")
    disputes.call("shenzhen_agent", services.dispute_fulfil, dispute, refund_reference="P-1")
    assert set(pending(dispute)) == {("auto-close", "resolved")}
    assert disputes.refresh(dispute).resolve_by is None


def test_an_unresolved_problem_becomes_a_refund_request_after_seven_days(clock, disputes):
    dispute = disputes.open(kind="problem")
    # The supplier answers, so only the problem's own deadline is left to act.
    disputes.call("shenzhen_agent", services.dispute_message_post, dispute, body="Checking.")
    # Now the merchant's turn, due when the dispute would close for want of an answer.
    assert disputes.refresh(dispute).respond_by == START + timedelta(days=14)
    assert ("supplier-response", "remind") not in pending(dispute)
    sweep(clock, START + timedelta(days=7, minutes=1))
    dispute = disputes.refresh(dispute)
    assert (dispute.kind, dispute.status) == ("refund", "awaiting_merchant")
    assert ("deadline", "problem_deadline_passed", "problem-deadline") in timeline(dispute)


def test_a_verified_claim_must_be_settled_within_fifteen_business_days(clock, disputes):
    dispute = disputes.open(kind="refund", reason="damaged")
    assert set(pending(dispute)) == {("missing-evidence", "")}
    disputes.call("acme_agent", services.dispute_attachment_add, dispute, upload=png_upload())
    dispute = disputes.refresh(dispute)
    assert dispute.status == "awaiting_supplier"
    # Received is not verified: the 15 business days run from the supplier's acceptance.
    assert pending(dispute, "verified-claim") == {}
    clock.shift(timedelta(days=2))
    disputes.call("shenzhen_agent", services.dispute_evidence_accept, dispute)
    dispute = disputes.refresh(dispute)
    due = datetime(2026, 3, 25, 10, 0, tzinfo=UTC)  # 15 weekdays after Wednesday 4 March
    assert pending(dispute, "verified-claim") == {("verified-claim", ""): due}
    assert dispute.resolve_by == due
    # The supplier answers with an offer nobody takes up: the clock keeps running (with
    # auto-close off, which would otherwise close it after the merchant's 14 silent days).
    setting(disputes, "auto-close", enabled=False)
    disputes.call("shenzhen_agent", services.proposal_create, dispute, resolution="reship")
    assert ("supplier-response", "remind") not in pending(dispute)
    sweep(clock, due + timedelta(minutes=1))
    dispute = disputes.refresh(dispute)
    assert dispute.status == "in_arbitration"
    assert ("deadline", "verified_claim_expired", "verified-claim") in timeline(dispute)


def test_delivered_but_not_received_asks_the_merchant_to_wait_a_day(clock, disputes, world):
    order = disputes.order()
    with cross_tenant_scope(reason="test"):
        shipment = Shipment.cross_tenant_objects.create(
            merchant=order.merchant,
            order=order,
            supplier=world.shenzhen,
            carrier="ups",
            tracking_number="1Z999AA10123456784",
            shipped_at=START - timedelta(days=5),
            status=ShipmentStatus.DELIVERED,
            delivered_at=START - timedelta(days=1),
        )
        shipment.lines.set(disputes.lines(order))
    dispute = disputes.refresh(disputes.open(order=order, kind="problem"))
    assert ("deadline", "delivered_check_address", "delivered-not-received") in timeline(dispute)
    # The supplier's clock starts when the wait is over.
    assert dispute.respond_by == START + timedelta(hours=24 + 48)
    sweep(clock, START + timedelta(hours=24, minutes=1))
    assert timeline(dispute)[-1] == ("deadline", "delivered_wait_over", "delivered-not-received")
    assert disputes.refresh(dispute).status == "awaiting_supplier"


def test_a_resolved_dispute_quiet_for_a_week_closes_with_a_notice(clock, disputes):
    dispute = disputes.in_state("resolved")
    clock.shift(timedelta(days=3))
    # Any activity restarts the quiet week.
    disputes.call("acme_agent", services.dispute_message_post, dispute, body="Thanks!")
    assert sweep(clock, START + timedelta(days=7, minutes=1)) == 0
    sweep(clock, START + timedelta(days=10, minutes=1))
    dispute = disputes.refresh(dispute)
    assert dispute.status == "closed"
    assert timeline(dispute)[-2:] == [
        ("deadline", "auto_closed", "auto-close"),
        ("status", "closed", ""),
    ]
    assert pending(dispute) == {}


def test_a_dispute_waiting_for_the_merchant_two_weeks_closes(clock, disputes):
    dispute = disputes.open(kind="refund", reason="no_tracking")
    disputes.call("shenzhen_agent", services.dispute_message_post, dispute, body="Sent.")
    sweep(clock, START + timedelta(days=14, minutes=1))
    assert disputes.refresh(dispute).status == "closed"
    assert ("deadline", "auto_closed", "auto-close") in timeline(dispute)


def test_a_refund_request_without_its_evidence_is_cancelled_after_three_days(clock, disputes):
    dispute = disputes.open(kind="refund", reason="damaged")
    assert sweep(clock, START + timedelta(days=3) - timedelta(minutes=1)) == 0
    sweep(clock, START + timedelta(days=3, minutes=1))
    dispute = disputes.refresh(dispute)
    assert dispute.status == "cancelled"
    assert timeline(dispute)[-2:] == [
        ("deadline", "evidence_deadline_passed", "missing-evidence"),
        ("system", "cancelled_missing_evidence", ""),
    ]


def test_a_rule_switched_off_schedules_nothing(clock, disputes):
    setting(disputes, "supplier-response", enabled=False)
    dispute = disputes.refresh(disputes.open(kind="problem"))
    assert set(pending(dispute)) == {("problem-deadline", "")}
    # No rule times the supplier's answer: it is due when the report is.
    assert dispute.respond_by == dispute.resolve_by
    assert sweep(clock, START + timedelta(days=6)) == 0
    assert disputes.refresh(dispute).status == "awaiting_supplier"


def test_closing_cancels_every_deadline(clock, disputes):
    dispute = disputes.open(kind="problem")
    disputes.call("acme_agent", services.dispute_close, dispute)
    dispute = disputes.refresh(dispute)
    assert pending(dispute) == {}
    assert (dispute.respond_by, dispute.resolve_by) == (None, None)


def test_a_rule_firing_twice_acts_once(clock, disputes):
    dispute = disputes.open(kind="problem")
    at = START + timedelta(days=7, minutes=1)
    sweep(clock, at)
    assert sweep(clock, at) == 0
    with cross_tenant_scope(reason="test"):
        fired = Deadline.cross_tenant_objects.get(
            subject_id=str(dispute.pk), rule="problem-deadline", state=DeadlineState.FIRED
        )
    # Run the action again by hand, as a duplicate would: the state refuses it.
    with cross_tenant_scope(reason="test"):
        assert dispute_deadlines.problem_deadline_due(fired) is False
    codes = [code for _type, code, _rule in timeline(dispute)]
    assert codes.count("escalated_to_refund") == 1


def test_a_stale_escalation_is_refused_quietly(clock, disputes):
    dispute = disputes.open(kind="problem")
    with cross_tenant_scope(reason="test"):
        row = Deadline.cross_tenant_objects.get(subject_id=str(dispute.pk), key="escalate")
    disputes.call("acme_agent", services.dispute_close, dispute)
    with cross_tenant_scope(reason="test"):
        assert dispute_deadlines.supplier_response_due(row) is False
    assert timeline(dispute)[-1][1] == "closed"
    assert Actor.system().party == "system"


def _late_order(disputes, external_id):
    # Placed five days ago and never shipped: both shipping deadlines are already due.
    body = order_body(external_id=external_id)
    body["placed_at"] = (START - timedelta(days=5)).isoformat()
    body["lines"] = body["lines"][:1]
    with disputes.acting("acme_agent") as actor:
        return order_create(actor=actor, **body)


def _shipping_delayed_disputes():
    with cross_tenant_scope(reason="test"):
        return list(
            Dispute.cross_tenant_objects.filter(reason="shipping_delayed").values_list(
                "kind", "status", "order__external_id"
            )
        )


def test_an_overdue_shipment_opens_a_shipping_delayed_refund_request_when_enabled(clock, disputes):
    setting(disputes, "ship-overdue", options={"open_refund_request": True})
    _late_order(disputes, "LATE-1")
    deadline_sweep()
    assert _shipping_delayed_disputes() == [("refund", "awaiting_supplier", "LATE-1")]
    # The rule fired once: a second sweep opens nothing more.
    deadline_sweep()
    assert len(_shipping_delayed_disputes()) == 1


def test_an_overdue_shipment_opens_nothing_by_default(clock, disputes):
    _late_order(disputes, "LATE-2")
    assert deadline_sweep() >= 1
    assert _shipping_delayed_disputes() == []


def test_a_transition_withdraws_the_rules_it_ends_in_one_update(world, disputes):
    # Given a refund request with the supplier's proposal open
    dispute = disputes.in_state("resolution_proposed")
    proposal = disputes.refresh(dispute).open_proposal

    # When the merchant accepts the supplier's proposal (the supplier's clocks end)
    with CaptureQueriesContext(connection) as queries:
        disputes.call("acme_agent", services.proposal_accept, dispute, proposal=proposal)

    # Then one UPDATE withdrew every rule the new state ends (in the statement that also
    # reads what stays pending)
    updates = [
        query["sql"]
        for query in queries.captured_queries
        if 'UPDATE "deadlines_deadline"' in query["sql"]
    ]
    assert len(updates) == 1
    assert pending(dispute, deadline_rules.SUPPLIER_RESPONSE) == {}
    assert {rule for rule, _key in pending(dispute)} == {deadline_rules.REFUND_EXECUTION}
