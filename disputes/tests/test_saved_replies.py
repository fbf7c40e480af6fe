"""Saved replies: the API per role, the settings pages, and filling them from a dispute."""

import html
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.tenancy import cross_tenant_scope, organization_scope
from disputes import selectors, services
from disputes.models import SavedReply
from disputes.saved_replies import reply_fill

URL = "/api/v1/saved-replies/"
THANKS = {
    "en": "Hello, {customer_name} waits for order {order_number}: {tracking_number}, {amount}.",
    "zh-hans": "您好 {customer_name} 在等订单 {order_number} {tracking_number} {amount}",
}


def saved(world, merchant="acme", title="Where is it?", variants=None, default_language="en"):
    organization = world.organization(merchant)
    return SavedReply.cross_tenant_objects.create(
        merchant=organization,
        title=title,
        default_language=default_language,
        variants=variants or dict(THANKS),
    )


def rows():
    with cross_tenant_scope(reason="test"):
        return list(
            SavedReply.cross_tenant_objects.order_by("title").values_list("title", flat=True)
        )


# --- filling ------------------------------------------------------------------------------


def test_fill_replaces_what_the_dispute_knows_and_flags_the_rest(world):
    reply = saved(world, variants={"en": "Hi {customer_name}, {tracking_number} {order_id} {x"})
    filled = reply_fill(
        reply, language="en", values={"customer_name": "Bart S.", "tracking_number": ""}
    )
    assert filled.text == "Hi Bart S., {tracking_number} {order_id} {x"
    assert filled.unfilled == ("{tracking_number}", "{order_id}")


def test_fill_takes_the_readers_language_when_written_else_the_default(world):
    reply = saved(world)
    assert reply_fill(reply, language="zh-hans", values={}).language == "zh-hans"
    assert reply_fill(reply, language="es", values={}).language == "en"
    assert reply_fill(reply, language="", values={}).text == THANKS["en"]


# --- API ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("caller", "status"),
    [
        ("acme_owner", 201),
        ("acme_manager", 201),
        ("acme_agent", 201),
        ("acme_viewer", 403),
        ("shenzhen_agent", 403),
        (None, 401),
    ],
)
def test_who_may_create(world, caller, status):
    response = world.client(caller).post(
        URL, {"title": "Thanks", "variants": THANKS, "default_language": "en"}, format="json"
    )
    assert response.status_code == status
    assert rows() == (["Thanks"] if status == 201 else [])
    if status == 201:
        body = response.json()
        assert body["variants"] == THANKS
        assert body["placeholders"] == [
            "customer_name",
            "order_number",
            "tracking_number",
            "amount",
        ]
        assert body["unknown_placeholders"] == []


@pytest.mark.parametrize("caller", ["acme_owner", "acme_agent", "acme_viewer"])
def test_every_member_reads_only_its_own_merchants_replies(world, caller):
    mine = saved(world)
    saved(world, merchant="globex", title="Globex secret")
    client = world.client(caller)
    listed = client.get(URL).json()["results"]
    assert [reply["id"] for reply in listed] == [str(mine.pk)]
    assert client.get(f"{URL}{mine.pk}/").json()["title"] == "Where is it?"


@pytest.mark.parametrize("method", ["get", "patch", "put", "delete"])
def test_another_merchants_reply_is_404_and_stays_as_it_was(world, method):
    theirs = saved(world, merchant="globex", title="Globex secret")
    response = getattr(world.client("acme_owner"), method)(
        f"{URL}{theirs.pk}/", {"title": "Mine now", "variants": {"en": "x"}}, format="json"
    )
    assert response.status_code == 404
    assert "Globex" not in response.content.decode()
    assert rows() == ["Globex secret"]


def test_agent_edits_and_deletes_viewer_may_not(world):
    reply = saved(world)
    viewer = world.client("acme_viewer")
    assert viewer.patch(f"{URL}{reply.pk}/", {"title": "X"}, format="json").status_code == 403
    assert viewer.delete(f"{URL}{reply.pk}/").status_code == 403
    agent = world.client("acme_agent")
    changed = agent.patch(f"{URL}{reply.pk}/", {"title": "Parcel status"}, format="json")
    assert changed.status_code == 200
    assert changed.json()["variants"] == THANKS  # left out, so kept
    replaced = agent.put(
        f"{URL}{reply.pk}/",
        {"title": "Parcel", "variants": {"es": "Hola {customer_name}"}},
        format="json",
    )
    assert replaced.status_code == 200
    assert replaced.json()["default_language"] == "es"  # the only language written
    assert agent.delete(f"{URL}{reply.pk}/").status_code == 204
    assert rows() == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "", "variants": {"en": "x"}}, "title"),
        ({"title": "x" * 121, "variants": {"en": "x"}}, "title"),
        ({"title": "T", "variants": {"xx": "x"}}, "variants"),
        ({"title": "T", "variants": {"en": "  "}}, "variants"),
        ({"title": "T", "variants": "hello"}, "variants"),
        ({"title": "T", "variants": {"en": "x", "es": "y"}}, "default_language"),
        ({"title": "T", "variants": {"en": "x"}, "default_language": "es"}, "default_language"),
        (
            {"title": "T", "variants": {"en": "x"}, "default_language": "klingon"},
            "default_language",
        ),
    ],
)
def test_bad_input_is_400_by_field_and_saves_nothing(world, body, field):
    response = world.client("acme_agent").post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert rows() == []


def test_a_title_twice_is_409(world):
    saved(world, title="Thanks")
    response = world.client("acme_agent").post(
        URL, {"title": "Thanks", "variants": {"en": "x"}}, format="json"
    )
    assert response.status_code == 409
    assert rows() == ["Thanks"]


def test_unknown_placeholders_are_saved_and_pointed_out(world):
    response = world.client("acme_agent").post(
        URL, {"title": "Odd", "variants": {"en": "Hi {nickname}"}}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["unknown_placeholders"] == ["nickname"]


def test_list_costs_the_same_for_10_and_100_replies(world, django_assert_num_queries):
    client = world.client("acme_agent")
    for number in range(10):
        saved(world, title=f"Reply {number:03}")
    client.get(URL, {"page_size": 100})
    with CaptureQueriesContext(connection) as small:
        assert len(client.get(URL, {"page_size": 100}).json()["results"]) == 10
    for number in range(10, 100):
        saved(world, title=f"Reply {number:03}")
    with django_assert_num_queries(len(small)):
        assert len(client.get(URL, {"page_size": 100}).json()["results"]) == 100


# --- settings pages -----------------------------------------------------------------------


@pytest.fixture
def page_as(client, world):
    def login(caller):
        client.force_login(world.users[caller])
        return client

    return login


def form_data(title="Thanks", default_language="en", **texts):
    data = {"title": title, "default_language": default_language}
    data.update({f"text_{code}": text for code, text in texts.items()})
    return data


@pytest.mark.parametrize("caller", ["acme_owner", "acme_manager", "acme_agent"])
def test_workers_create_edit_and_delete_on_the_settings_page(page_as, world, caller):
    client = page_as(caller)
    assert "Saved replies" in client.get("/app/settings/").content.decode()
    page = client.get("/app/settings/saved-replies/").content.decode()
    assert 'name="text_zh_hans"' in page
    created = client.post(
        "/app/settings/saved-replies/", form_data(en="Hi {customer_name}", es="Hola")
    )
    assert created.status_code == 302
    reply = SavedReply.cross_tenant_objects.get()
    assert reply.variants == {"en": "Hi {customer_name}", "es": "Hola"}
    edit = f"/app/settings/saved-replies/{reply.pk}/"
    assert "Hola" in client.get(edit).content.decode()
    client.post(edit, form_data(title="Thanks again", default_language="es", es="Hola"))
    reply.refresh_from_db()
    assert (reply.title, reply.variants) == ("Thanks again", {"es": "Hola"})
    client.post(edit, {"delete": "1"})
    assert rows() == []


def test_viewer_reads_saved_replies_without_a_form_and_cannot_post(page_as, world):
    reply = saved(world)
    client = page_as("acme_viewer")
    page = client.get("/app/settings/saved-replies/").content.decode()
    assert "Where is it?" in page
    assert "can only read here" in page
    assert 'name="title"' not in page
    detail = client.get(f"/app/settings/saved-replies/{reply.pk}/").content.decode()
    assert 'name="title"' not in detail
    assert client.post("/app/settings/saved-replies/", form_data(en="x")).status_code == 403
    assert (
        client.post(f"/app/settings/saved-replies/{reply.pk}/", {"delete": "1"}).status_code == 403
    )
    assert rows() == ["Where is it?"]


def test_settings_page_refusals_are_shown_on_the_form(page_as, world):
    saved(world, title="Thanks")
    client = page_as("acme_agent")
    twice = client.post("/app/settings/saved-replies/", form_data(en="x"))
    assert twice.status_code == 400
    assert "Choose another title." in twice.content.decode()
    empty = client.post("/app/settings/saved-replies/", form_data(title="New"))
    assert empty.status_code == 400
    assert "at least one language" in empty.content.decode()
    assert rows() == ["Thanks"]


def test_another_merchants_reply_page_is_404_and_suppliers_go_home(page_as, world):
    theirs = saved(world, merchant="globex")
    client = page_as("acme_owner")
    assert client.get(f"/app/settings/saved-replies/{theirs.pk}/").status_code == 404
    assert (
        client.post(f"/app/settings/saved-replies/{theirs.pk}/", {"delete": "1"}).status_code == 404
    )
    assert page_as("shenzhen_agent").get("/app/settings/saved-replies/")["Location"] == "/"
    with cross_tenant_scope(reason="test"):
        assert SavedReply.cross_tenant_objects.filter(pk=theirs.pk).exists()


# --- the composer -------------------------------------------------------------------------


def test_composer_offers_replies_in_the_suppliers_language_filled_from_the_dispute(
    page_as, world, disputes
):
    for caller in ("shenzhen_agent", "shenzhen_admin"):
        world.users[caller].language = "zh-hans"
        world.users[caller].save(update_fields=["language"])
    saved(world)
    saved(
        world, title="Spanish only", variants={"es": "Hola {customer_name}"}, default_language="es"
    )
    order = disputes.order(external_id="SHOP-77", customer_name="Bart S.")
    dispute = disputes.open(order=order, kind="refund", reason="not_received")
    disputes.call(
        "shenzhen_agent",
        services.proposal_create,
        dispute,
        resolution="partial_refund",
        amount=Decimal("5.00"),
    )
    page = html.unescape(page_as("acme_agent").get(f"/app/disputes/{dispute.pk}/").content.decode())
    assert "您好 Bart S. 在等订单 SHOP-77 {tracking_number} 5.00 USD" in page
    assert 'data-unfilled="{tracking_number}"' in page
    assert 'data-text="Hola Bart S."' in page  # no Chinese text: the default variant
    supplier = page_as("shenzhen_agent").get(f"/portal/disputes/{dispute.pk}/").content.decode()
    assert "data-saved-replies" not in supplier
    viewer = page_as("acme_viewer").get(f"/app/disputes/{dispute.pk}/").content.decode()
    assert "data-saved-replies" not in viewer


def test_reader_language_is_the_last_supplier_writer_s_then_the_most_chosen(world, disputes):
    dispute = disputes.open()
    with organization_scope(world.acme):
        assert selectors.reader_language_for(dispute=dispute) == ""
    world.users["shenzhen_admin"].language = "ru"
    world.users["shenzhen_admin"].save(update_fields=["language"])
    with organization_scope(world.acme):
        assert selectors.reader_language_for(dispute=dispute) == "ru"
    world.users["shenzhen_agent"].language = "it"
    world.users["shenzhen_agent"].save(update_fields=["language"])
    disputes.call("shenzhen_agent", services.dispute_message_post, dispute, body="Ciao")
    with organization_scope(world.acme):
        assert selectors.reader_language_for(dispute=dispute) == "it"
