import re

from playwright.sync_api import expect

from tests.browser.conftest import log_in


def test_the_owner_reads_sign_ins_and_failures_in_the_audit_log(page, world):
    # Given someone who got the owner's password wrong once
    log_in(page, "acme_owner@example.test", password="not-the-password")
    expect(page.get_by_text("Please enter a correct e-mail and password")).to_be_visible()
    # When the owner signs in and opens the audit log
    log_in(page, "acme_owner@example.test")
    expect(page).to_have_url(re.compile(r"/app/$"))
    page.goto("/app/settings/audit-log/")
    # Then both are there, newest first
    rows = page.locator("tbody tr")
    expect(rows.nth(0)).to_contain_text("signed in (web)")
    expect(rows.nth(0)).to_contain_text("acme_owner@example.test")
    expect(rows.nth(1)).to_contain_text("sign-in failed (web)")
    expect(rows.nth(1).locator("td").nth(2)).to_have_text("—")  # who tried is not known
    page.screenshot(path="var/screenshots/audit-log.png", full_page=True)
