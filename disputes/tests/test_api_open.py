"""POST /api/v1/disputes/: who may open, and every opening rule with its answer."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.tenancy import cross_tenant_scope
from disputes.models import Dispute, DisputeLine, EvidenceRequirement, TimelineEvent

URL = "/api/v1/disputes/"


def counts():
    with cross_tenant_scope(reason="test"):
        return (
            Dispute.cross_tenant_objects.count(),
            DisputeLine.cross_tenant_objects.count(),
            TimelineEvent.cross_tenant_objects.count(),
        )


def body_for(disputes, the_order, **fields):
    return {
        "order": str(the_order.pk),
        "lines": [str(line.pk) for line in disputes.lines(the_order)],
        "kind": "problem",
        "reason": "not_received",
        "description": "The customer never got the parcel.",
        **fields,
    }


@pytest.mark.parametrize("caller", ["acme_owner", "acme_manager", "acme_agent"])
def test_merchant_staff_open_a_dispute_against_the_lines_supplier(world, disputes, caller):
    order = disputes.order(lines=[("shenzhen", 2, "12.50")])
    response = world.client(caller).post(URL, body_for(disputes, order), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"] == 1
    assert body["status"] == "awaiting_supplier"
    assert body["kind"] == "problem"
    assert body["reason"] == "not_received"
    assert body["order"] == str(order.pk)
    assert body["supplier"]["slug"] == "shenzhen-supply"
    assert body["currency"] == "USD"
    assert [line["sku"] for line in body["lines"]] == [disputes.lines(order)[0].sku]
    assert set(body) >= {
        "id", "number", "kind", "reason", "status", "order", "supplier", "lines",
        "description", "requested_amount", "currency", "opened_at", "respond_by",
        "resolve_by", "resolution", "allowed_actions",
    }  # fmt: skip
    assert body["allowed_actions"] == [
        "message", "note", "attach", "propose", "escalate_to_refund", "close",
    ]  # fmt: skip
    respond_by = timezone.datetime.fromisoformat(body["respond_by"])
    resolve_by = timezone.datetime.fromisoformat(body["resolve_by"])
    assert abs(respond_by - (timezone.now() + timedelta(hours=48))) < timedelta(minutes=1)
    assert abs(resolve_by - (timezone.now() + timedelta(days=7))) < timedelta(minutes=1)


def test_numbers_are_sequential_per_merchant(world, disputes):
    for expected in (1, 2, 3):
        order = disputes.order()
        response = world.client("acme_agent").post(URL, body_for(disputes, order), format="json")
        assert response.json()["number"] == expected
    order = disputes.order(merchant="globex")
    response = world.client("globex_owner").post(URL, body_for(disputes, order), format="json")
    assert response.json()["number"] == 1


def test_refund_request_defaults_to_what_was_paid_and_only_rules_set_its_due_times(world, disputes):
    order = disputes.order(lines=[("shenzhen", 3, "10.00")])
    body = body_for(disputes, order, kind="refund", reason="no_tracking")
    response = world.client("acme_agent").post(URL, body, format="json")
    assert response.status_code == 201
    assert response.json()["requested_amount"] == "30.00"
    # No rule bounds the resolution of a refund request that is not a verified claim; the
    # supplier-response rule bounds the supplier's answer.
    assert response.json()["resolve_by"] is None
    respond_by = timezone.datetime.fromisoformat(response.json()["respond_by"])
    assert abs(respond_by - (timezone.now() + timedelta(hours=48))) < timedelta(minutes=1)


@pytest.mark.parametrize(
    ("caller", "status"),
    [("acme_viewer", 403), ("shenzhen_admin", 403), ("yiwu_admin", 403), (None, 401)],
)
def test_others_cannot_open(world, disputes, caller, status):
    order = disputes.order()
    before = counts()
    response = world.client(caller).post(URL, body_for(disputes, order), format="json")
    assert response.status_code == status
    assert counts() == before


def test_another_merchants_order_is_unknown(world, disputes):
    order = disputes.order(merchant="acme")
    before = counts()
    response = world.client("globex_owner").post(URL, body_for(disputes, order), format="json")
    assert response.status_code == 400
    assert response.json()["order"] == ["Unknown order."]
    assert counts() == before


@pytest.mark.parametrize("order_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000", ""])
def test_malformed_or_missing_order_is_400(world, disputes, order_id):
    order = disputes.order()
    body = body_for(disputes, order, order=order_id)
    response = world.client("acme_agent").post(URL, body, format="json")
    assert response.status_code == 400
    assert "order" in response.json()


def test_lines_must_belong_to_the_order(world, disputes):
    order = disputes.order()
    other = disputes.order()
    body = body_for(disputes, order)
    body["lines"] += [str(line.pk) for line in disputes.lines(other)]
    before = counts()
    response = world.client("acme_agent").post(URL, body, format="json")
    assert response.status_code == 400
    assert "lines" in response.json()
    assert counts() == before


def test_lines_of_another_merchant_are_unknown(world, disputes):
    order = disputes.order()
    foreign = disputes.order(merchant="globex")
    body = body_for(disputes, order, lines=[str(line.pk) for line in disputes.lines(foreign)])
    response = world.client("acme_agent").post(URL, body, format="json")
    assert response.status_code == 400
    assert "lines" in response.json()


@pytest.mark.parametrize("lines", [[], ["nope"]])
def test_empty_or_malformed_lines_are_400(world, disputes, lines):
    order = disputes.order()
    response = world.client("acme_agent").post(
        URL, body_for(disputes, order, lines=lines), format="json"
    )
    assert response.status_code == 400
    assert "lines" in response.json()


def test_lines_of_two_suppliers_are_refused(world, disputes):
    order = disputes.order(lines=[("shenzhen", 1, "5.00"), ("yiwu", 1, "5.00")])
    before = counts()
    response = world.client("acme_agent").post(URL, body_for(disputes, order), format="json")
    assert response.status_code == 400
    assert "different suppliers" in response.json()["lines"][0]
    assert counts() == before


def test_unverified_supplier_is_sent_to_its_own_platform(world, disputes):
    order = disputes.order(lines=[("ali", 1, "5.00")])
    response = world.client("acme_agent").post(URL, body_for(disputes, order), format="json")
    assert response.status_code == 400
    assert "own platform" in response.json()["detail"]
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize(
    ("kind", "reason"),
    [("problem", "out_of_stock"), ("refund", "wrong_item"), ("refund", "tracking_invalid")],
)
def test_reason_must_belong_to_the_kind(world, disputes, kind, reason):
    order = disputes.order()
    response = world.client("acme_agent").post(
        URL, body_for(disputes, order, kind=kind, reason=reason), format="json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()


def test_unknown_reason_and_kind_are_400(world, disputes):
    order = disputes.order()
    response = world.client("acme_agent").post(
        URL, body_for(disputes, order, kind="complaint", reason="bored"), format="json"
    )
    assert response.status_code == 400
    assert {"kind", "reason"} <= set(response.json())


@pytest.mark.parametrize("amount", ["25.01", "1000", "0", "-5"])
def test_requested_amount_cannot_exceed_what_was_paid(world, disputes, amount):
    order = disputes.order(lines=[("shenzhen", 2, "12.50")])
    body = body_for(disputes, order, kind="refund", reason="no_tracking", requested_amount=amount)
    response = world.client("acme_agent").post(URL, body, format="json")
    assert response.status_code == 400
    assert "requested_amount" in response.json()


def test_requested_amount_up_to_what_was_paid_is_accepted(world, disputes):
    order = disputes.order(lines=[("shenzhen", 2, "12.50")])
    body = body_for(disputes, order, kind="refund", reason="no_tracking", requested_amount="25")
    response = world.client("acme_agent").post(URL, body, format="json")
    assert response.status_code == 201
    assert Decimal(response.json()["requested_amount"]) == Decimal("25.00")


def test_a_line_has_one_open_dispute_at_a_time(world, disputes):
    order = disputes.order(lines=[("shenzhen", 1, "5.00"), ("shenzhen", 1, "7.00")])
    client = world.client("acme_agent")
    first = client.post(URL, body_for(disputes, order), format="json").json()
    before = counts()
    # Another dispute naming one of the same lines points to the open one.
    line = disputes.lines(order)[1]
    response = client.post(URL, body_for(disputes, order, lines=[str(line.pk)]), format="json")
    assert response.status_code == 409
    assert response.json()["dispute"] == {"id": first["id"], "number": first["number"]}
    assert "#1" in response.json()["detail"]
    assert counts() == before
    # Once it is closed, the lines are free again.
    client.post(f"{URL}{first['id']}/close/", {}, format="json")
    again = client.post(URL, body_for(disputes, order), format="json")
    assert again.status_code == 201
    assert again.json()["number"] == 2


@pytest.mark.parametrize("reason", ["damaged", "wrong_item", "not_as_described"])
def test_reasons_needing_evidence_wait_for_it_before_asking_the_supplier(world, disputes, reason):
    order = disputes.order()
    response = world.client("acme_agent").post(
        URL, body_for(disputes, order, reason=reason), format="json"
    )
    body = response.json()
    assert body["status"] == "awaiting_evidence"
    # The merchant waits on itself: a problem report has no evidence deadline of its own,
    # so the merchant must attach it before the report is due (API.md: every wait is due).
    assert body["respond_by"] is not None
    assert body["respond_by"] == body["resolve_by"]
    assert body["evidence_required"] is True
    assert body["evidence_missing"] is True
    supplier_view = world.client("shenzhen_agent").get(f"{URL}{body['id']}/").json()
    assert supplier_view["allowed_actions"] == ["message", "attach"]
    assert supplier_view["waiting_on"] == "merchant"


def test_merchant_can_tighten_the_evidence_policy(world, disputes):
    EvidenceRequirement.cross_tenant_objects.create(merchant=world.acme, reason="not_received")
    order = disputes.order()
    response = world.client("acme_agent").post(URL, body_for(disputes, order), format="json")
    assert response.json()["status"] == "awaiting_evidence"
    # Another merchant keeps the default.
    order = disputes.order(merchant="globex")
    response = world.client("globex_owner").post(URL, body_for(disputes, order), format="json")
    assert response.json()["status"] == "awaiting_supplier"


def test_wrong_address_cannot_stop_an_international_parcel_that_left(world, disputes):
    order = disputes.order(is_international=True)
    with cross_tenant_scope(reason="test"):
        order.lines.update(shipped_at=timezone.now())
    body = body_for(disputes, order, kind="refund", reason="wrong_address")
    response = world.client("acme_agent").post(URL, body, format="json")
    assert response.status_code == 400
    assert "intercepted" in response.json()["reason"][0]
