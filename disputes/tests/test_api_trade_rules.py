"""Issue 8's dispute rules as callers reach them: the API per role, the pages, the admin."""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from accounts.actors import Actor
from accounts.tests.factories import UserFactory
from core.tenancy import cross_tenant_scope
from disputes import services
from disputes.models import Dispute, Proposal, TimelineEvent
from disputes.tests.samples import png_upload

URL = "/api/v1/disputes/"
START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def browser_as(client, world):
    def login(caller):
        client.force_login(world.users[caller])
        return client

    return login


@pytest.fixture
def operator(db, client):
    client.force_login(UserFactory(email="operator@redress.test", is_staff=True, is_superuser=True))
    return client


def open_body(disputes, order, **fields):
    return {
        "order": str(order.pk),
        "lines": [str(line.pk) for line in disputes.lines(order)],
        "kind": "refund",
        "reason": "not_received",
        "description": "About the order.",
        **fields,
    }


def shipped_order(disputes, **fields):
    order = disputes.order(**fields)
    with cross_tenant_scope(reason="test"):
        order.lines.update(shipped_at=timezone.now() - timedelta(days=1))
    return order


def dispute_count():
    with cross_tenant_scope(reason="test"):
        return Dispute.cross_tenant_objects.count()


def post(world, caller, dispute, path, body=None):
    return world.client(caller).post(f"{URL}{dispute.pk}/{path}", body or {}, format="json")


def with_evidence(disputes):
    dispute = disputes.open(kind="refund", reason="damaged")
    disputes.call("acme_agent", services.dispute_attachment_add, dispute, upload=png_upload())
    return disputes.refresh(dispute)


def decided(disputes, world, dispute, decision="refund"):
    with cross_tenant_scope(reason="test"):
        services.dispute_arbitrate(
            actor=Actor.platform(user=world.users["acme_owner"]),
            dispute=disputes.refresh(dispute),
            decision=decision,
            reason="Decided.",
        )
    return disputes.refresh(dispute)


# 1. Before-shipment reasons only before shipment


@pytest.mark.parametrize(
    "reason", ["out_of_stock", "oversized", "shipping_delayed", "supplier_unresponsive"]
)
def test_api_refuses_a_before_shipment_reason_on_a_shipped_line(world, disputes, reason):
    order = shipped_order(disputes)
    before = dispute_count()
    response = world.client("acme_agent").post(
        URL, open_body(disputes, order, reason=reason), format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == body["reason"][0]
    assert "applies only before shipment" in body["detail"]
    assert "Reasons that fit a shipped line: damaged, customer_wrong_size" in body["detail"]
    assert dispute_count() == before


@pytest.mark.parametrize("reason", ["customer_cancelled", "wrong_address"])
def test_api_interception_reasons_need_a_domestic_parcel_once_shipped(world, disputes, reason):
    client = world.client("acme_agent")
    abroad = shipped_order(disputes, ship_country="US")
    refused = client.post(URL, open_body(disputes, abroad, reason=reason), format="json")
    assert refused.status_code == 400
    assert "international parcel cannot be intercepted" in refused.json()["reason"][0]
    domestic = shipped_order(disputes, ship_country="CN")
    opened = client.post(URL, open_body(disputes, domestic, reason=reason), format="json")
    assert opened.status_code == 201, opened.json()


@pytest.mark.parametrize("kind", ["problem", "refund"])
def test_api_opens_part_of_the_order_missing_with_evidence_required(world, disputes, kind):
    order = disputes.order()
    response = world.client("acme_agent").post(
        URL, open_body(disputes, order, kind=kind, reason="missing_item"), format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "awaiting_evidence"
    assert response.json()["evidence_required"] is True


# 2. Every wait has a due time


def test_api_respond_by_is_the_evidence_deadline_while_evidence_is_awaited(clock, world, disputes):
    dispute = disputes.open(kind="refund", reason="damaged")
    for caller in ("acme_viewer", "shenzhen_agent"):
        body = world.client(caller).get(f"{URL}{dispute.pk}/").json()
        assert body["status"] == "awaiting_evidence"
        assert body["respond_by"] == "2027-03-04T09:00:00Z"


def test_pages_show_due_times_as_a_countdown_with_the_exact_time_on_hover(
    clock, browser_as, disputes
):
    dispute = disputes.open(kind="refund", reason="damaged")
    countdown = (
        '<time class="due" datetime="2027-03-04T09:00:00+00:00" '
        'title="March 4, 2027, 9 a.m.">3 days left</time>'
    )
    merchant = browser_as("acme_viewer")
    assert countdown in merchant.get("/app/disputes/").content.decode()
    assert countdown in merchant.get(f"/app/disputes/{dispute.pk}/").content.decode()
    clock.move_to(START + timedelta(days=3, hours=4))
    supplier = browser_as("shenzhen_agent")
    inbox = supplier.get("/portal/disputes/").content.decode()
    assert ">overdue by 4 h</time>" in inbox
    assert 'class="due overdue"' in inbox


# 3. Arbitration is decided once


def test_api_asking_for_arbitration_twice_while_pending_is_409(world, disputes):
    dispute = disputes.in_state("in_arbitration")
    for caller in ("acme_agent", "shenzhen_agent"):
        response = post(world, caller, dispute, "escalate/", {"to": "arbitration"})
        assert response.status_code == 409
        assert "in arbitration" in response.json()["detail"]
    assert disputes.refresh(dispute).status == "in_arbitration"


def test_api_and_pages_offer_no_second_arbitration_after_the_decision(world, disputes, browser_as):
    dispute = decided(disputes, world, disputes.in_state("in_arbitration"))
    assert dispute.status == "resolution_accepted"
    detail = world.client("acme_agent").get(f"{URL}{dispute.pk}/").json()
    assert "escalate_to_arbitration" not in detail["allowed_actions"]
    response = post(world, "acme_agent", dispute, "escalate/", {"to": "arbitration"})
    assert response.status_code == 409
    assert "already decided" in response.json()["detail"]
    assert disputes.refresh(dispute).status == "resolution_accepted"
    page = browser_as("acme_agent").get(f"/app/disputes/{dispute.pk}/").content.decode()
    assert "Ask for arbitration" not in page
    before = browser_as("acme_agent").get(
        f"/app/disputes/{disputes.in_state('awaiting_merchant').pk}/"
    )
    assert "Ask for arbitration" in before.content.decode()


# 4. Evidence is reviewed


@pytest.mark.parametrize(
    ("caller", "status"),
    [
        (None, 401),
        ("acme_owner", 403),
        ("acme_agent", 403),
        ("acme_viewer", 403),
        ("globex_owner", 404),
        ("yiwu_admin", 404),
        ("shenzhen_agent", 200),
    ],
)
def test_api_only_the_supplier_accepts_the_evidence(world, disputes, caller, status):
    dispute = with_evidence(disputes)
    client = world.client(caller)
    response = client.post(f"{URL}{dispute.pk}/evidence/accept/", {}, format="json")
    assert response.status_code == status
    accepted_at = disputes.refresh(dispute).evidence_accepted_at
    if status == 200:
        body = response.json()
        assert body["evidence_accepted_at"] is not None
        assert "accept_evidence" not in body["allowed_actions"]
        assert accepted_at is not None
    else:
        assert accepted_at is None
        if status == 404:
            assert response.json() == {"detail": "Not found."}


def test_api_evidence_actions_appear_in_allowed_actions_for_the_supplier_only(world, disputes):
    dispute = with_evidence(disputes)
    supplier = world.client("shenzhen_agent").get(f"{URL}{dispute.pk}/").json()
    assert {"accept_evidence", "request_evidence"} <= set(supplier["allowed_actions"])
    merchant = world.client("acme_agent").get(f"{URL}{dispute.pk}/").json()
    assert not {"accept_evidence", "request_evidence"} & set(merchant["allowed_actions"])


def test_api_supplier_asks_for_more_evidence_with_a_message(clock, world, disputes):
    dispute = with_evidence(disputes)
    url = f"{URL}{dispute.pk}/evidence/request/"
    client = world.client("shenzhen_agent")
    missing = client.post(url, {}, format="json")
    assert missing.status_code == 400
    assert "message" in missing.json()
    assert disputes.refresh(dispute).status == "awaiting_supplier"
    assert world.client("acme_agent").post(url, {"message": "x"}, format="json").status_code == 403
    clock.move_to(START + timedelta(hours=6))
    response = client.post(url, {"message": "Show the label, please."}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "awaiting_evidence"
    assert body["respond_by"] == "2027-03-04T15:00:00Z"  # the 3 days start again
    timeline = world.client("acme_agent").get(f"{URL}{dispute.pk}/timeline/").json()["results"]
    assert timeline[-1]["body"] == "Asked for more evidence.\n\nShow the label, please."
    assert timeline[-1]["author"]["party"] == "supplier"


def test_api_evidence_review_without_evidence_is_409(world, disputes):
    dispute = disputes.in_state("awaiting_supplier")
    for path in ("evidence/accept/", "evidence/request/"):
        response = post(world, "shenzhen_agent", dispute, path, {"message": "More."})
        assert response.status_code == 409
    dispute = with_evidence(disputes)
    assert post(world, "shenzhen_agent", dispute, "evidence/accept/").status_code == 200
    assert post(world, "shenzhen_agent", dispute, "evidence/accept/").status_code == 409


def test_the_schema_documents_the_evidence_review_endpoints(world):
    paths = world.client("acme_owner").get("/api/schema/?format=json").json()["paths"]
    assert "post" in paths["/api/v1/disputes/{id}/evidence/accept/"]
    assert "post" in paths["/api/v1/disputes/{id}/evidence/request/"]


def test_the_portal_page_reviews_the_evidence(browser_as, disputes):
    dispute = with_evidence(disputes)
    client = browser_as("shenzhen_agent")
    page = client.get(f"/portal/disputes/{dispute.pk}/").content.decode()
    assert "Accept the evidence" in page
    assert "Ask for more evidence" in page
    client.post(f"/portal/disputes/{dispute.pk}/request_evidence/", {"message": "Blurry."})
    assert disputes.refresh(dispute).status == "awaiting_evidence"
    disputes.call("acme_agent", services.dispute_attachment_add, dispute, upload=png_upload())
    client.post(f"/portal/disputes/{dispute.pk}/accept_evidence/")
    assert disputes.refresh(dispute).evidence_accepted_at is not None
    merchant_page = browser_as("acme_agent").get(f"/app/disputes/{dispute.pk}/").content.decode()
    assert "Accept the evidence" not in merchant_page
    assert "the claim is verified." in merchant_page


def test_the_merchant_page_says_the_evidence_awaits_review(browser_as, disputes):
    dispute = with_evidence(disputes)
    page = browser_as("acme_viewer").get(f"/app/disputes/{dispute.pk}/").content.decode()
    assert "Received; the supplier reviews it." in page
    assert "Accept the evidence" not in page


def test_the_operator_accepts_the_evidence_in_the_admin(operator, world, disputes):
    dispute = with_evidence(disputes)
    disputes.call("acme_agent", services.dispute_escalate, dispute, to="arbitration")
    case = f"/admin/disputes/arbitrationcase/{dispute.pk}/"
    page = operator.get(f"{case}change/").content.decode()
    assert f"{case}accept-evidence/" in page
    assert operator.get(f"{case}accept-evidence/").status_code == 405
    response = operator.post(f"{case}accept-evidence/")
    assert response.status_code == 302
    assert disputes.refresh(dispute).evidence_accepted_at is not None
    assert f"{case}accept-evidence/" not in operator.get(f"{case}change/").content.decode()


# 5. Only one open proposal


def test_api_a_stale_proposal_answers_409_with_its_real_status(world, disputes):
    dispute = disputes.in_state("resolution_proposed")
    offer = disputes.refresh(dispute).open_proposal
    counter = post(world, "acme_agent", dispute, "proposals/", {"resolution": "reship"})
    assert counter.status_code == 201
    for verb in ("accept", "reject"):
        response = post(world, "acme_agent", dispute, f"proposals/{offer.pk}/{verb}/")
        assert response.status_code == 409
        assert response.json()["detail"] == "This proposal is no longer open (it is superseded)."


def test_api_a_second_open_proposal_is_409_not_500(world, disputes):
    dispute = disputes.in_state("awaiting_supplier")
    with cross_tenant_scope(reason="test"):
        # What a writer racing past the dispute's lock would leave behind.
        Proposal.cross_tenant_objects.create(
            merchant_id=dispute.merchant_id,
            supplier_id=dispute.supplier_id,
            dispute=dispute,
            resolution="reship",
            currency="USD",
            proposed_by_party="supplier",
        )
    response = post(world, "acme_agent", dispute, "proposals/", {"resolution": "refund"})
    assert response.status_code == 409
    assert "already open" in response.json()["detail"]
    with cross_tenant_scope(reason="test"):
        assert Proposal.cross_tenant_objects.filter(dispute=dispute).count() == 1
        assert not TimelineEvent.cross_tenant_objects.filter(
            dispute=dispute, type="proposal"
        ).exists()


# 6. Suppliers never see prices


def test_suppliers_never_see_unit_prices_but_keep_the_amounts_to_answer(world, disputes):
    order = disputes.order(lines=[("shenzhen", 2, "13.37")])
    dispute = disputes.open(order=order, kind="refund", reason="no_tracking")
    disputes.call(
        "acme_agent",
        services.proposal_create,
        dispute,
        resolution="partial_refund",
        amount=Decimal("20.00"),
    )
    supplier = world.client("shenzhen_agent")
    listed = supplier.get(URL).json()["results"][0]
    detail = supplier.get(f"{URL}{dispute.pk}/").json()
    # The list carries no line at all (the detail has them): no price to leak there either.
    assert "lines" not in listed
    assert "unit_price" not in json.dumps(listed)
    assert listed["requested_amount"] == "26.74"
    assert detail["lines"]
    assert all("unit_price" not in line for line in detail["lines"])
    assert detail["requested_amount"] == "26.74"
    assert detail["open_proposal"]["amount"] == "20.00"
    merchant = world.client("acme_viewer").get(f"{URL}{dispute.pk}/").json()
    assert merchant["lines"][0]["unit_price"] == "13.37"


def test_the_portal_dispute_page_shows_no_unit_price(browser_as, disputes):
    order = disputes.order(lines=[("shenzhen", 2, "13.37")])
    dispute = disputes.open(order=order, kind="refund", reason="no_tracking")
    portal = browser_as("shenzhen_agent").get(f"/portal/disputes/{dispute.pk}/").content.decode()
    assert "13.37" not in portal
    assert "26.74" in portal  # the requested amount stays
    dashboard = browser_as("acme_agent").get(f"/app/disputes/{dispute.pk}/").content.decode()
    assert "13.37" in dashboard
