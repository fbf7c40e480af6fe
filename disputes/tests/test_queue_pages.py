"""The merchant's working queue on the pages: the home's counts, the list's views, picked
rows, the CSV file, assignment on the dispute page, and the unread marker on both sides."""

import csv
import io

import pytest

from core.tenancy import cross_tenant_scope
from disputes import services
from disputes.models import Dispute, DisputeStatus, SavedView
from disputes.tests.factories import OrderFactory, OrderLineFactory
from orders.models import Shipment, ShipmentStatus


def logged_in(client, world, caller):
    client.force_login(world.users[caller])
    return client


def fresh(dispute):
    with cross_tenant_scope(reason="test"):
        return Dispute.cross_tenant_objects.get(pk=dispute.pk)


def test_home_counts_what_needs_the_merchant_with_links(client, world, disputes):
    disputes.in_state(DisputeStatus.AWAITING_EVIDENCE)
    disputes.in_state(DisputeStatus.RESOLUTION_PROPOSED)  # the supplier proposed
    disputes.in_state(DisputeStatus.AWAITING_SUPPLIER)
    order = OrderFactory(merchant=world.acme)  # placed 10 days ago, nothing shipped
    line = OrderLineFactory(order=order, supplier=world.shenzhen)
    with cross_tenant_scope(reason="test"):
        parcel = Shipment.cross_tenant_objects.create(
            merchant=world.acme,
            order=order,
            supplier=world.shenzhen,
            tracking_number="XX",
            status=ShipmentStatus.TRACKING_INVALID,
            shipped_at=order.placed_at,
        )
        parcel.lines.add(line)
    page = logged_in(client, world, "acme_agent").get("/app/")
    assert page.status_code == 200
    counts = {item.key: (item.count, item.url) for item in page.context["attention"]}
    assert counts["my_turn"] == (2, "/app/disputes/?waiting_on=merchant")
    assert counts["evidence"][0] == 1
    assert counts["proposals"] == (
        1,
        "/app/disputes/?status=resolution_proposed&waiting_on=merchant",
    )
    assert counts["tracking_invalid"] == (1, "/app/orders/?tracking_invalid=true")
    assert counts["not_shipped"][0] >= 1
    assert counts["not_shipped"][1] == "/app/orders/?not_shipped_days=4"
    team = {item.key: item.count for item in page.context["team"]}
    assert team["unassigned"] == 3
    assert team[f"member:{world.users['acme_agent'].pk}"] == 0
    text = page.content.decode()
    assert "What needs you now" in text
    assert "home-summary" in text
    # Each link lists exactly what it counted.
    listed = client.get(counts["proposals"][1])
    assert len(listed.context["disputes"]) == 1
    orders = client.get("/app/orders/?tracking_invalid=true")
    assert [row.pk for row in orders.context["orders"]] == [order.pk]


def test_home_counts_stop_at_the_cap(client, world, disputes, monkeypatch):
    monkeypatch.setattr("disputes.attention.COUNT_CAP", 2)
    for _number in range(4):
        disputes.open()
    page = logged_in(client, world, "acme_owner").get("/app/")
    shown = {item.key: item.shown for item in page.context["team"]}
    assert shown["unassigned"] == "2+"


def test_the_list_sorts_marks_unread_and_shows_the_assignee(client, world, disputes):
    older, newer = disputes.open(), disputes.open()
    with disputes.acting("acme_owner") as actor:
        services.dispute_assign(actor=actor, dispute=older, assignee=world.users["acme_agent"])
    logged_in(client, world, "acme_owner")
    client.get(f"/app/disputes/{newer.pk}/")
    page = client.get("/app/disputes/", {"sort": "opened"})
    rows = list(page.context["disputes"])
    assert [row.number for row in rows] == [older.number, newer.number]
    assert [row.unread for row in rows] == [True, False]
    text = page.content.decode()
    assert "Acme Agent" in text
    assert 'aria-sort="ascending"' in text
    mine = client.get("/app/disputes/", {"assignee": "none"})
    assert [row.number for row in mine.context["disputes"]] == [newer.number]


def test_bulk_assign_and_close_report_each_refusal(client, world, disputes):
    open_one = disputes.open()
    closed = disputes.in_state(DisputeStatus.CLOSED)
    agent = world.users["acme_agent"]
    logged_in(client, world, "acme_owner")
    page = client.post(
        "/app/disputes/bulk/",
        {"action": "assign", "assignee": str(agent.pk), "disputes": [open_one.pk, closed.pk]},
        follow=True,
    )
    assert fresh(open_one).assignee_id == agent.pk
    assert fresh(closed).assignee_id == agent.pk
    assert "2 disputes assigned." in page.content.decode()
    page = client.post(
        "/app/disputes/bulk/",
        {"action": "close", "disputes": [open_one.pk, closed.pk], "query": "assignee=me"},
        follow=True,
    )
    assert page.redirect_chain[-1][0] == "/app/disputes/?assignee=me"
    text = page.content.decode()
    assert fresh(open_one).status == DisputeStatus.CLOSED
    assert "1 dispute closed." in text
    assert f"#{closed.number}:" in text  # refused by the state table, told with its row


def test_bulk_refuses_a_viewer_and_other_merchants_rows(client, world, disputes):
    acme = disputes.open()
    globex = disputes.open("globex_owner")
    logged_in(client, world, "acme_viewer")
    assert (
        client.post("/app/disputes/bulk/", {"action": "close", "disputes": [acme.pk]}).status_code
        == 403
    )
    logged_in(client, world, "acme_owner")
    client.post("/app/disputes/bulk/", {"action": "close", "disputes": [globex.pk]})
    assert fresh(globex).status != DisputeStatus.CLOSED
    page = client.post("/app/disputes/bulk/", {"action": "close"}, follow=True)
    assert "Pick at least one dispute." in page.content.decode()


def test_export_streams_the_filtered_list_with_formulas_neutralised(client, world, disputes):
    order = disputes.order()
    with cross_tenant_scope(reason="test"):
        order.customer_name = '=HYPERLINK("http://evil.test")'
        order.save(update_fields=["customer_name"])
    hostile = disputes.open(order=order)
    other = disputes.open()
    with disputes.acting("acme_owner") as actor:
        services.dispute_assign(actor=actor, dispute=other, assignee=world.users["acme_owner"])
    logged_in(client, world, "acme_viewer")
    response = client.get("/app/disputes/export.csv", {"assignee": "none"})
    assert response.status_code == 200
    assert response.streaming
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][0] == "number"
    assert [row[0] for row in rows[1:]] == [str(hostile.number)]
    assert rows[1][5] == '\'=HYPERLINK("http://evil.test")'
    picked = client.get("/app/disputes/export.csv", {"sort": "bogus"})
    assert picked.status_code == 404


def test_saved_views_are_each_persons_own(client, world, disputes):
    logged_in(client, world, "acme_viewer")
    page = client.post(
        "/app/disputes/views/",
        {"name": "Late refunds", "query": "kind=refund&overdue=on&cursor=abc"},
        follow=True,
    )
    assert "Late refunds" in page.content.decode()
    with cross_tenant_scope(reason="test"):
        view = SavedView.cross_tenant_objects.get()
    assert view.query == "kind=refund&overdue=on"
    again = client.post("/app/disputes/views/", {"name": "Late refunds", "query": ""}, follow=True)
    assert "already have a view with this name" in again.content.decode()
    logged_in(client, world, "acme_owner")
    assert "Late refunds" not in client.get("/app/disputes/").content.decode()
    assert client.post(f"/app/disputes/views/{view.pk}/delete/").status_code == 404
    logged_in(client, world, "acme_viewer")
    client.post(f"/app/disputes/views/{view.pk}/delete/")
    with cross_tenant_scope(reason="test"):
        assert not SavedView.cross_tenant_objects.exists()


@pytest.mark.parametrize(("caller", "allowed"), [("acme_agent", True), ("acme_viewer", False)])
def test_assign_to_me_on_the_dispute_page(client, world, disputes, caller, allowed):
    dispute = disputes.open()
    logged_in(client, world, caller)
    page = client.get(f"/app/disputes/{dispute.pk}/")
    assert ("Assign to me" in page.content.decode()) is allowed
    response = client.post(f"/app/disputes/{dispute.pk}/assign/", {"assignee": "me"})
    assert response.status_code == (302 if allowed else 403)
    assert fresh(dispute).assignee_id == (world.users[caller].pk if allowed else None)


def test_the_supplier_inbox_marks_new_activity(client, world, disputes):
    dispute = disputes.open()
    logged_in(client, world, "shenzhen_agent")
    inbox = client.get("/portal/disputes/")
    assert [row.unread for row in inbox.context["disputes"]] == [True]
    client.get(f"/portal/disputes/{dispute.pk}/")
    disputes.call("acme_agent", services.dispute_message_post, dispute, body="x", internal=True)
    inbox = client.get("/portal/disputes/")
    assert [row.unread for row in inbox.context["disputes"]] == [False]
    assert "assignee" not in client.get("/portal/disputes/", {"assignee": "none"}).content.decode()
