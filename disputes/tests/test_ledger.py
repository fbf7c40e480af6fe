"""The recovery ledger: who reads and writes it, its totals, the automatic supplier entry,
and the list of money owed by suppliers."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.tenancy import cross_tenant_scope
from disputes import services
from disputes.models import LedgerEntry

OWED = "/api/v1/ledger/owed/"


def ledger_url(dispute):
    return f"/api/v1/disputes/{dispute.pk}/ledger/"


def entry_count():
    with cross_tenant_scope(reason="test"):
        return LedgerEntry.cross_tenant_objects.count()


@pytest.mark.parametrize(
    ("caller", "expected"),
    [
        ("acme_owner", 200),
        ("acme_agent", 200),
        ("acme_viewer", 200),
        ("shenzhen_admin", 404),
        ("shenzhen_agent", 404),
        ("globex_owner", 404),
        (None, 401),
    ],
)
def test_every_merchant_member_reads_the_ledger_and_nobody_else(world, disputes, caller, expected):
    dispute = disputes.in_state("resolved")  # the supplier refund wrote an entry
    response = world.client(caller).get(ledger_url(dispute))
    assert response.status_code == expected
    if expected == 200:
        body = response.json()
        assert [entry["side"] for entry in body["entries"]] == ["supplier"]
    else:
        assert "entries" not in response.json()


@pytest.mark.parametrize(
    ("caller", "expected"),
    [
        ("acme_owner", 201),
        ("acme_manager", 201),
        ("acme_agent", 201),
        ("acme_viewer", 403),
        ("shenzhen_admin", 404),
        ("globex_owner", 404),
    ],
)
def test_agents_and_up_record_entries(world, disputes, caller, expected):
    dispute = disputes.in_state("awaiting_supplier")
    response = world.client(caller).post(
        ledger_url(dispute),
        {"side": "customer", "kind": "refund", "amount": "25.00", "note": "Paid back"},
        format="json",
    )
    assert response.status_code == expected
    assert entry_count() == (1 if expected == 201 else 0)
    if expected == 201:
        body = response.json()
        assert body["side"] == "customer"
        assert body["kind"] == "refund"
        assert body["amount"] == "25.00"
        assert body["currency"] == "USD"
        assert body["author"]["party"] == "merchant"
        assert set(body) == {
            "id", "side", "kind", "amount", "currency", "note", "recorded_at", "author"
        }  # fmt: skip


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"side": "customer", "kind": "reship_value", "amount": "5"}, "kind"),
        ({"side": "supplier", "kind": "coupon", "amount": "5"}, "kind"),
        ({"side": "nobody", "kind": "refund", "amount": "5"}, "side"),
        ({"side": "customer", "kind": "refund", "amount": "-5"}, "amount"),
        ({"side": "customer", "kind": "refund", "amount": "0"}, "amount"),
        ({"side": "customer", "kind": "refund", "amount": "1.234"}, "amount"),
        ({"side": "customer", "kind": "refund", "amount": "lots"}, "amount"),
        ({"side": "customer", "kind": "refund"}, "amount"),
        ({"side": "customer", "kind": "refund", "amount": "5", "note": "x" * 501}, "note"),
    ],
)
def test_bad_entries_are_400_and_write_nothing(world, disputes, body, field):
    dispute = disputes.in_state("awaiting_supplier")
    response = world.client("acme_agent").post(ledger_url(dispute), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert entry_count() == 0


def test_totals_are_customer_side_supplier_side_and_net_loss(world, disputes):
    dispute = disputes.in_state("resolution_accepted")
    client = world.client("acme_agent")
    for side, kind, amount in [
        ("customer", "refund", "25.00"),
        ("customer", "coupon", "5.50"),
        ("supplier", "credit", "10.00"),
    ]:
        response = client.post(
            ledger_url(dispute), {"side": side, "kind": kind, "amount": amount}, format="json"
        )
        assert response.status_code == 201
    totals = client.get(ledger_url(dispute)).json()["totals"]
    assert totals == {
        "currency": "USD",
        "customer_side": "30.50",
        "supplier_side": "10.00",
        "net_loss": "20.50",
    }


def test_an_empty_ledger_totals_zero(world, disputes):
    dispute = disputes.in_state("awaiting_supplier")
    body = world.client("acme_viewer").get(ledger_url(dispute)).json()
    assert body == {
        "entries": [],
        "totals": {
            "currency": "USD",
            "customer_side": "0.00",
            "supplier_side": "0.00",
            "net_loss": "0.00",
        },
    }


def test_a_carried_out_supplier_refund_writes_its_entry_once(world, disputes):
    dispute = disputes.in_state("resolved")
    with cross_tenant_scope(reason="test"):
        entries = list(LedgerEntry.cross_tenant_objects.filter(dispute=dispute))
        proposal = disputes.refresh(dispute).resolution
        # Calling the ledger hook again (a retried fulfilment) adds nothing.
        services.ledger.ledger_record_supplier_refund(
            actor=disputes.actor("shenzhen_agent"), dispute=dispute, resolution=proposal
        )
        assert LedgerEntry.cross_tenant_objects.filter(dispute=dispute).count() == 1
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.side, entry.kind, entry.amount) == ("supplier", "refund", Decimal("25.00"))
    assert entry.note == "PAY-1"
    assert entry.author_party == "supplier"


def test_a_reship_writes_no_money_entry(world, disputes):
    dispute = disputes.open(kind="refund", reason="not_received")
    disputes.call("shenzhen_agent", services.proposal_create, dispute, resolution="reship")
    proposal = disputes.refresh(dispute).open_proposal
    disputes.call("acme_agent", services.proposal_accept, dispute, proposal=proposal)
    disputes.call(
        "shenzhen_agent",
        services.dispute_fulfil,
        dispute,
        carrier="ups",
        tracking_number="1Z999AA10123456784",
    )
    assert disputes.refresh(dispute).status == "resolved"
    assert entry_count() == 0


def test_owed_lists_accepted_unpaid_refunds_oldest_first(world, disputes, time_machine):
    time_machine.move_to("2026-03-01T10:00:00Z", tick=False)
    first = disputes.in_state("resolution_accepted")
    time_machine.move_to("2026-03-02T10:00:00Z", tick=False)
    second = disputes.in_state("resolution_accepted")
    disputes.in_state("resolution_proposed")  # not agreed yet: not owed
    disputes.open(merchant="globex", caller="globex_owner")  # another tenant
    client = world.client("acme_viewer")
    world.client("acme_agent").post(
        ledger_url(second), {"side": "supplier", "kind": "credit", "amount": "10"}, format="json"
    )
    rows = client.get(OWED).json()["results"]
    assert [row["dispute"]["number"] for row in rows] == [first.number, second.number]
    assert rows[1] == {
        "dispute": {"id": str(second.pk), "number": second.number},
        "supplier": {"slug": "shenzhen-supply", "name": "Shenzhen Supply"},
        "agreed": "25.00",
        "recovered": "10.00",
        "owed": "15.00",
        "currency": "USD",
        "agreed_at": "2026-03-02T10:00:00Z",
    }
    # Carried out: the dispute leaves the list.
    disputes.call("shenzhen_agent", services.dispute_fulfil, first, refund_reference="PAY-9")
    rows = client.get(OWED).json()["results"]
    assert [row["dispute"]["number"] for row in rows] == [second.number]


@pytest.mark.parametrize(("caller", "expected"), [("shenzhen_admin", 404), ("globex_owner", 200)])
def test_owed_is_the_merchants_own(world, disputes, caller, expected):
    disputes.in_state("resolution_accepted")
    response = world.client(caller).get(OWED)
    assert response.status_code == expected
    assert response.json().get("results", []) == []


def test_owed_costs_the_same_queries_for_few_and_many(world, disputes):
    client = world.client("acme_owner")
    disputes.in_state("resolution_accepted")
    client.get(OWED)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(OWED).json()["results"]) == 1
    for _number in range(5):
        disputes.in_state("resolution_accepted")
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(OWED).json()["results"]) == 6
    assert len(few) == len(many)
