"""Error pages: the site's layout, the reader's language, and a way to the right organization."""

import pytest

from accounts.middleware import ACTIVE_ORGANIZATION_SESSION_KEY
from accounts.models import Role
from accounts.tests.factories import MembershipFactory
from config.errors import permission_denied


@pytest.fixture
def agent_of_two_shops(client, world):
    # acme_agent works for Globex as well; Acme is the active organization.
    MembershipFactory(user=world.users["acme_agent"], organization=world.globex, role=Role.AGENT)
    client.force_login(world.users["acme_agent"])
    session = client.session
    session[ACTIVE_ORGANIZATION_SESSION_KEY] = str(world.acme.pk)
    session.save()
    return client


def test_not_found_page_is_in_the_layout_and_the_readers_language(client, world):
    user = world.users["acme_owner"]
    user.language = "es"
    user.save(update_fields=["language"])
    client.force_login(user)
    page = client.get("/app/disputes/00000000-0000-0000-0000-000000000000/")
    assert page.status_code == 404
    text = page.content.decode()
    assert '<header class="topbar">' in text
    assert '<html lang="es">' in text
    assert "Switch to" not in text


def test_a_dispute_of_another_organization_of_mine_offers_to_switch(
    agent_of_two_shops, world, disputes
):
    dispute = disputes.open("globex_owner")
    page = agent_of_two_shops.get(f"/app/disputes/{dispute.pk}/")
    assert page.status_code == 404
    text = page.content.decode()
    assert "This belongs to Globex Home" in text
    assert 'name="organization" value="globex"' in text
    assert f'name="next" value="/app/disputes/{dispute.pk}/"' in text
    switched = agent_of_two_shops.post(
        "/accounts/organization/",
        {"organization": "globex", "next": f"/app/disputes/{dispute.pk}/"},
    )
    assert switched["Location"] == f"/app/disputes/{dispute.pk}/"
    assert agent_of_two_shops.get(switched["Location"]).status_code == 200


def test_switching_never_sends_the_browser_to_another_site(agent_of_two_shops):
    switched = agent_of_two_shops.post(
        "/accounts/organization/", {"organization": "globex", "next": "https://evil.test/"}
    )
    assert switched["Location"] == "/"


def test_a_dispute_of_an_organization_i_do_not_belong_to_stays_a_bare_not_found(
    client, world, disputes
):
    dispute = disputes.open("globex_owner")
    client.force_login(world.users["acme_agent"])
    page = client.get(f"/app/disputes/{dispute.pk}/")
    assert page.status_code == 404
    assert "Globex" not in page.content.decode()


def test_forbidden_page_is_in_the_layout_and_api_stays_json(client, world):
    client.force_login(world.users["acme_agent"])
    page = client.get("/app/settings/audit-log/")
    assert page.status_code == 403
    assert '<header class="topbar">' in page.content.decode()
    assert "Your role in this organization does not allow this" in page.content.decode()
    api = world.client("acme_agent").get("/api/v1/no-such-thing/")
    assert api.status_code == 404
    assert api["Content-Type"] == "application/json"


def test_server_error_page_is_in_the_layout(client, world, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("disputes.web.home.AppHomeView.get_context_data", broken)
    client.force_login(world.users["acme_owner"])
    client.raise_request_exception = False
    page = client.get("/app/")
    assert page.status_code == 500
    text = page.content.decode()
    assert '<header class="topbar">' in text
    assert "Something went wrong" in text


def test_a_refusal_under_the_api_answers_json(rf):
    response = permission_denied(rf.get("/api/v1/orders/"))
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
