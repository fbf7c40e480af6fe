import re

from playwright.sync_api import expect

from tests.browser.conftest import log_in


def test_merchant_owner_logs_in_and_sees_the_workspace(page, world):
    log_in(page, "acme_owner@example.test")
    expect(page).to_have_url(re.compile(r"/app/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Outdoor workspace")
    expect(page.get_by_role("cell", name="Shenzhen Supply")).to_be_visible()
    expect(page.get_by_text("Not verified")).to_be_visible()


def test_supplier_lands_in_the_portal(page, world):
    log_in(page, "shenzhen_admin@example.test")
    expect(page).to_have_url(re.compile(r"/portal/$"))
    expect(page.get_by_role("listitem").filter(has_text="Globex Home")).to_be_visible()
    # The dashboard is not for suppliers: they are sent back to their own home.
    page.goto("/app/")
    expect(page).to_have_url(re.compile(r"/portal/$"))


def test_person_in_two_shops_switches_organization(page, world):
    from accounts.models import Role
    from accounts.tests.factories import MembershipFactory

    MembershipFactory(user=world.users["acme_agent"], organization=world.globex, role=Role.AGENT)
    log_in(page, "acme_agent@example.test")
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Outdoor workspace")
    page.get_by_label("Organization").select_option("globex")
    expect(page.get_by_role("heading", level=1)).to_have_text("Globex Home workspace")
    expect(page.get_by_role("cell", name="Yiwu Goods")).to_have_count(0)


def test_wrong_password_is_refused_with_a_message(page, world):
    log_in(page, "acme_owner@example.test", password="not-the-password")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_text("Please enter a correct e-mail and password")).to_be_visible()


def test_logout_ends_the_session(page, world):
    log_in(page, "acme_owner@example.test")
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.goto("/app/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/app/"))


def test_user_language_preference_translates_the_pages(page, world):
    user = world.users["acme_owner"]
    user.language = "es"
    user.save()
    log_in(page, "acme_owner@example.test")
    expect(page.get_by_role("button", name="Cerrar sesión")).to_be_visible()


def test_the_readme_demo_logins_work(page, transactional_db):
    # What a new user does after the quick start: the demo users of API.md.
    import io

    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())
    log_in(page, "owner@acme.test", "demo-pass-123")
    expect(page).to_have_url(re.compile(r"/app/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Outdoor workspace")
    page.get_by_role("button", name="Log out").click()
    log_in(page, "staff@shenzhen-supply.test", "demo-pass-123")
    expect(page).to_have_url(re.compile(r"/portal/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Shenzhen Supply Co. supplier portal")
