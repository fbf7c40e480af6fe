"""Idempotency-Key on every POST: a retry gets the first answer and nothing happens twice."""

import pytest

from core.models import IdempotentRequest
from core.tenancy import cross_tenant_scope
from disputes.models import Dispute, TimelineEvent
from disputes.tests.samples import image_bytes, upload

URL = "/api/v1/disputes/"


def open_body(disputes, order):
    return {
        "order": str(order.pk),
        "lines": [str(line.pk) for line in disputes.lines(order)],
        "kind": "problem",
        "reason": "not_received",
    }


def event_count(dispute):
    with cross_tenant_scope(reason="test"):
        return TimelineEvent.cross_tenant_objects.filter(dispute=dispute).count()


def test_repeated_open_returns_the_first_answer_and_opens_once(world, disputes):
    order = disputes.order()
    client = world.client("acme_agent")
    first = client.post(URL, open_body(disputes, order), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    again = client.post(URL, open_body(disputes, order), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Dispute.cross_tenant_objects.count() == 1


def test_same_key_with_another_body_is_422_and_does_nothing(world, disputes):
    client = world.client("acme_agent")
    first_order, second_order = disputes.order(), disputes.order()
    client.post(URL, open_body(disputes, first_order), format="json", HTTP_IDEMPOTENCY_KEY="k")
    response = client.post(
        URL, open_body(disputes, second_order), format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert response.status_code == 422
    assert "different request" in response.json()["detail"]
    assert Dispute.cross_tenant_objects.count() == 1


def test_keys_belong_to_the_caller(world, disputes):
    # The same key from another user or organization is a different request altogether.
    dispute = disputes.open()
    for caller in ("acme_agent", "acme_owner", "shenzhen_agent"):
        response = world.client(caller).post(
            f"{URL}{dispute.pk}/messages/",
            {"body": "Same words"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="shared",
        )
        assert response.status_code == 201
    assert event_count(dispute) == 4


@pytest.mark.parametrize(
    ("state", "caller", "path", "body"),
    [
        ("awaiting_supplier", "shenzhen_agent", "messages/", {"body": "Hello"}),
        ("awaiting_supplier", "shenzhen_agent", "proposals/", {"resolution": "refund"}),
        ("resolution_accepted", "shenzhen_agent", "fulfil/", {"refund_reference": "R-1"}),
        ("awaiting_supplier", "acme_agent", "escalate/", {"to": "arbitration"}),
        ("awaiting_supplier", "acme_agent", "close/", {}),
        ("closed", "acme_agent", "reopen/", {}),
    ],
)
def test_every_transition_post_replays(world, disputes, state, caller, path, body):
    dispute = disputes.in_state(state)
    client = world.client(caller)
    first = client.post(f"{URL}{dispute.pk}/{path}", body, format="json", HTTP_IDEMPOTENCY_KEY="x")
    events = event_count(dispute)
    again = client.post(f"{URL}{dispute.pk}/{path}", body, format="json", HTTP_IDEMPOTENCY_KEY="x")
    assert first.status_code in (200, 201), first.json()
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert event_count(dispute) == events


def test_accept_replays_instead_of_409(world, disputes):
    dispute = disputes.in_state("resolution_proposed")
    proposal = disputes.refresh(dispute).open_proposal
    client = world.client("acme_agent")
    path = f"{URL}{dispute.pk}/proposals/{proposal.pk}/accept/"
    first = client.post(path, {}, format="json", HTTP_IDEMPOTENCY_KEY="acc")
    again = client.post(path, {}, format="json", HTTP_IDEMPOTENCY_KEY="acc")
    assert first.status_code == again.status_code == 200
    # Without the key, a second acceptance is what it is: a conflict.
    assert client.post(path, {}, format="json").status_code == 409


def test_upload_replays_and_stores_one_file(world, disputes):
    dispute = disputes.open()
    client = world.client("acme_agent")
    content = image_bytes("PNG")
    answers = [
        client.post(
            f"{URL}{dispute.pk}/attachments/",
            {"file": upload("a.png", content)},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="up",
        )
        for _attempt in range(2)
    ]
    assert answers[0].json() == answers[1].json()
    different = client.post(
        f"{URL}{dispute.pk}/attachments/",
        {"file": upload("a.png", image_bytes("PNG", colour=(0, 0, 0)))},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="up",
    )
    assert different.status_code == 422
    with cross_tenant_scope(reason="test"):
        assert dispute.attachments.count() == 1


def test_failed_request_frees_its_key(world, disputes):
    dispute = disputes.open()
    client = world.client("acme_agent")
    path = f"{URL}{dispute.pk}/messages/"
    bad = client.post(path, {"body": ""}, format="json", HTTP_IDEMPOTENCY_KEY="retry")
    assert bad.status_code == 400
    good = client.post(path, {"body": "Fixed"}, format="json", HTTP_IDEMPOTENCY_KEY="retry")
    assert good.status_code == 201


def test_a_key_still_running_is_409(world, disputes):
    dispute = disputes.open()
    user = world.users["acme_agent"]
    client = world.client("acme_agent")
    path = f"{URL}{dispute.pk}/messages/"
    client.post(path, {"body": "one"}, format="json", HTTP_IDEMPOTENCY_KEY="busy")
    IdempotentRequest.objects.filter(user=user, key="busy").update(response_status=None)
    response = client.post(path, {"body": "one"}, format="json", HTTP_IDEMPOTENCY_KEY="busy")
    assert response.status_code == 409


def test_overlong_key_is_400(world, disputes):
    dispute = disputes.open()
    response = world.client("acme_agent").post(
        f"{URL}{dispute.pk}/messages/",
        {"body": "x"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k" * 300,
    )
    assert response.status_code == 400
