"""Two parties acting at once on one dispute cannot both win: real transactions, real Postgres.

Each thread has its own database connection, so these are two sessions racing for the row
lock exactly as two web workers would.
"""

import threading
import time

import pytest
from django.db import connection, transaction

from core.errors import Conflict, DomainError
from core.tenancy import cross_tenant_scope
from disputes import services
from disputes.models import Dispute, DisputeStatus, Proposal, ProposalStatus, TimelineEvent

pytestmark = pytest.mark.django_db(transaction=True)


def in_thread(function, results, name, barrier=None):
    def run():
        try:
            if barrier is not None:
                barrier.wait(timeout=10)
            results[name] = function()
        except DomainError as error:
            results[name] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_second_acceptance_waits_for_the_lock_then_is_refused(world, disputes):
    dispute = disputes.in_state(DisputeStatus.RESOLUTION_PROPOSED)
    proposal = disputes.refresh(dispute).open_proposal
    first_holds_lock = threading.Event()
    results = {}

    def first():
        with disputes.acting("acme_agent") as actor, transaction.atomic():
            services.proposal_accept(actor=actor, dispute=dispute, proposal=proposal)
            first_holds_lock.set()
            # Keep the transaction (and the row lock) open while the other one arrives.
            time.sleep(0.6)
        return "accepted"

    def second():
        first_holds_lock.wait(timeout=10)
        started = time.monotonic()
        try:
            with disputes.acting("acme_owner") as actor:
                services.proposal_accept(actor=actor, dispute=dispute, proposal=proposal)
            return "accepted"
        finally:
            results["waited"] = time.monotonic() - started

    threads = [in_thread(first, results, "first"), in_thread(second, results, "second")]
    for thread in threads:
        thread.join(timeout=20)
    assert results["first"] == "accepted"
    assert isinstance(results["second"], Conflict)
    assert "no longer open" in str(results["second"].message)
    # It did not read a stale state: it queued behind the first transaction's lock.
    assert results["waited"] >= 0.4
    with cross_tenant_scope(reason="test"):
        accepted = TimelineEvent.cross_tenant_objects.filter(
            dispute=dispute, data__code="proposal_accepted"
        )
        assert accepted.count() == 1
        assert Dispute.cross_tenant_objects.get(pk=dispute.pk).status == "resolution_accepted"


@pytest.mark.parametrize("attempt", range(3))
def test_merchant_accepting_and_supplier_countering_at_once_cannot_both_win(
    world, disputes, attempt
):
    dispute = disputes.in_state(DisputeStatus.RESOLUTION_PROPOSED)
    proposal = disputes.refresh(dispute).open_proposal
    barrier = threading.Barrier(2)
    results = {}

    def merchant_accepts():
        with disputes.acting("acme_agent") as actor:
            services.proposal_accept(actor=actor, dispute=dispute, proposal=proposal)
        return "ok"

    def supplier_counters():
        with disputes.acting("shenzhen_agent") as actor:
            services.proposal_create(
                actor=actor, dispute=dispute, resolution="partial_refund", amount=10
            )
        return "ok"

    threads = [
        in_thread(merchant_accepts, results, "merchant", barrier),
        in_thread(supplier_counters, results, "supplier", barrier),
    ]
    for thread in threads:
        thread.join(timeout=20)
    outcomes = sorted(type(results[name]).__name__ for name in ("merchant", "supplier"))
    assert outcomes in (["Conflict", "str"], ["InvalidTransition", "str"])
    with cross_tenant_scope(reason="test"):
        final = Dispute.cross_tenant_objects.get(pk=dispute.pk)
        open_proposals = Proposal.cross_tenant_objects.filter(
            dispute=dispute, status=ProposalStatus.OPEN
        ).count()
        accepted = Proposal.cross_tenant_objects.filter(
            dispute=dispute, status=ProposalStatus.ACCEPTED
        ).count()
    if results["merchant"] == "ok":
        assert (final.status, accepted, open_proposals) == ("resolution_accepted", 1, 0)
    else:
        assert (final.status, accepted, open_proposals) == ("resolution_proposed", 0, 1)


def test_concurrent_opens_get_distinct_numbers_and_one_line_one_dispute(world, disputes):
    orders = [disputes.order() for _number in range(4)]
    shared = orders[0]
    barrier = threading.Barrier(5)
    results = {}

    def opener(order):
        def run():
            with disputes.acting("acme_agent") as actor:
                return services.dispute_open(
                    actor=actor,
                    order=order,
                    lines=disputes.lines(order),
                    kind="problem",
                    reason="not_received",
                ).number

        return run

    threads = [
        in_thread(opener(order), results, f"order{index}", barrier)
        for index, order in enumerate(orders)
    ]
    # A fifth agent opens on the same line as the first, at the same moment.
    threads.append(in_thread(opener(shared), results, "same-line", barrier))
    for thread in threads:
        thread.join(timeout=30)
    numbers = [value for value in results.values() if isinstance(value, int)]
    refused = [value for value in results.values() if isinstance(value, Conflict)]
    assert sorted(numbers) == [1, 2, 3, 4]
    assert len(refused) == 1
    with cross_tenant_scope(reason="test"):
        assert Dispute.cross_tenant_objects.filter(order=shared).count() == 1


def test_simultaneous_proposals_leave_exactly_one_open(world, disputes):
    # Issue 8: twenty proposals at once used to leave twenty open. Each one now waits for
    # the dispute's lock, reads the proposal committed before it, and supersedes it.
    dispute = disputes.in_state(DisputeStatus.AWAITING_SUPPLIER)
    callers = ["acme_agent", "shenzhen_agent"] * 4
    barrier = threading.Barrier(len(callers))
    results = {}

    def proposer(caller):
        def run():
            with disputes.acting(caller) as actor:
                return services.proposal_create(actor=actor, dispute=dispute, resolution="reship")

        return run

    threads = [
        in_thread(proposer(caller), results, f"{caller}-{index}", barrier)
        for index, caller in enumerate(callers)
    ]
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == len(callers)
    assert all(isinstance(result, Proposal) for result in results.values()), results
    with cross_tenant_scope(reason="test"):
        still_open = list(
            Proposal.cross_tenant_objects.filter(dispute=dispute, status=ProposalStatus.OPEN)
        )
        final = Dispute.cross_tenant_objects.get(pk=dispute.pk)
        superseded = Proposal.cross_tenant_objects.filter(
            dispute=dispute, status=ProposalStatus.SUPERSEDED
        ).count()
    assert len(still_open) == 1
    assert final.open_proposal_id == still_open[0].pk
    assert superseded == len(callers) - 1
