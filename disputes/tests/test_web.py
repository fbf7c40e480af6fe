"""Dashboard and portal pages: who reaches which page, and every form does what it says."""

import html
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from core.tenancy import cross_tenant_scope
from disputes import services
from disputes.models import Attachment, CostDefault, Dispute, EvidenceRequirement, TimelineEvent
from disputes.tests.conftest import MERCHANT_PROPOSED
from disputes.tests.samples import pdf_bytes, png_upload, upload


@pytest.fixture
def browser_as(client, world):
    def login(caller):
        client.force_login(world.users[caller])
        return client

    return login


def events_of(dispute):
    with cross_tenant_scope(reason="test"):
        return list(
            TimelineEvent.cross_tenant_objects.filter(dispute=dispute).values_list(
                "type", flat=True
            )
        )


def test_dashboard_list_with_counts_and_filters(browser_as, disputes):
    problem = disputes.open(kind="problem", reason="not_received")
    refund = disputes.open(supplier="yiwu", kind="refund", reason="no_tracking")
    disputes.in_state("closed")
    client = browser_as("acme_viewer")
    page = client.get("/app/disputes/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-status="awaiting_supplier">Awaiting supplier <span class="count">2</span>' in text
    assert 'data-status="closed">Closed <span class="count">1</span>' in text
    filtered = client.get("/app/disputes/", {"supplier": "yiwu-goods"}).content.decode()
    assert f"/app/disputes/{refund.pk}/" in filtered
    assert f"/app/disputes/{problem.pk}/" not in filtered
    partial = client.get("/app/disputes/", {"kind": "problem"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content
    assert f"/app/disputes/{problem.pk}/".encode() in partial.content
    assert f"/app/disputes/{refund.pk}/".encode() not in partial.content


def test_supplier_is_sent_home_from_the_dashboard_and_merchant_from_the_portal(browser_as):
    assert browser_as("shenzhen_agent").get("/app/disputes/")["Location"] == "/"
    assert browser_as("acme_owner").get("/portal/disputes/")["Location"] == "/"


def test_portal_inbox_lists_every_merchants_disputes_with_the_merchant_named(browser_as, disputes):
    acme = disputes.open()
    globex = disputes.open("globex_owner")
    yiwu = disputes.open(supplier="yiwu")
    text = browser_as("shenzhen_agent").get("/portal/disputes/").content.decode()
    assert '<div class="cell">Acme Outdoor</div>' in text
    assert '<div class="cell">Globex Home</div>' in text
    assert f"/portal/disputes/{acme.pk}/" in text
    assert f"/portal/disputes/{globex.pk}/" in text
    assert f"/portal/disputes/{yiwu.pk}/" not in text
    assert text.count("Your turn") == 2


def inbox_ids(client, **params) -> list[str]:
    page = client.get("/portal/disputes/", params)
    assert page.status_code == 200
    return re.findall(r'href="/portal/disputes/([0-9a-f-]{36})/"', page.content.decode())


def test_portal_inbox_views_open_waiting_for_me_and_all(browser_as, disputes):
    # Given one dispute in each kind of state for shenzhen
    waiting = disputes.open()  # awaiting the supplier
    merchants_turn = disputes.in_state("awaiting_merchant")
    proposed_by_merchant = disputes.in_state(MERCHANT_PROPOSED)
    proposed_by_supplier = disputes.in_state("resolution_proposed")
    resolved = disputes.in_state("resolved")
    closed = disputes.in_state("closed")
    client = browser_as("shenzhen_agent")
    ids = lambda *found: sorted(str(dispute.pk) for dispute in found)  # noqa: E731

    # Then "Open" (the default) leaves out what is settled
    assert sorted(inbox_ids(client)) == ids(
        waiting, merchants_turn, proposed_by_merchant, proposed_by_supplier
    )
    # And "Waiting for me" keeps what waits on the supplier only
    assert sorted(inbox_ids(client, view="waiting")) == ids(waiting, proposed_by_merchant)
    # And "All" has every one
    assert sorted(inbox_ids(client, view="all")) == ids(
        waiting, merchants_turn, proposed_by_merchant, proposed_by_supplier, resolved, closed
    )
    # And each view's tab counts its disputes
    text = client.get("/portal/disputes/").content.decode()
    assert re.search(r'data-view="open" aria-current="true">Open <span class="count">4<', text)
    assert 'data-view="waiting">Waiting for me <span class="count">2<' in text
    assert 'data-view="all">All <span class="count">6<' in text
    # And an unknown view is a 404
    assert client.get("/portal/disputes/", {"view": "mine"}).status_code == 404


def test_portal_inbox_pages_by_cursor_closest_due_time_first_across_merchants(
    browser_as, disputes, monkeypatch
):
    # Given five disputes for shenzhen, of acme and globex, with deadlines apart, one overdue
    monkeypatch.setattr("disputes.web.views.PAGE_SIZE", 2)
    opened = [disputes.open() for _number in range(3)]
    opened += [disputes.open("globex_owner") for _number in range(2)]
    with cross_tenant_scope(reason="test"):
        for hours, dispute in zip([5, -1, 3, 2, 4], opened, strict=True):
            Dispute.objects.filter(pk=dispute.pk).update(
                respond_by=timezone.now() + timedelta(hours=hours), resolve_by=None
            )
    client = browser_as("shenzhen_agent")

    # When the supplier follows the inbox's "next page" links
    seen, url, pages = [], "/portal/disputes/", 0
    while url:
        page = client.get(url)
        assert page.status_code == 200
        text = page.content.decode()
        seen += re.findall(r'href="/portal/disputes/([0-9a-f-]{36})/"', text)
        found = re.search(r'<a href="(\?[^"]*cursor=[^"]*)">Next page', text)
        url = "/portal/disputes/" + html.unescape(found.group(1)) if found else None
        pages += 1

    # Then every dispute came once, the overdue one first, then the closest due time
    assert pages == 3
    expected = [opened[1], opened[3], opened[2], opened[4], opened[0]]
    assert seen == [str(dispute.pk) for dispute in expected]
    # And a forged cursor is a 404, not a 500
    assert client.get("/portal/disputes/", {"cursor": "not-a-cursor"}).status_code == 404


@pytest.mark.parametrize(
    ("caller", "path"),
    [("globex_owner", "/app/disputes/{pk}/"), ("yiwu_admin", "/portal/disputes/{pk}/")],
)
def test_foreign_dispute_pages_are_404(browser_as, disputes, caller, path):
    dispute = disputes.open()
    assert browser_as(caller).get(path.format(pk=dispute.pk)).status_code == 404


def test_detail_page_shows_the_allowed_actions_only(browser_as, disputes):
    dispute = disputes.open()
    merchant = browser_as("acme_agent").get(f"/app/disputes/{dispute.pk}/").content.decode()
    assert "Save internal note" in merchant
    assert "Escalate to a refund request" in merchant
    assert "Mark as carried out" not in merchant
    viewer = browser_as("acme_viewer").get(f"/app/disputes/{dispute.pk}/").content.decode()
    assert '<form method="post" action="/app/disputes/' not in viewer


def test_viewer_cannot_post(browser_as, disputes):
    dispute = disputes.open()
    response = browser_as("acme_viewer").post(
        f"/app/disputes/{dispute.pk}/messages/", {"body": "hi"}
    )
    assert response.status_code == 403
    assert events_of(dispute) == ["status"]


def test_reply_and_note_through_the_page(browser_as, disputes):
    dispute = disputes.open()
    client = browser_as("acme_agent")
    response = client.post(f"/app/disputes/{dispute.pk}/messages/", {"body": "Any news?"})
    assert response.status_code == 302
    client.post(f"/app/disputes/{dispute.pk}/messages/", {"body": "VIP", "internal": "on"})
    assert events_of(dispute) == ["status", "message", "note"]
    # A supplier posting "internal" is refused with a message, and nothing is written.
    supplier = browser_as("shenzhen_agent")
    supplier.post(f"/portal/disputes/{dispute.pk}/messages/", {"body": "x", "internal": "on"})
    assert events_of(dispute) == ["status", "message", "note"]


def test_htmx_action_answers_with_the_panel_and_its_message(browser_as, disputes):
    dispute = disputes.open()
    client = browser_as("shenzhen_agent")
    response = client.post(
        f"/portal/disputes/{dispute.pk}/messages/",
        {"body": "Checking with the carrier"},
        HTTP_HX_REQUEST="true",
        follow=True,
    )
    text = response.content.decode()
    assert "<html" not in text
    assert 'id="dispute"' in text
    assert "Message sent." in text
    assert "Checking with the carrier" in text


def test_refused_action_says_why(browser_as, disputes):
    dispute = disputes.in_state("closed")
    response = browser_as("acme_agent").post(f"/app/disputes/{dispute.pk}/close/", {}, follow=True)
    assert "This is not possible while the dispute is closed." in response.content.decode()


def test_full_journey_through_the_pages(browser_as, disputes, client):
    dispute = disputes.open()
    supplier = browser_as("shenzhen_agent")
    supplier.post(f"/portal/disputes/{dispute.pk}/proposals/", {"resolution": "reship"})
    proposal = Dispute.cross_tenant_objects.get(pk=dispute.pk).open_proposal_id
    merchant = browser_as("acme_agent")
    merchant.post(f"/app/disputes/{dispute.pk}/proposals/{proposal}/accept/", {})
    supplier = browser_as("shenzhen_agent")
    supplier.post(
        f"/portal/disputes/{dispute.pk}/fulfil/", {"tracking_number": "1Z999AA10123456784"}
    )
    merchant = browser_as("acme_agent")
    merchant.post(f"/app/disputes/{dispute.pk}/close/", {"note": "Thanks"})
    assert disputes.refresh(dispute).status == "closed"


def test_upload_from_the_page_answers_json_for_the_drop_zone(browser_as, disputes):
    dispute = disputes.in_state("awaiting_evidence")
    client = browser_as("acme_agent")
    response = client.post(
        f"/app/disputes/{dispute.pk}/attachments/",
        {"file": png_upload("crack.png")},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 201
    assert response.json()["stored"][0]["filename"] == "crack.png"
    assert disputes.refresh(dispute).status == "awaiting_supplier"
    forged = client.post(
        f"/app/disputes/{dispute.pk}/attachments/",
        {"file": upload("x.png", b"<html><script>alert(1)</script></html>")},
        HTTP_ACCEPT="application/json",
    )
    assert forged.status_code == 415
    assert "accepted" in forged.json()["detail"]


def test_previews_only_for_images_and_only_for_parties(browser_as, disputes):
    dispute = disputes.open()
    client = browser_as("acme_agent")
    client.post(f"/app/disputes/{dispute.pk}/attachments/", {"file": png_upload()})
    client.post(
        f"/app/disputes/{dispute.pk}/attachments/", {"file": upload("bill.pdf", pdf_bytes())}
    )
    with cross_tenant_scope(reason="test"):
        image, pdf = Attachment.cross_tenant_objects.filter(dispute=dispute).order_by("created_at")
    preview = client.get(f"/app/disputes/attachments/{image.pk}/")
    assert preview.status_code == 200
    assert preview["Content-Disposition"].startswith("inline")
    assert preview["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/app/disputes/attachments/{pdf.pk}/").status_code == 404
    download = client.get(f"/app/disputes/attachments/{pdf.pk}/download/")
    assert download["Content-Disposition"].startswith("attachment")
    supplier = browser_as("shenzhen_agent")
    assert supplier.get(f"/portal/disputes/attachments/{image.pk}/").status_code == 200
    other = browser_as("yiwu_admin")
    assert other.get(f"/portal/disputes/attachments/{image.pk}/").status_code == 404
    assert (
        browser_as("globex_owner").get(f"/app/disputes/attachments/{image.pk}/").status_code == 404
    )


def test_open_a_dispute_from_an_order_with_photos(browser_as, disputes):
    order = disputes.order(lines=[("shenzhen", 1, "7.50"), ("ali", 1, "3.00")])
    client = browser_as("acme_agent")
    page = client.get(f"/app/disputes/new/?order={order.pk}").content.decode()
    assert "Not verified: dispute on the supplier" in page
    assert 'data-kinds="problem refund"' in page  # damaged belongs to both kinds
    shenzhen_line = next(line for line in disputes.lines(order) if line.unit_price == 7.5)
    response = client.post(
        f"/app/disputes/new/?order={order.pk}",
        {
            "lines": [str(shenzhen_line.pk)],
            "kind": "problem",
            "reason": "wrong_item",
            "description": "Red instead of blue",
            "files": [png_upload("red.png")],
        },
    )
    assert response.status_code == 302
    dispute = Dispute.cross_tenant_objects.get(order=order)
    assert response["Location"] == f"/app/disputes/{dispute.pk}/"
    # The photo came with the form, so the supplier is asked at once, and no notice asks
    # for a photo that is already there.
    assert dispute.status == "awaiting_supplier"
    assert "evidence_needed" not in timeline_codes(dispute)
    assert "evidence_received" in timeline_codes(dispute)


def timeline_codes(dispute) -> list[str]:
    with cross_tenant_scope(reason="test"):
        events = TimelineEvent.cross_tenant_objects.filter(dispute=dispute).order_by("position")
        return [event.data.get("code", "") for event in events]


def test_open_with_a_file_that_is_no_evidence_still_asks_for_a_photo(browser_as, disputes):
    order = disputes.order()
    client = browser_as("acme_agent")
    line = disputes.lines(order)[0]
    response = client.post(
        f"/app/disputes/new/?order={order.pk}",
        {
            "lines": [str(line.pk)],
            "kind": "problem",
            "reason": "wrong_item",
            "description": "Invoice attached",
            "files": [upload("invoice.pdf", pdf_bytes(), "application/pdf")],
        },
    )
    assert response.status_code == 302
    dispute = Dispute.cross_tenant_objects.get(order=order)
    assert dispute.status == "awaiting_evidence"
    codes = timeline_codes(dispute)
    assert codes.count("evidence_needed") == 1
    assert codes.index("attached") < codes.index("evidence_needed")


def test_open_form_shows_the_services_refusal(browser_as, disputes):
    order = disputes.order()
    client = browser_as("acme_agent")
    line = disputes.lines(order)[0]
    response = client.post(
        f"/app/disputes/new/?order={order.pk}",
        {"lines": [str(line.pk)], "kind": "refund", "reason": "wrong_item", "description": "x"},
    )
    assert response.status_code == 400
    assert "is not a reason for a refund request" in response.content.decode()


def test_order_picker_and_unknown_order(browser_as, disputes):
    order = disputes.order()
    client = browser_as("acme_agent")
    picked = client.get("/app/disputes/new/", {"q": order.external_id}).content.decode()
    assert f"?order={order.pk}" in picked
    foreign = disputes.order(merchant="globex")
    assert client.get(f"/app/disputes/new/?order={foreign.pk}").status_code == 404
    assert client.get("/app/disputes/new/?order=nope").status_code == 404


def test_managers_tighten_the_evidence_policy_and_set_cost_defaults(browser_as, disputes):
    client = browser_as("acme_manager")
    page = client.get("/app/disputes/rules/").content.decode()
    assert 'value="damaged" checked disabled' in page
    client.post("/app/disputes/rules/", {"form": "evidence", "reasons": ["not_received"]})
    assert list(EvidenceRequirement.cross_tenant_objects.values_list("reason", flat=True)) == [
        "not_received"
    ]
    assert disputes.open(reason="not_received").status == "awaiting_evidence"
    costs = {
        "form": "costs",
        "supplier-shipping": "supplier",
        "supplier-restocking": "supplier",
        "carrier-shipping": "merchant",
        "carrier-restocking": "merchant",
        "customer-shipping": "customer",
        "customer-restocking": "customer",
    }
    client.post("/app/disputes/rules/", costs)
    row = CostDefault.cross_tenant_objects.get(fault="carrier")
    assert row.return_shipping_paid_by == "merchant"


@pytest.mark.parametrize("caller", ["acme_agent", "acme_viewer"])
def test_agents_and_viewers_read_the_rules_but_cannot_change_them(browser_as, caller):
    client = browser_as(caller)
    assert client.get("/app/disputes/rules/").status_code == 200
    response = client.post("/app/disputes/rules/", {"form": "evidence", "reasons": ["other"]})
    assert response.status_code == 403
    assert not EvidenceRequirement.cross_tenant_objects.exists()


def test_unknown_page_actions_are_404(browser_as, disputes):
    dispute = disputes.open()
    client = browser_as("acme_agent")
    assert client.post(f"/app/disputes/{dispute.pk}/explode/", {}).status_code == 404
    assert client.post(f"/app/disputes/{dispute.pk}/accept/", {}).status_code == 404
    proposal_path = f"/app/disputes/{dispute.pk}/proposals/{dispute.pk}/close/"
    assert client.post(proposal_path, {}).status_code == 404
    assert disputes.refresh(dispute).status == "awaiting_supplier"


def test_dashboard_status_counts_stop_at_the_cap(browser_as, disputes, monkeypatch):
    monkeypatch.setattr("disputes.web.views.COUNT_CAP", 2)
    for _number in range(3):
        disputes.open()
    disputes.in_state("closed")
    text = browser_as("acme_viewer").get("/app/disputes/").content.decode()
    assert 'data-status="awaiting_supplier">Awaiting supplier <span class="count">2+</span>' in text
    assert 'data-status="closed">Closed <span class="count">1</span>' in text
    assert 'All <span class="count">3+</span>' in text


def test_a_resolved_reship_reads_as_such(browser_as, disputes):
    dispute = disputes.open()
    disputes.call(
        "shenzhen_agent", services.proposal_create, dispute, resolution="reship", fault="supplier"
    )
    proposal = disputes.refresh(dispute).open_proposal
    disputes.call("acme_agent", services.proposal_accept, dispute, proposal=proposal)
    disputes.call(
        "shenzhen_agent", services.dispute_fulfil, dispute, tracking_number="1Z999AA10123456784"
    )
    assert disputes.refresh(dispute).status == "resolved"
    page = browser_as("acme_agent").get(f"/app/disputes/{dispute.pk}/").content.decode()
    assert "At fault: supplier." in page
    assert "restocking by" not in page  # a reship has no return to restock
    assert "UPS 1Z999AA10123456784" in page
    # Resolved: it closes by itself after a quiet period; nobody has to act.
    assert re.search(r'<dd class="turn">\s*Nobody\s*</dd>', page)
