"""Reading disputes: who sees which, filters, 404s across tenants and suppliers."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.tenancy import cross_tenant_scope
from disputes import services
from disputes.models import Dispute

URL = "/api/v1/disputes/"


@pytest.fixture
def spread(world, disputes):
    """acme: two with shenzhen, one with yiwu; globex: one with shenzhen."""
    return {
        "acme_shenzhen_problem": disputes.open(kind="problem", reason="not_received"),
        "acme_shenzhen_refund": disputes.open(kind="refund", reason="no_tracking"),
        "acme_yiwu": disputes.open(supplier="yiwu", reason="customs_hold"),
        "globex_shenzhen": disputes.open("globex_owner", reason="tracking_invalid"),
    }


def ids(response):
    assert response.status_code == 200, response.json()
    return {item["id"] for item in response.json()["results"]}


def names(spread, *keys):
    return {str(spread[key].pk) for key in keys}


@pytest.mark.parametrize(
    ("caller", "visible"),
    [
        ("acme_owner", ["acme_shenzhen_problem", "acme_shenzhen_refund", "acme_yiwu"]),
        ("acme_viewer", ["acme_shenzhen_problem", "acme_shenzhen_refund", "acme_yiwu"]),
        ("globex_owner", ["globex_shenzhen"]),
        (
            "shenzhen_agent",
            ["acme_shenzhen_problem", "acme_shenzhen_refund", "globex_shenzhen"],
        ),
        ("yiwu_admin", ["acme_yiwu"]),
    ],
)
def test_each_party_lists_only_its_disputes(world, spread, caller, visible):
    assert ids(world.client(caller).get(URL)) == names(spread, *visible)


def test_anonymous_is_401(world, spread):
    assert world.client(None).get(URL).status_code == 401
    dispute = spread["acme_yiwu"]
    assert world.client(None).get(f"{URL}{dispute.pk}/").status_code == 401


@pytest.mark.parametrize(
    ("caller", "key"),
    [
        ("globex_owner", "acme_yiwu"),
        ("acme_owner", "globex_shenzhen"),
        ("yiwu_admin", "acme_shenzhen_problem"),
        ("shenzhen_agent", "acme_yiwu"),
    ],
)
@pytest.mark.parametrize(
    "path",
    ["", "timeline/", "proposals/"],
)
def test_foreign_disputes_are_404_on_every_read(world, spread, caller, key, path):
    response = world.client(caller).get(f"{URL}{spread[key].pk}/{path}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize(
    ("caller", "key"),
    [("globex_owner", "acme_yiwu"), ("yiwu_admin", "acme_shenzhen_problem")],
)
@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("messages/", {"body": "hello"}),
        ("proposals/", {"resolution": "refund"}),
        ("fulfil/", {"refund_reference": "X"}),
        ("escalate/", {"to": "arbitration"}),
        ("close/", {}),
        ("reopen/", {}),
    ],
)
def test_foreign_disputes_are_404_on_every_write(world, spread, caller, key, path, body):
    dispute = spread[key]
    before = Dispute.cross_tenant_objects.get(pk=dispute.pk).last_event_position
    response = world.client(caller).post(f"{URL}{dispute.pk}/{path}", body, format="json")
    assert response.status_code == 404
    assert Dispute.cross_tenant_objects.get(pk=dispute.pk).last_event_position == before


@pytest.mark.parametrize(
    "path", ["not-a-uuid/", "00000000-0000-0000-0000-000000000000/", "12345/timeline/"]
)
def test_malformed_or_unknown_ids_are_404(world, spread, path):
    response = world.client("acme_owner").get(URL + path)
    assert response.status_code == 404


def test_unknown_proposal_ids_are_404(world, disputes):
    dispute = disputes.in_state("resolution_proposed")
    foreign = disputes.in_state("resolution_proposed", merchant="globex", caller="globex_owner")
    foreign_proposal = disputes.refresh(foreign).open_proposal
    client = world.client("acme_agent")
    for proposal_id in (foreign_proposal.pk, "00000000-0000-0000-0000-000000000000"):
        response = client.post(f"{URL}{dispute.pk}/proposals/{proposal_id}/accept/", {})
        assert response.status_code == 404
    assert client.post(f"{URL}{dispute.pk}/proposals/nope/accept/", {}).status_code == 404
    assert disputes.refresh(foreign).status == "resolution_proposed"


def test_filters(world, disputes, spread):
    client = world.client("acme_owner")
    assert ids(client.get(URL, {"kind": "refund"})) == names(spread, "acme_shenzhen_refund")
    assert ids(client.get(URL, {"reason": "customs_hold"})) == names(spread, "acme_yiwu")
    assert ids(client.get(URL, {"supplier": "yiwu-goods"})) == names(spread, "acme_yiwu")
    assert ids(client.get(URL, {"supplier": str(world.yiwu.pk)})) == names(spread, "acme_yiwu")
    order = spread["acme_yiwu"].order
    assert ids(client.get(URL, {"order": str(order.pk)})) == names(spread, "acme_yiwu")
    assert ids(client.get(URL, {"q": order.external_id})) == names(spread, "acme_yiwu")
    assert ids(client.get(URL, {"q": f"#{spread['acme_yiwu'].number}"})) == names(
        spread, "acme_yiwu"
    )
    assert ids(client.get(URL, {"status": "awaiting_supplier,closed"})) == names(
        spread, "acme_shenzhen_problem", "acme_shenzhen_refund", "acme_yiwu"
    )
    assert ids(client.get(URL, {"status": "closed"})) == set()
    assert ids(client.get(URL, {"overdue": "true"})) == set()
    with cross_tenant_scope(reason="test"):
        Dispute.cross_tenant_objects.filter(pk=spread["acme_yiwu"].pk).update(
            respond_by=timezone.now() - timedelta(hours=1)
        )
    assert ids(client.get(URL, {"overdue": "true"})) == names(spread, "acme_yiwu")
    # Another merchant's order id filters to nothing rather than leaking.
    foreign = spread["globex_shenzhen"].order
    assert ids(client.get(URL, {"order": str(foreign.pk)})) == set()


def test_supplier_filters_by_merchant(world, spread):
    client = world.client("shenzhen_agent")
    assert ids(client.get(URL, {"merchant": "globex"})) == names(spread, "globex_shenzhen")


def test_list_is_cursor_paginated(world, disputes):
    for _number in range(3):
        disputes.open()
    client = world.client("acme_owner")
    first = client.get(URL, {"page_size": 2}).json()
    assert set(first) == {"results", "next", "previous"}
    assert len(first["results"]) == 2
    rest = client.get(first["next"]).json()
    assert len(rest["results"]) == 1
    numbers = [d["number"] for d in first["results"] + rest["results"]]
    assert numbers == [3, 2, 1]


def test_timeline_is_oldest_first_with_authors(world, disputes):
    dispute = disputes.open()
    disputes.call("shenzhen_agent", services.dispute_message_post, dispute, body="We check.")
    disputes.call("acme_agent", services.dispute_message_post, dispute, body="Thanks.")
    timeline = world.client("shenzhen_agent").get(f"{URL}{dispute.pk}/timeline/").json()
    events = timeline["results"]
    assert [e["type"] for e in events] == ["status", "message", "message"]
    assert events[0]["body"].startswith("Opened a problem report")
    assert events[1]["author"] == {"party": "supplier", "name": "Shenzhen Agent"}
    # The supplier sees the merchant's staff as shop and person.
    assert events[2]["author"] == {"party": "merchant", "name": "Acme Outdoor · Acme Agent"}
    assert set(events[1]) >= {"id", "type", "author", "body", "attachments", "created_at"}
    merchant_view = world.client("acme_owner").get(f"{URL}{dispute.pk}/timeline/").json()
    assert merchant_view["results"][2]["author"]["name"] == "Acme Agent"
    assert merchant_view["results"][1]["author"]["name"] == "Shenzhen Supply · Shenzhen Agent"


def test_order_detail_lists_its_disputes(world, disputes):
    dispute = disputes.open()
    response = world.client("acme_owner").get(f"/api/v1/orders/{dispute.order_id}/")
    assert response.json()["disputes"] == [
        {"id": str(dispute.pk), "number": dispute.number, "status": "awaiting_supplier"}
    ]


def test_suppliers_cannot_search_by_customer_email(world, disputes):
    dispute = disputes.open()
    email = dispute.order.customer_email
    assert ids(world.client("acme_owner").get(URL, {"q": email})) == {str(dispute.pk)}
    assert ids(world.client("shenzhen_agent").get(URL, {"q": email})) == set()


@pytest.mark.parametrize(
    "query", ["status=nope", "kind=complaint", "reason=bored", "status=closed,nope"]
)
def test_unknown_filter_values_are_400_not_an_empty_list(world, disputes, query):
    disputes.open()
    response = world.client("acme_owner").get(f"/api/v1/disputes/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()
