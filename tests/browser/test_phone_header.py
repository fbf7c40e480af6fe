"""The header on a phone: a menu button folds the navigation, the organization switcher
and the account links away; the bell stays in sight. An agency's switcher says where the
unread notifications are."""

import re

from playwright.sync_api import expect

from accounts.models import Role
from accounts.tests.factories import MembershipFactory
from notifications import services
from notifications.events import Recipients
from notifications.tests.factories import event
from tests.browser.checks import SIZES, readable
from tests.browser.conftest import log_in


def test_the_phone_header_folds_into_a_menu_that_opens_and_closes(page, world):
    width, height = SIZES["phone"]
    page.set_viewport_size({"width": width, "height": height})
    # Given an agent of Acme who also works for Globex, with unread news in both
    MembershipFactory(user=world.users["acme_agent"], organization=world.globex, role=Role.AGENT)
    for index in range(2):
        services.notify(event=event(world, key=f"a{index}", recipients=(Recipients(world.acme),)))
    services.notify(
        event=event(world, key="g", merchant=world.globex, recipients=(Recipients(world.globex),))
    )
    log_in(page, "acme_agent@example.test")
    expect(page).to_have_url(re.compile(r"/app/$"))
    toggle = page.get_by_role("button", name="Menu")
    # Then the links are folded away, the bell is in sight with this shop's count
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("link", name="Orders", exact=True)).to_be_hidden()
    expect(page.locator("#notification-bell .bell-count")).to_have_text("2")
    readable(page, width, "phone-header-closed")
    # When the menu opens, every link and the switcher are there, counts per shop
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("link", name="Orders", exact=True)).to_be_visible()
    switcher = page.get_by_label("Organization")
    expect(switcher).to_be_visible()
    expect(switcher.locator("option", has_text="Globex Home")).to_have_text(
        "Globex Home (1 unread)"
    )
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    readable(page, width, "phone-header-open")
    # And it closes again
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("link", name="Orders", exact=True)).to_be_hidden()
    # And following a link from the open menu works
    toggle.click()
    page.get_by_role("link", name="Orders", exact=True).click()
    expect(page).to_have_url(re.compile(r"/app/orders/$"))


def test_the_desktop_header_shows_everything_and_no_menu_button(page, world):
    width, height = SIZES["desktop"]
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, "acme_owner@example.test")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("link", name="Orders", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
