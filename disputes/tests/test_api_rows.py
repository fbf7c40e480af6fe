"""The API's list, detail and timeline read values, not models, and write their JSON
directly: what they write is what DRF's declared fields write of the models, byte for byte
(the fields stay declared for the schema, and serve here as the reference)."""

from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from core.tenancy import organization_scope
from disputes import selectors, services
from disputes.api import serializers as s
from disputes.models import Dispute, DisputeStatus
from disputes.tests.conftest import MERCHANT_PROPOSED
from disputes.tests.samples import png_upload

URL = "/api/v1/disputes/"
CALLERS = ["acme_owner", "acme_viewer", "shenzhen_agent"]
STATES = [*DisputeStatus.values, MERCHANT_PROPOSED, "reshipped", "assigned"]
# What a list row holds, in its order (the detail's fields less the lines, the description
# and the evidence times; `assignee` for merchants only, `unread` for a reader).
ROW_FIELDS = [
    "id",
    "number",
    "kind",
    "reason",
    "status",
    "order",
    "order_external_id",
    "merchant",
    "supplier",
    "requested_amount",
    "currency",
    "opened_at",
    "respond_by",
    "resolve_by",
    "resolution",
    "open_proposal",
    "allowed_actions",
    "waiting_on",
    "overdue",
    "evidence_required",
    "evidence_missing",
    "closed_at",
    "updated_at",
    "last_activity_at",
    "assignee",
    "unread",
]


@contextmanager
def by_fields():
    """DRF's own field-by-field writing in place of the direct writers, for a reference."""
    generic = serializers.ModelSerializer.to_representation
    with pytest.MonkeyPatch.context() as patch:
        for serializer in (s.DisputeSerializer, s.ProposalSerializer, s.TimelineEventSerializer):
            patch.setattr(serializer, "to_representation", generic)
        yield


def dispute_in(disputes, world, state: str) -> Dispute:
    if state == "reshipped":
        # A reship carried out: the resolution's fulfilment names its shipment.
        dispute = disputes.in_state(MERCHANT_PROPOSED, requested_amount=Decimal("19.90"))
        proposal = disputes.refresh(dispute).open_proposal
        disputes.call("shenzhen_agent", services.proposal_accept, dispute, proposal=proposal)
        disputes.call(
            "shenzhen_agent",
            services.dispute_fulfil,
            dispute,
            carrier="ups",
            tracking_number="1Z999AA10123456784",
        )
        return disputes.refresh(dispute)
    if state == "assigned":
        dispute = disputes.in_state(DisputeStatus.AWAITING_SUPPLIER)
        disputes.call(
            "acme_owner",
            services.dispute_assign,
            dispute,
            assignee=world.users["acme_agent"],
        )
        return disputes.refresh(dispute)
    return disputes.in_state(state)


def rendered(data) -> bytes:
    return JSONRenderer().render(data)


def by_fields_detail(world, disputes, caller: str, dispute) -> bytes:
    actor = disputes.actor(caller)
    with organization_scope(actor.organization), by_fields():
        model = selectors.dispute_get(dispute_id=dispute.pk)
        return rendered(s.DisputeSerializer(model, context={"actor": actor}).data)


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("state", STATES)
def test_the_detail_writes_what_the_fields_write(world, disputes, caller, state):
    dispute = dispute_in(disputes, world, state)
    response = world.client(caller).get(f"{URL}{dispute.pk}/")
    assert response.status_code == 200
    assert response.content == by_fields_detail(world, disputes, caller, dispute)


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("state", STATES)
def test_an_answer_after_a_write_is_written_as_the_fields_write(world, disputes, state, caller):
    # Write answers serialize the models the services hand back; the direct writer takes
    # either shape.
    dispute = dispute_in(disputes, world, state)
    actor = disputes.actor(caller)
    with organization_scope(actor.organization):
        model = selectors.dispute_get(dispute_id=dispute.pk)
        direct = rendered(s.DisputeSerializer(model, context={"actor": actor}).data)
    assert direct == by_fields_detail(world, disputes, caller, dispute)


@pytest.mark.parametrize("caller", CALLERS)
def test_list_rows_write_what_the_detail_writes(world, disputes, caller):
    # Every state on one page: each row is its detail's fields, in the list's order.
    expected = {}
    for state in STATES:
        dispute = dispute_in(disputes, world, state)
        expected[str(dispute.pk)] = dispute
    client = world.client(caller)
    rows = client.get(URL, {"page_size": 100}).json()["results"]
    assert {row["id"] for row in rows} == set(expected)
    for row in rows:
        detail = client.get(f"{URL}{row['id']}/").json()
        assert list(row) == [
            name for name in ROW_FIELDS if name != "assignee" or caller.startswith("acme")
        ]
        assert {name: value for name, value in row.items() if name != "unread"} == {
            name: detail[name] for name in row if name != "unread"
        }


def test_list_rows_of_a_supplier_name_each_merchant(world, disputes):
    acme = disputes.open()
    globex = disputes.open("globex_owner")
    rows = world.client("shenzhen_agent").get(URL).json()["results"]
    merchants = {row["id"]: row["merchant"] for row in rows}
    assert merchants == {
        str(acme.pk): {"id": str(world.acme.pk), "slug": "acme", "name": "Acme Outdoor"},
        str(globex.pk): {"id": str(world.globex.pk), "slug": "globex", "name": "Globex Home"},
    }
    assert {row["supplier"]["slug"] for row in rows} == {"shenzhen-supply"}


@pytest.mark.parametrize("caller", ["acme_owner", "shenzhen_agent"])
def test_the_timeline_writes_what_the_fields_write(world, disputes, caller):
    # Messages, a note, attachments (one internal), system events; one person in another
    # time zone, whose times read in it.
    dispute = disputes.in_state(DisputeStatus.RESOLVED)
    with disputes.acting("acme_agent") as actor:
        shown = services.dispute_attachment_add(
            actor=actor, dispute=disputes.refresh(dispute), upload=png_upload("shown.png")
        )
        hidden = services.dispute_attachment_add(
            actor=actor,
            dispute=disputes.refresh(dispute),
            upload=png_upload("hidden.png"),
            internal=True,
        )
        services.dispute_message_post(
            actor=actor,
            dispute=disputes.refresh(dispute),
            body="Two photos.",
            internal=False,
            attachments=[shown],
        )
        services.dispute_message_post(
            actor=actor,
            dispute=disputes.refresh(dispute),
            body="Only for us.",
            internal=True,
            attachments=[hidden],
        )
    user = world.users[caller]
    user.time_zone = "Asia/Shanghai"
    user.save(update_fields=["time_zone"])
    response = world.client(caller).get(f"{URL}{dispute.pk}/timeline/")
    assert response.status_code == 200
    organization = disputes.actor(caller).organization
    with organization_scope(organization), timezone.override("Asia/Shanghai"), by_fields():
        events = list(selectors.timeline_for(dispute=dispute, organization=organization))
        expected = s.TimelineEventSerializer(events, many=True, context={"viewer": organization})
        results = rendered(expected.data)
    assert response.content.endswith(b'"results":' + results + b"}")
    assert (b"hidden.png" in response.content) == (caller == "acme_owner")
    assert b"shown.png" in response.content


def test_a_page_of_the_timeline_reads_the_attachments_of_its_events_only(world, disputes):
    dispute = disputes.open()
    with disputes.acting("acme_agent") as actor:
        for number in range(3):
            attachment = services.dispute_attachment_add(
                actor=actor,
                dispute=disputes.refresh(dispute),
                upload=png_upload(f"photo-{number}.png"),
            )
            services.dispute_message_post(
                actor=actor,
                dispute=disputes.refresh(dispute),
                body=f"Photo {number}",
                attachments=[attachment],
            )
    client = world.client("shenzhen_agent")
    first = client.get(f"{URL}{dispute.pk}/timeline/", {"page_size": 4}).json()
    second = client.get(first["next"]).json()
    events = first["results"] + second["results"]
    shown = {
        event["id"]: [attachment["filename"] for attachment in event["attachments"]]
        for event in events
    }
    with organization_scope(world.shenzhen):
        expected = {
            str(event.pk): [attachment.filename for attachment in event.attachments.all()]
            for event in selectors.timeline_for(dispute=dispute, organization=world.shenzhen)
        }
    assert shown == expected
    # The page boundary falls between the events: each page read its own attachments.
    assert {name for names in shown.values() for name in names} == {
        "photo-0.png",
        "photo-1.png",
        "photo-2.png",
    }


def test_opening_a_dispute_with_nothing_new_writes_nothing(world, disputes):
    # The first reading records it; reading again with nothing new since writes no row;
    # new activity is unread until the next reading, which records it again.
    dispute = disputes.open()
    api = world.client("shenzhen_agent")

    def unread() -> bool:
        rows = api.get(URL).json()["results"]
        return next(row["unread"] for row in rows if row["id"] == str(dispute.pk))

    assert unread()
    api.get(f"{URL}{dispute.pk}/")
    assert not unread()
    with CaptureQueriesContext(connection) as queries:
        api.get(f"{URL}{dispute.pk}/")
    written = [query["sql"] for query in queries.captured_queries]
    assert not [sql for sql in written if sql.startswith("INSERT") and "disputeseen" in sql]
    assert not unread()
    disputes.call("acme_agent", services.dispute_message_post, dispute, body="News.")
    assert unread()
    api.get(f"{URL}{dispute.pk}/")
    assert not unread()
