"""The working queue in the API: assignment, the assignee filter, sorting, unread, activity."""

import pytest

from core.tenancy import cross_tenant_scope
from disputes import services
from disputes.models import Dispute
from notifications.models import Notification

URL = "/api/v1/disputes/"


def assignee_of(dispute):
    with cross_tenant_scope(reason="test"):
        return Dispute.cross_tenant_objects.get(pk=dispute.pk).assignee_id


def notices_to(user):
    with cross_tenant_scope(reason="test"):
        return list(
            Notification.cross_tenant_objects.filter(
                user=user, type="dispute.assigned"
            ).values_list("title", flat=True)
        )


@pytest.mark.parametrize(
    ("caller", "status"),
    [
        ("acme_owner", 200),
        ("acme_manager", 200),
        ("acme_agent", 200),
        ("acme_viewer", 403),
        ("shenzhen_agent", 404),
        ("shenzhen_admin", 404),
        ("yiwu_admin", 404),
        ("globex_owner", 404),
        (None, 401),
    ],
)
def test_assign_per_role(world, disputes, caller, status):
    dispute = disputes.open()
    agent = world.users["acme_agent"]
    response = world.client(caller).post(
        f"{URL}{dispute.pk}/assign/", {"assignee": str(agent.pk)}, format="json"
    )
    assert response.status_code == status
    if status == 200:
        assert response.json()["assignee"] == {
            "id": str(agent.pk),
            "name": agent.name,
            "email": agent.email,
        }
        assert assignee_of(dispute) == agent.pk
        told = notices_to(agent)
        # Nobody is told of what they did themselves.
        assert told == (
            [] if caller == "acme_agent" else [f"Dispute #{dispute.number} is assigned to you"]
        )
    else:
        assert assignee_of(dispute) is None
        assert "assignee" not in response.json()
        assert notices_to(agent) == []


@pytest.mark.parametrize(
    "assignee", ["globex_owner", "shenzhen_agent", "acme_viewer", "not-an-id", "missing"]
)
def test_the_assignee_must_work_for_the_merchant(world, disputes, assignee):
    dispute = disputes.open()
    if assignee in world.users:
        value = str(world.users[assignee].pk)
    elif assignee == "missing":
        value = "00000000-0000-0000-0000-000000000001"
    else:
        value = assignee
    response = world.client("acme_owner").post(
        f"{URL}{dispute.pk}/assign/", {"assignee": value}, format="json"
    )
    assert response.status_code == 400
    assert "assignee" in response.json()
    assert assignee_of(dispute) is None


def test_unassign_and_a_missing_body_field(world, disputes):
    dispute = disputes.open()
    client = world.client("acme_owner")
    owner = world.users["acme_owner"]
    assert (
        client.post(
            f"{URL}{dispute.pk}/assign/", {"assignee": str(owner.pk)}, format="json"
        ).status_code
        == 200
    )
    assert client.post(f"{URL}{dispute.pk}/assign/", {}, format="json").status_code == 400
    assert assignee_of(dispute) == owner.pk
    response = client.post(f"{URL}{dispute.pk}/assign/", {"assignee": None}, format="json")
    assert response.status_code == 200
    assert response.json()["assignee"] is None
    assert assignee_of(dispute) is None


def test_a_supplier_never_sees_the_assignee(world, disputes):
    dispute = disputes.open()
    with disputes.acting("acme_owner") as actor:
        services.dispute_assign(actor=actor, dispute=dispute, assignee=world.users["acme_agent"])
    supplier = world.client("shenzhen_agent")
    assert "assignee" not in supplier.get(f"{URL}{dispute.pk}/").json()
    assert all("assignee" not in row for row in supplier.get(URL).json()["results"])
    assert supplier.get(URL, {"assignee": "none"}).status_code == 400


def test_filter_by_assignee(world, disputes):
    mine, theirs, nobodys = disputes.open(), disputes.open(), disputes.open()
    owner, agent = world.users["acme_owner"], world.users["acme_agent"]
    with disputes.acting("acme_owner") as actor:
        services.dispute_assign(actor=actor, dispute=mine, assignee=owner)
        services.dispute_assign(actor=actor, dispute=theirs, assignee=agent)
    client = world.client("acme_owner")

    def numbers(**params):
        response = client.get(URL, params)
        assert response.status_code == 200
        return {row["number"] for row in response.json()["results"]}

    assert numbers(assignee="me") == {mine.number}
    assert numbers(assignee="none") == {nobodys.number}
    assert numbers(assignee=str(agent.pk)) == {theirs.number}
    assert client.get(URL, {"assignee": "someone"}).status_code == 400


def test_sorts_and_their_pages(world, disputes):
    first, second, third = disputes.open(), disputes.open(), disputes.open()
    # The first one gets the newest activity.
    disputes.call("shenzhen_agent", services.dispute_message_post, first, body="News.")
    client = world.client("acme_owner")

    def order(sort):
        response = client.get(URL, {"sort": sort})
        assert response.status_code == 200
        return [row["number"] for row in response.json()["results"]]

    assert order("-last_activity") == [first.number, third.number, second.number]
    assert order("opened") == [first.number, second.number, third.number]
    assert order("-opened") == [third.number, second.number, first.number]
    # The message made the first one wait for the merchant: no respond_by, so last.
    assert order("due")[-1] == first.number
    assert set(order("status")) == {first.number, second.number, third.number}
    # Page by page, the sort holds.
    seen, url = [], f"{URL}?sort=-last_activity&page_size=1"
    while url:
        body = client.get(url).json()
        seen += [row["number"] for row in body["results"]]
        url = body["next"]
    assert seen == [first.number, third.number, second.number]
    assert client.get(URL, {"sort": "price"}).status_code == 400
    forged = client.get(URL, {"sort": "due", "cursor": "cD1ub3QtYS10aW1l"})
    assert forged.status_code == 400


def test_unread_until_read_and_notes_stay_out_of_the_suppliers_activity(world, disputes):
    dispute = disputes.open()
    owner, supplier = world.client("acme_owner"), world.client("shenzhen_agent")

    def row(client):
        return client.get(URL).json()["results"][0]

    assert row(owner)["unread"] is True
    assert owner.get(f"{URL}{dispute.pk}/").status_code == 200
    assert row(owner)["unread"] is False
    assert supplier.get(f"{URL}{dispute.pk}/").status_code == 200
    shared_before = row(supplier)["last_activity_at"]
    disputes.call(
        "acme_agent", services.dispute_message_post, dispute, body="Check stock.", internal=True
    )
    # The merchant sees new activity; the supplier sees nothing moved.
    assert row(owner)["unread"] is True
    assert row(owner)["last_activity_at"] > shared_before
    assert row(supplier)["unread"] is False
    assert row(supplier)["last_activity_at"] == shared_before
    disputes.call("acme_agent", services.dispute_message_post, dispute, body="Any news?")
    assert row(supplier)["unread"] is True
