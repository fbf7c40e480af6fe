import re

from playwright.sync_api import expect

from accounts.models import Role
from notifications import services
from notifications.events import Event, Recipients
from tests.browser.conftest import log_in


def tell_the_owner(world, key: str) -> None:
    services.notify(
        event=Event(
            type="dispute.opened",
            merchant=world.acme,
            dedup_key=key,
            title="Dispute #7 opened",
            url="/app/",
            recipients=(Recipients(world.acme, roles={Role.OWNER}),),
            webhooks=False,
        )
    )


def test_the_bell_count_rises_without_reloading_the_page(page, world, settings, monkeypatch):
    settings.NOTIFICATION_BELL_POLL_SECONDS = 1
    # No broker work from this test: only the in-app row matters here.
    monkeypatch.setattr(services, "enqueue_deliveries", lambda *args: None)
    log_in(page, "acme_owner@example.test")
    expect(page).to_have_url(re.compile(r"/app/$"))
    count = page.locator("#notification-bell .bell-count")
    expect(count).to_have_attribute("data-count", "0")
    page.evaluate("window.notLoadedAgain = true")

    tell_the_owner(world, "browser:1")
    expect(count).to_have_text("1", timeout=8_000)
    tell_the_owner(world, "browser:2")
    expect(count).to_have_text("2", timeout=8_000)
    assert page.evaluate("window.notLoadedAgain") is True

    page.locator("#notification-bell").click()
    expect(page).to_have_url(re.compile(r"/app/notifications/$"))
    expect(page.get_by_role("button", name="Dispute #7 opened")).to_have_count(2)
    page.get_by_role("button", name="Mark all read").click()
    expect(page.locator("#notification-bell .bell-count")).to_have_attribute("data-count", "0")


def test_the_supplier_portal_has_the_bell_too(page, world, settings, monkeypatch):
    settings.NOTIFICATION_BELL_POLL_SECONDS = 1
    monkeypatch.setattr(services, "enqueue_deliveries", lambda *args: None)
    log_in(page, "shenzhen_admin@example.test")
    expect(page).to_have_url(re.compile(r"/portal/$"))
    services.notify(
        event=Event(
            type="dispute.message",
            merchant=world.acme,
            dedup_key="portal:1",
            title="New message from Acme",
            recipients=(Recipients(world.shenzhen),),
        )
    )
    expect(page.locator("#notification-bell .bell-count")).to_have_text("1", timeout=8_000)
