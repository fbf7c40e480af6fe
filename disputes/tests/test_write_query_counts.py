"""The three busiest writes run a bounded number of SQL statements (issue 13's budgets).

Counted as a request runs them in production: the test's own transaction turns the
service's outermost atomic block into a SAVEPOINT and its RELEASE, which a request does not
run (it BEGINs and COMMITs, which are no statements of their own), so those two are left
out. The lists below say why each statement is there; a new one must earn its place.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from disputes.models import Dispute, DisputeStatus

URL = "/api/v1/disputes/"

# Opening a problem report the supplier is asked about at once (reason "other").
OPEN_STATEMENTS = [
    "the caller's token (with its membership)",
    "the order",
    "its lines, with their supplier",
    "whether the merchant's own policy wants evidence for this reason (the default does not)",
    "the dispute number: one upsert of the merchant's counter, whose row lock serialises openings",
    "open claims on the lines: a clear 409 naming the dispute that holds one",
    "INSERT the dispute",
    "SAVEPOINT: the database's one-open-dispute-a-line constraint may still refuse a line",
    "INSERT its lines",
    "RELEASE the savepoint",
    "INSERT the timeline event (opened)",
    "the merchant's deadline rule settings, all rules at once",
    "INSERT the deadlines the state starts",
    "UPDATE the dispute with its due times and last event",
    "INSERT the notification events (outbox)",
    "the supplier's members to tell, with their e-mail preferences",
    "the merchant's webhook endpoints",
    "INSERT the in-app notifications",
    "INSERT the e-mail deliveries (outbox)",
    "the answer: the dispute with its order and organizations",
    "the answer: its lines",
]
MESSAGE_STATEMENTS = [
    "the caller's token (with its membership)",
    "the dispute, scoped: 404 before the body is read",
    "lock and re-read the dispute with its order and organizations (no proposal to read)",
    "INSERT the timeline event (message)",
    "withdraw the deadlines the turn ends and read those still pending (one statement)",
    "UPDATE the dispute with its due times and last event",
    "INSERT the notification events (outbox)",
    "the other party's members to tell, with their e-mail preferences",
    "the merchant's webhook endpoints",
    "INSERT the in-app notifications",
    "INSERT the e-mail deliveries (outbox)",
]
ACCEPT_STATEMENTS = [
    "the caller's token (with its membership)",
    "lock and read the dispute with its order and organizations: 404 when not the caller's",
    "its open proposal, read after the lock (a counter-offer may have replaced it)",
    "UPDATE the proposal: accepted, by whom, when",
    "INSERT the timeline event (proposal accepted)",
    "the merchant's deadline rule settings, all rules at once",
    "withdraw the deadlines the state ends and read those still pending (one statement)",
    "INSERT the deadline the state starts (the refund to carry out)",
    "UPDATE the dispute: status, resolution, due times",
    "INSERT the notification events (outbox)",
    "the supplier's members to tell, with their e-mail preferences",
    "the merchant's webhook endpoints",
    "INSERT the in-app notifications",
    "INSERT the e-mail deliveries (outbox)",
    "the answer: the dispute's lines (the rest is what the service read and wrote)",
]
# Issue 13's budgets.
OPEN_BUDGET, MESSAGE_BUDGET, ACCEPT_BUDGET = 25, 12, 15


def statements(queries) -> list[str]:
    """The statements a request would run: without the test transaction's outer savepoint."""
    sql = [query["sql"] for query in queries]
    outer = next((line for line in sql if line.startswith("SAVEPOINT")), None)
    if outer is None:
        return sql
    name = outer.split()[-1]
    return [line for line in sql if line not in (outer, f"RELEASE SAVEPOINT {name}")]


def post(client, path, body):
    # The content type of disputes is cached for the process after its first use.
    ContentType.objects.get_for_model(Dispute)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(path, body, format="json")
    assert response.status_code in (200, 201), response.content
    return response, statements(queries)


def explain(ran: list[str], expected: list[str]) -> str:
    return (
        "\n".join(f"{number:2}. {sql[:140]}" for number, sql in enumerate(ran, 1))
        + "\n-- expected --\n"
        + "\n".join(expected)
    )


@pytest.fixture
def owner(world):
    client = world.client("acme_owner")
    client.get(URL)  # the token's first use is recorded once
    return client


def test_opening_a_dispute_stays_within_its_budget(world, disputes, owner):
    order = disputes.order()
    line = disputes.lines(order)[0]
    body = {
        "order": str(order.pk),
        "lines": [str(line.pk)],
        "kind": "problem",
        "reason": "other",
        "description": "The lid does not close.",
    }
    response, ran = post(owner, URL, body)
    assert len(ran) == len(OPEN_STATEMENTS) <= OPEN_BUDGET, explain(ran, OPEN_STATEMENTS)
    # Everything the budget could have cut is there: deadlines, outbox rows, the answer.
    dispute = response.json()
    assert dispute["status"] == DisputeStatus.AWAITING_SUPPLIER
    assert dispute["respond_by"]
    assert dispute["lines"][0]["id"] == str(line.pk)
    supplier = world.client("shenzhen_agent")
    assert supplier.get("/api/v1/notifications/").json()["results"]


def test_posting_a_message_stays_within_its_budget(world, disputes, owner):
    dispute = disputes.in_state(DisputeStatus.AWAITING_SUPPLIER)
    response, ran = post(owner, f"{URL}{dispute.pk}/messages/", {"body": "Any news?"})
    assert len(ran) == len(MESSAGE_STATEMENTS) <= MESSAGE_BUDGET, explain(ran, MESSAGE_STATEMENTS)
    event = response.json()
    assert event["type"] == "message"
    assert event["body"] == "Any news?"
    assert event["author"] == {"party": "merchant", "name": "Acme Owner"}
    assert event["attachments"] == []
    timeline = owner.get(f"{URL}{dispute.pk}/timeline/").json()["results"]
    assert timeline[-1] == event


def test_accepting_a_proposal_stays_within_its_budget(world, disputes, owner):
    dispute = disputes.in_state(DisputeStatus.RESOLUTION_PROPOSED)
    proposal = dispute.open_proposal
    response, ran = post(owner, f"{URL}{dispute.pk}/proposals/{proposal.pk}/accept/", {})
    assert len(ran) == len(ACCEPT_STATEMENTS) <= ACCEPT_BUDGET, explain(ran, ACCEPT_STATEMENTS)
    answer = response.json()
    # The answer built from what the service wrote is the one a fresh read gives.
    assert answer == owner.get(f"{URL}{dispute.pk}/").json()
    assert answer["status"] == DisputeStatus.RESOLUTION_ACCEPTED
    assert answer["resolution"]["id"] == str(proposal.pk)
    assert answer["respond_by"]
