"""A supplier never receives an internal note, or an internal file, through any path."""

import pytest

from core.tenancy import organization_scope
from disputes import selectors, services
from disputes.models import Attachment, TimelineEvent
from disputes.tests.samples import png_upload

URL = "/api/v1/disputes/"
SECRET = "Customer is lying, keep it between us"


@pytest.fixture
def noted(world, disputes):
    dispute = disputes.open()
    with disputes.acting("acme_agent") as actor:
        internal_file = services.dispute_attachment_add(
            actor=actor,
            dispute=disputes.refresh(dispute),
            upload=png_upload("internal-scan.png"),
            internal=True,
        )
        services.dispute_message_post(
            actor=actor,
            dispute=disputes.refresh(dispute),
            body=SECRET,
            internal=True,
            attachments=[internal_file],
        )
        services.dispute_message_post(
            actor=actor, dispute=disputes.refresh(dispute), body="Please answer."
        )
    return dispute, internal_file


def test_merchant_sees_its_notes(world, noted):
    dispute, internal_file = noted
    events = world.client("acme_viewer").get(f"{URL}{dispute.pk}/timeline/").json()["results"]
    assert [e["type"] for e in events] == ["status", "attachment", "note", "message"]
    assert events[2]["body"] == SECRET
    assert events[2]["attachments"][0]["id"] == str(internal_file.pk)


@pytest.mark.parametrize("caller", ["shenzhen_admin", "shenzhen_agent"])
def test_supplier_timeline_has_no_note_and_no_internal_file(world, noted, caller):
    dispute, internal_file = noted
    response = world.client(caller).get(f"{URL}{dispute.pk}/timeline/")
    text = response.content.decode()
    assert [e["type"] for e in response.json()["results"]] == ["status", "message"]
    assert SECRET not in text
    assert str(internal_file.pk) not in text
    assert "internal-scan" not in text


def test_supplier_detail_and_list_do_not_mention_notes(world, noted):
    dispute, internal_file = noted
    client = world.client("shenzhen_agent")
    for path in (f"{URL}{dispute.pk}/", URL, f"{URL}{dispute.pk}/proposals/"):
        text = client.get(path).content.decode()
        assert SECRET not in text
        assert str(internal_file.pk) not in text


def test_supplier_cannot_download_an_internal_file(world, noted):
    _dispute, internal_file = noted
    response = world.client("shenzhen_agent").get(
        f"/api/v1/attachments/{internal_file.pk}/download/"
    )
    assert response.status_code == 404
    ok = world.client("acme_agent").get(f"/api/v1/attachments/{internal_file.pk}/download/")
    assert ok.status_code == 200


def test_supplier_cannot_write_a_note_or_quote_an_internal_file(world, noted):
    dispute, internal_file = noted
    client = world.client("shenzhen_agent")
    response = client.post(
        f"{URL}{dispute.pk}/messages/", {"body": "x", "internal": True}, format="json"
    )
    assert response.status_code == 403
    response = client.post(
        f"{URL}{dispute.pk}/messages/",
        {"body": "see", "attachments": [str(internal_file.pk)]},
        format="json",
    )
    assert response.status_code == 400


def test_merchant_cannot_quote_an_internal_file_in_a_message(world, noted):
    dispute, internal_file = noted
    response = world.client("acme_agent").post(
        f"{URL}{dispute.pk}/messages/",
        {"body": "see", "attachments": [str(internal_file.pk)]},
        format="json",
    )
    assert response.status_code == 400
    assert "internal" in response.json()["attachments"][0]


def test_supplier_message_response_and_later_reads_stay_clean(world, noted):
    dispute, _internal_file = noted
    response = world.client("shenzhen_agent").post(
        f"{URL}{dispute.pk}/messages/", {"body": "Here is our answer."}, format="json"
    )
    assert response.status_code == 201
    assert SECRET not in response.content.decode()


def test_managers_hide_internal_rows_from_a_supplier_scope(world, noted):
    # Defence in depth: even a query that forgets the filter gets no internal row.
    dispute, internal_file = noted
    with organization_scope(world.shenzhen):
        assert not TimelineEvent.objects.filter(dispute_id=dispute.pk, internal=True).exists()
        assert not TimelineEvent.objects.filter(type="note").exists()
        assert not Attachment.objects.filter(pk=internal_file.pk).exists()
        assert TimelineEvent.objects.filter(dispute_id=dispute.pk).count() == 2
        events = selectors.timeline_for(
            dispute=selectors.dispute_get(dispute_id=dispute.pk), organization=world.shenzhen
        )
        assert all(not event.internal for event in events)


def test_supplier_pages_do_not_show_notes(world, noted, client):
    dispute, internal_file = noted
    client.force_login(world.users["shenzhen_agent"])
    for path in ("/portal/disputes/", f"/portal/disputes/{dispute.pk}/"):
        response = client.get(path)
        assert response.status_code == 200
        text = response.content.decode()
        assert SECRET not in text
        assert str(internal_file.pk) not in text
    preview = client.get(f"/portal/disputes/attachments/{internal_file.pk}/")
    assert preview.status_code == 404
