"""The settings index, the rules page and the error pages, at desktop and phone widths:
reached from the header, no sideways scroll, and axe-core finds nothing.

Screenshots go to var/screenshots/ for people to look at.
"""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from accounts.tests.factories import MembershipFactory
from disputes.tests.conftest import Disputes
from tests.browser.checks import SIZES, readable
from tests.browser.conftest import log_in, open_menu


@pytest.mark.parametrize("size", SIZES)
def test_settings_and_error_pages_are_readable_and_axe_clean(page, world, size):
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    # Given an owner of Acme who also works for Globex, where a dispute is open
    MembershipFactory(user=world.users["acme_owner"], organization=world.globex, role=Role.AGENT)
    foreign = Disputes(world).open("globex_owner")
    log_in(page, "acme_owner@example.test")
    expect(page).to_have_url(re.compile(r"/app/$"))
    # When the owner follows Settings in the header (in its menu, on a phone)
    open_menu(page)
    page.get_by_role("navigation").get_by_role("link", name="Settings").click()
    expect(page).to_have_url(re.compile(r"/app/settings/$"))
    expect(page.get_by_role("link", name="Webhooks")).to_be_visible()
    readable(page, width, f"settings-index-{size}")
    # Then each page it lists is one click away, the rules among them
    page.get_by_role("link", name="Deadline rules").click()
    expect(page.get_by_role("heading", name="Changes")).to_be_visible()
    readable(page, width, f"settings-rules-{size}")
    # And a link to Globex's dispute offers to switch there rather than a bare 404
    page.goto(f"/app/disputes/{foreign.pk}/")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    readable(page, width, f"not-found-switch-{size}")
    page.get_by_role("button", name="Switch to Globex Home").click()
    expect(page).to_have_url(re.compile(rf"/app/disputes/{foreign.pk}/$"))
    expect(page.get_by_text("You are now working in Globex Home.")).to_be_visible()
