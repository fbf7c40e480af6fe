"""The merchant's morning: the home says what needs them, a count leads to the filtered list,
and they take two disputes at once. At desktop and phone widths, axe-clean, screenshots."""

import pytest
from playwright.sync_api import expect

from core.tenancy import cross_tenant_scope
from disputes import services
from disputes.models import Dispute
from disputes.tests.conftest import Disputes
from tests.browser.checks import SIZES, readable
from tests.browser.conftest import log_in


@pytest.fixture
def waiting(world):
    """Three disputes waiting for the merchant's answer, one waiting for the supplier."""
    helper = Disputes(world)
    answered = [helper.open() for _number in range(3)]
    for dispute in answered:
        helper.call("shenzhen_agent", services.dispute_message_post, dispute, body="Checking.")
    helper.open()
    return answered


@pytest.mark.parametrize("size", SIZES)
def test_home_count_leads_to_the_list_and_bulk_assign(page, world, waiting, size):
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    agent = world.users["acme_agent"]
    log_in(page, agent.email)
    page.goto("/app/")
    turn = page.locator('[data-attention="my_turn"] a')
    expect(turn).to_contain_text("3")
    expect(page.locator('[data-queue="unassigned"]')).to_contain_text("4")
    readable(page, width, f"queue-home-{size}")

    turn.click()
    page.wait_for_url("**/app/disputes/?waiting_on=merchant")
    rows = page.locator("table.disputes tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator("table.disputes .unread-dot")).to_have_count(3)
    readable(page, width, f"queue-list-{size}")

    first, second = waiting[0], waiting[1]
    page.get_by_label(f"Pick dispute #{first.number}").check()
    page.get_by_label(f"Pick dispute #{second.number}").check()
    page.locator("#bulk-action").select_option("assign")
    page.locator("#bulk-assignee").select_option("me")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("status").first).to_have_text("2 disputes assigned.")
    expect(page.locator("table.disputes tbody tr", has_text=agent.name)).to_have_count(2)
    readable(page, width, f"queue-assigned-{size}")

    with cross_tenant_scope(reason="test"):
        assigned = set(
            Dispute.cross_tenant_objects.filter(assignee=agent).values_list("number", flat=True)
        )
    assert assigned == {first.number, second.number}

    # Mine: the built-in view lists exactly them.
    page.get_by_role("link", name="Mine").click()
    page.wait_for_url("**/app/disputes/?assignee=me")
    expect(rows).to_have_count(2)
