"""The ledger on the dispute page, and the "Money owed by suppliers" page."""

import pytest

from core.tenancy import cross_tenant_scope
from disputes.models import LedgerEntry, TimelineEvent


@pytest.fixture
def browser_as(client, world):
    def login(caller):
        client.force_login(world.users[caller])
        return client

    return login


def test_dispute_page_shows_both_sides_and_net_loss(browser_as, disputes):
    dispute = disputes.in_state("resolved")  # 25.00 recovered by itself
    client = browser_as("acme_agent")
    response = client.post(
        f"/app/disputes/{dispute.pk}/ledger/", {"kind": "refund", "amount": "30.00", "note": ""}
    )
    assert response.status_code == 302
    text = client.get(f"/app/disputes/{dispute.pk}/").content.decode()
    assert "Given to the customer" in text
    assert "$30.00" in text
    assert "$25.00" in text
    assert "<strong>$5.00</strong>" in text  # net loss


def test_viewer_reads_the_ledger_but_cannot_record(browser_as, disputes):
    dispute = disputes.in_state("awaiting_supplier")
    client = browser_as("acme_viewer")
    assert b"ledger-form" not in client.get(f"/app/disputes/{dispute.pk}/").content
    response = client.post(f"/app/disputes/{dispute.pk}/ledger/", {"kind": "refund", "amount": "5"})
    assert response.status_code == 403
    with cross_tenant_scope(reason="test"):
        assert LedgerEntry.cross_tenant_objects.count() == 0


def test_the_supplier_portal_never_shows_the_ledger(browser_as, disputes):
    dispute = disputes.in_state("resolved")
    text = browser_as("shenzhen_agent").get(f"/portal/disputes/{dispute.pk}/").content.decode()
    assert "Given to the customer" not in text
    assert "Net loss" not in text


def test_owed_page_lists_and_reminds(browser_as, disputes):
    dispute = disputes.in_state("resolution_accepted")
    client = browser_as("acme_agent")
    text = client.get("/app/disputes/owed/").content.decode()
    assert f"#{dispute.number}" in text
    assert "$25.00" in text
    response = client.post("/app/disputes/owed/", {"dispute": str(dispute.pk)})
    assert response.status_code == 302
    with cross_tenant_scope(reason="test"):
        message = TimelineEvent.cross_tenant_objects.filter(dispute=dispute).last()
    assert message.type == "message"
    assert message.internal is False
    assert "$25.00" in message.body


def test_owed_reminder_on_a_foreign_dispute_is_404(browser_as, disputes):
    dispute = disputes.in_state("resolution_accepted")
    response = browser_as("globex_owner").post("/app/disputes/owed/", {"dispute": str(dispute.pk)})
    assert response.status_code == 404


def test_a_reminder_needs_money_still_owed(browser_as, disputes):
    dispute = disputes.in_state("resolved")  # carried out: nothing owed
    client = browser_as("acme_agent")
    response = client.post("/app/disputes/owed/", {"dispute": str(dispute.pk)}, follow=True)
    assert b"Nothing agreed is waiting to be paid" in response.content
    with cross_tenant_scope(reason="test"):
        assert not TimelineEvent.cross_tenant_objects.filter(
            dispute=dispute, type="message", author_party="merchant"
        ).exists()


def test_viewer_cannot_send_a_reminder(browser_as, disputes):
    dispute = disputes.in_state("resolution_accepted")
    response = browser_as("acme_viewer").post("/app/disputes/owed/", {"dispute": str(dispute.pk)})
    assert response.status_code == 403
