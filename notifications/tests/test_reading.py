"""Notifications are worded when read (in the reader's language of the moment), counted per
organization in one query, and fall back to their stored words when their event cannot be
worded any more."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from accounts.tests.factories import MembershipFactory
from core.tenancy import cross_tenant_scope
from notifications import services
from notifications.events import Recipients
from notifications.models import Notification, NotificationEvent
from notifications.tests.factories import event

URL = "/api/v1/notifications/"


def browser(world, caller, language=None) -> Client:
    client = Client(headers={"accept-language": language} if language else {})
    client.force_login(world.users[caller], backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.mark.parametrize(
    ("language", "title"),
    [("en", "Dispute #42 opened"), ("es", "Disputa #42 abierta")],
)
def test_a_notification_written_in_english_is_read_in_the_readers_language_now(
    world, language, title
):
    # Given a notification written while its reader's language was English
    services.notify(event=event(world, recipients=(Recipients(world.acme),)))
    agent = world.users["acme_agent"]
    # When the reader switches language and reads it (API, list page)
    agent.language = language
    agent.save()
    api = world.client("acme_agent").get(URL).json()["results"][0]
    page = browser(world, "acme_agent").get("/app/notifications/").content.decode()
    # Then it speaks the language of the reading
    assert api["title"] == title
    assert title in page


def test_the_api_follows_the_callers_accept_language(world):
    services.notify(event=event(world, recipients=(Recipients(world.acme),)))
    client = world.client("acme_agent")
    spanish = client.get(URL, headers={"accept-language": "es"}).json()["results"][0]
    assert spanish["title"] == "Disputa #42 abierta"


def test_a_row_whose_event_cannot_be_worded_shows_its_stored_words(world):
    # Given an older row: its event kept no message ids, the row kept its words
    services.notify(event=event(world, recipients=(Recipients(world.acme),)))
    with cross_tenant_scope(reason="test"):
        NotificationEvent.cross_tenant_objects.update(title={}, body={"message": "%(gone)s"})
        Notification.cross_tenant_objects.update(title="Old words", body="Old body")
    result = world.client("acme_agent").get(URL, headers={"accept-language": "es"}).json()
    assert (result["results"][0]["title"], result["results"][0]["body"]) == (
        "Old words",
        "Old body",
    )


def test_list_queries_do_not_grow_with_the_page(world):
    def queries(count):
        for index in range(count):
            services.notify(
                event=event(world, key=f"q{count}:{index}", recipients=(Recipients(world.acme),))
            )
        client = world.client("acme_owner")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, {"page_size": 100}).status_code == 200
        return len(captured)

    assert queries(2) == queries(30)


@pytest.fixture
def agency(world):
    """acme_agent also works for Globex; Acme told it of three events, Globex of one."""
    MembershipFactory(user=world.users["acme_agent"], organization=world.globex, role=Role.AGENT)
    for index in range(3):
        services.notify(event=event(world, key=f"a{index}", recipients=(Recipients(world.acme),)))
    services.notify(
        event=event(world, key="g", merchant=world.globex, recipients=(Recipients(world.globex),))
    )
    return world


def test_the_bell_counts_every_organization_of_the_user_in_one_query(agency):
    client = browser(agency, "acme_agent")
    page = client.get("/app/").content.decode()
    assert 'data-count="3"' in page
    assert "Unread: Acme Outdoor 3, Globex Home 1" in page
    assert "Globex Home (1 unread)" in page
    with CaptureQueriesContext(connection) as captured:
        fragment = client.get("/app/notifications/bell/").content.decode()
    counting = [q["sql"] for q in captured if "notifications_notification" in q["sql"]]
    assert len(counting) == 1, counting
    assert "Acme Outdoor 3, Globex Home 1" in fragment


def test_the_bell_counts_per_organization_stop_at_the_limit(agency, monkeypatch):
    monkeypatch.setattr("notifications.context_processors.BELL_LIMIT", 2)
    page = browser(agency, "acme_agent").get("/app/").content.decode()
    assert 'data-count="2+"' in page
    assert "Acme Outdoor 2+, Globex Home 1" in page


def test_the_bell_in_spanish(agency):
    page = browser(agency, "acme_agent", "es").get("/app/").content.decode()
    assert "Globex Home (1 sin leer)" in page


def test_someone_in_one_organization_sees_no_summary(world):
    services.notify(event=event(world, recipients=(Recipients(world.acme),)))
    page = browser(world, "acme_owner").get("/app/").content.decode()
    assert 'data-count="1"' in page
    assert "Unread:" not in page
