"""The dispute workspace: the composer sends files with the message, a refusal stays where
the person acted (with what they wrote), and the proposal form follows its resolution."""

import re

import pytest

from core.tenancy import cross_tenant_scope
from disputes import services
from disputes.models import Attachment, TimelineEvent
from disputes.tests.samples import png_upload, upload


@pytest.fixture
def page_as(client, world):
    def login(caller):
        client.force_login(world.users[caller])
        return client

    return login


def events_of(dispute):
    with cross_tenant_scope(reason="test"):
        return list(
            TimelineEvent.cross_tenant_objects.filter(dispute=dispute)
            .order_by("position")
            .values_list("type", flat=True)
        )


def area(page: str, name: str) -> str:
    """The HTML of one area of the workspace (the composer form, a card...)."""
    match = re.search(rf'<(form|section)[^>]*class="[^"]*\b{name}\b.*?</\1>', page, re.S)
    assert match, name
    return match.group(0)


def test_a_reply_with_files_attaches_them_to_the_message(page_as, disputes):
    dispute = disputes.in_state("awaiting_evidence")
    client = page_as("acme_agent")
    response = client.post(
        f"/app/disputes/{dispute.pk}/messages/",
        {"body": "Photo of the crack.", "internal": "", "files": [png_upload("crack.png")]},
        follow=True,
    )
    assert events_of(dispute)[-1] == "message"
    with cross_tenant_scope(reason="test"):
        message = TimelineEvent.cross_tenant_objects.get(dispute=dispute, type="message")
        assert [a.filename for a in message.attachments.all()] == ["crack.png"]
    assert disputes.refresh(dispute).status == "awaiting_supplier"
    page = response.content.decode()
    assert "Message sent." in area(page, "composer")
    # The file shows once, in the message; its own "attached" line is folded away.
    assert page.count('alt="crack.png"') == 1


def test_files_alone_are_attached_without_a_message(page_as, disputes):
    dispute = disputes.open()
    response = page_as("shenzhen_agent").post(
        f"/portal/disputes/{dispute.pk}/messages/",
        {"body": "", "files": [png_upload("label.png")]},
        follow=True,
    )
    assert "Attached: label.png." in area(response.content.decode(), "composer")
    assert "message" not in events_of(dispute)
    assert "attachment" in events_of(dispute)


def test_a_refused_file_sends_nothing_and_keeps_the_draft_next_to_the_reason(page_as, disputes):
    dispute = disputes.open()
    client = page_as("acme_agent")
    before = events_of(dispute)
    response = client.post(
        f"/app/disputes/{dispute.pk}/messages/",
        {
            "body": "See the attached invoice.",
            "files": [upload("invoice.png", b"<html><script>alert(1)</script></html>")],
        },
        HTTP_HX_REQUEST="true",
        follow=True,
    )
    composer = area(response.content.decode(), "composer")
    assert "invoice.png:" in composer
    assert 'role="alert"' in composer
    assert "See the attached invoice.</textarea>" in composer
    assert events_of(dispute) == before
    with cross_tenant_scope(reason="test"):
        assert not Attachment.cross_tenant_objects.filter(dispute=dispute).exists()
    # The draft is given back once: the next visit starts with an empty composer.
    again = client.get(f"/app/disputes/{dispute.pk}/").content.decode()
    assert "See the attached invoice.</textarea>" not in again
    assert "invoice.png:" not in again


def test_an_empty_reply_is_refused_in_the_composer(page_as, disputes):
    dispute = disputes.open()
    response = page_as("acme_agent").post(
        f"/app/disputes/{dispute.pk}/messages/", {"body": "  "}, follow=True
    )
    assert "Write a message." in area(response.content.decode(), "composer")
    assert events_of(dispute) == ["status"]


def test_a_refused_proposal_says_why_on_the_proposal_card(page_as, disputes):
    dispute = disputes.open()
    response = page_as("acme_agent").post(
        f"/app/disputes/{dispute.pk}/proposals/",
        {"resolution": "reship", "amount": "5.00"},
        follow=True,
    )
    page = response.content.decode()
    assert "A reship or replacement carries no amount." in area(page, "proposals")
    assert "A reship or replacement carries no amount." not in area(page, "composer")
    assert "proposal" not in events_of(dispute)


def test_proposal_fields_say_which_resolutions_use_them(page_as, disputes):
    dispute = disputes.open()
    page = page_as("acme_agent").get(f"/app/disputes/{dispute.pk}/").content.decode()
    form = area(page, "proposals")
    amount = re.search(r'<div data-resolutions="([^"]*)">\s*<label for="proposal-amount"', form)
    assert amount
    assert "reship" not in amount.group(1).split()
    assert "partial_refund" in amount.group(1).split()
    restocking = re.search(
        r'<div data-resolutions="([^"]*)">\s*<label for="proposal-restocking"', form
    )
    assert restocking
    assert restocking.group(1) == "return_refund"


def test_supplier_workspace_has_no_internal_notes_and_no_prices(page_as, disputes):
    dispute = disputes.open()
    disputes.call(
        "acme_agent",
        services.dispute_message_post,
        dispute,
        body="VIP customer",
        internal=True,
    )
    page = page_as("shenzhen_agent").get(f"/portal/disputes/{dispute.pk}/").content.decode()
    assert "VIP customer" not in page
    assert "Internal note" not in page
    assert 'class="composer dropzone' in page
    assert "Save internal note" not in page


def test_close_asks_for_a_confirmation_first(page_as, disputes):
    dispute = disputes.in_state("resolved")
    page = page_as("acme_agent").get(f"/app/disputes/{dispute.pk}/").content.decode()
    closing = area(page, "closing")
    assert re.search(
        r"<details class=\"confirm\">\s*<summary>Close the dispute…</summary>", closing
    )
