import pytest
from django.core import mail

from accounts.middleware import ACTIVE_ORGANIZATION_SESSION_KEY
from accounts.models import Role, User
from accounts.tests.factories import PASSWORD, MembershipFactory, UserFactory


def logged_in(client, world, caller):
    client.force_login(world.users[caller])
    return client


def test_anonymous_is_sent_to_login(client, world):
    for path in ["/", "/app/", "/portal/", "/accounts/profile/"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


def test_login_form_logs_in_and_lands_in_the_dashboard(client, world):
    response = client.post(
        "/accounts/login/", {"username": "acme_owner@example.test", "password": PASSWORD}
    )
    assert response.status_code == 302
    response = client.get(response["Location"], follow=True)
    assert response.redirect_chain[-1][0] == "/app/"
    assert "Acme Outdoor workspace" in response.content.decode()


def test_login_is_throttled_after_repeated_failures(client, world):
    for _attempt in range(4):
        response = client.post(
            "/accounts/login/", {"username": "acme_owner@example.test", "password": "nope"}
        )
        assert response.status_code == 200
    response = client.post(
        "/accounts/login/", {"username": "acme_owner@example.test", "password": "nope"}
    )
    assert response.status_code == 429
    response = client.post(
        "/accounts/login/", {"username": "acme_owner@example.test", "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("caller", "home"),
    [("acme_viewer", "/app/"), ("shenzhen_agent", "/portal/"), ("globex_owner", "/app/")],
)
def test_home_sends_each_party_to_its_side(client, world, caller, home):
    response = logged_in(client, world, caller).get("/")
    assert response.status_code == 302
    assert response["Location"] == home


def test_supplier_cannot_open_the_dashboard_and_merchant_cannot_open_the_portal(client, world):
    assert logged_in(client, world, "shenzhen_admin").get("/app/")["Location"] == "/"
    client.logout()
    assert logged_in(client, world, "acme_owner").get("/portal/")["Location"] == "/"


def test_dashboard_shows_only_the_active_merchants_suppliers(client, world):
    page = logged_in(client, world, "globex_owner").get("/app/").content.decode()
    assert "Shenzhen Supply" in page
    assert "Yiwu Goods" not in page


def test_switching_to_an_organization_of_ones_own(client, world):
    MembershipFactory(user=world.users["acme_agent"], organization=world.globex, role=Role.AGENT)
    logged_in(client, world, "acme_agent")
    response = client.post("/accounts/organization/", {"organization": "globex"})
    assert response.status_code == 302
    assert client.session[ACTIVE_ORGANIZATION_SESSION_KEY] == str(world.globex.pk)
    assert "Globex Home workspace" in client.get("/app/").content.decode()


@pytest.mark.parametrize("slug", ["globex", "shenzhen-supply", "nope"])
def test_switching_to_someone_elses_organization_is_404(client, world, slug):
    logged_in(client, world, "acme_agent")
    response = client.post("/accounts/organization/", {"organization": slug})
    assert response.status_code == 404
    assert ACTIVE_ORGANIZATION_SESSION_KEY not in client.session


def test_person_without_organization_is_told_so(client, db):
    client.force_login(UserFactory())
    response = client.get("/")
    assert response.status_code == 403
    assert "not in any organization" in response.content.decode()


def test_staff_without_organization_lands_in_admin(client, db):
    client.force_login(UserFactory(is_staff=True))
    assert client.get("/")["Location"] == "/admin/"


def test_profile_saves_language_and_time_zone(client, world):
    logged_in(client, world, "acme_owner")
    response = client.post(
        "/accounts/profile/", {"name": "Olivia", "language": "it", "time_zone": "Europe/Rome"}
    )
    assert response.status_code == 302
    user = User.objects.get(pk=world.users["acme_owner"].pk)
    assert (user.language, user.time_zone) == ("it", "Europe/Rome")
    assert client.get("/app/")["Content-Language"] == "it"


def test_profile_refuses_an_unknown_time_zone(client, world):
    logged_in(client, world, "acme_owner")
    response = client.post(
        "/accounts/profile/", {"name": "x", "language": "", "time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 200
    assert User.objects.get(pk=world.users["acme_owner"].pk).time_zone == "UTC"


def test_browser_language_is_used_without_a_preference(client, world):
    logged_in(client, world, "acme_owner")
    response = client.get("/app/", HTTP_ACCEPT_LANGUAGE="ru,en;q=0.5")
    assert response["Content-Language"] == "ru"


def test_password_reset_sends_a_working_link(client, world):
    response = client.post("/accounts/password-reset/", {"email": "acme_owner@example.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
    path = link.split("testserver", 1)[1]
    response = client.get(path, follow=True)
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "a-brand-new-secret-42", "new_password2": "a-brand-new-secret-42"},
    )
    assert response.status_code == 302
    assert User.objects.get(email="acme_owner@example.test").check_password("a-brand-new-secret-42")


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, world):
    response = client.post("/accounts/password-reset/", {"email": "nobody@example.test"})
    assert response.status_code == 302
    assert mail.outbox == []


@pytest.mark.parametrize("language", ["en", "es"])
def test_profile_names_each_language_in_itself(client, world, language):
    user = world.users["acme_agent"]
    user.language = language
    user.save()
    page = logged_in(client, world, "acme_agent").get("/accounts/profile/").content.decode()
    for name in ("English", "Español", "Italiano", "Русский", "简体中文"):
        assert f">{name}</option>" in page
    assert ">Spanish</option>" not in page
    assert ">Español</option>" in page
