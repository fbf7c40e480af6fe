"""Settings is a place: /app/settings/ lists what each role may open, linked from every page."""

import html

import pytest


def logged_in(client, world, caller):
    client.force_login(world.users[caller])
    return client


OWNER_ONLY = ["/app/settings/webhooks/", "/app/settings/connectors/", "/app/settings/audit-log/"]
EVERYONE = [
    "/app/settings/rules/",
    "/app/disputes/rules/",
    "/app/settings/organization/",
    "/app/notifications/preferences/",
    "/accounts/profile/",
]


@pytest.mark.parametrize(
    ("caller", "sees_owner_pages"),
    [("acme_owner", True), ("acme_manager", False), ("acme_agent", False), ("acme_viewer", False)],
)
def test_settings_index_lists_the_pages_the_role_may_open(client, world, caller, sees_owner_pages):
    page = logged_in(client, world, caller).get("/app/settings/")
    assert page.status_code == 200
    text = page.content.decode()
    for path in EVERYONE:
        assert f'href="{path}"' in text
    for path in OWNER_ONLY:
        assert (f'href="{path}"' in text) is sees_owner_pages
    # Every page listed opens for that role.
    for path in EVERYONE + (OWNER_ONLY if sees_owner_pages else []):
        assert client.get(path).status_code == 200, path


def test_viewer_is_told_what_is_read_only(client, world):
    text = logged_in(client, world, "acme_viewer").get("/app/settings/").content.decode()
    assert "read only for your role" in text
    assert "can only read here" in text
    owner = logged_in(client, world, "acme_owner").get("/app/settings/").content.decode()
    assert "read only for your role" not in owner


DASHBOARD_PAGES = ["/app/", "/app/orders/", "/app/disputes/", "/app/settings/rules/"]


@pytest.mark.parametrize("path", DASHBOARD_PAGES)
def test_every_dashboard_page_links_the_settings(client, world, path):
    text = logged_in(client, world, "acme_agent").get(path).content.decode()
    assert 'href="/app/settings/"' in text


def test_supplier_is_sent_home_from_the_settings(client, world):
    assert logged_in(client, world, "shenzhen_agent").get("/app/settings/")["Location"] == "/"


def test_settings_index_has_nothing_to_post(client, world):
    assert logged_in(client, world, "acme_owner").post("/app/settings/").status_code in (403, 405)


def test_rules_change_log_speaks_in_words(client, world):
    owner = logged_in(client, world, "acme_owner")
    response = owner.post(
        "/app/settings/rules/supplier-response/",
        {
            "enabled": "on",
            "numbers.remind_after_hours": "24",
            "numbers.escalate_after_hours": "36",
            "options.silent_refund_request": "accept_refund",
        },
    )
    assert response.status_code == 302
    text = html.unescape(
        logged_in(client, world, "acme_viewer").get("/app/settings/rules/").content.decode()
    )
    changes = text[text.index("What changed") :]
    assert "Supplier response" in changes
    assert "Remind after: 48 hours → 24 hours" in changes
    assert "Escalate after: 72 hours → 36 hours" in changes
    assert (
        "When the supplier ignores a refund request: Escalate to arbitration → "
        "Treat the requested refund as accepted" in changes
    )
    assert "{" not in changes
    assert "remind_after_hours" not in changes
