"""Organizations live in a time zone: defaulted from the country, edited by the merchant."""

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from accounts import services
from accounts.actors import Actor
from accounts.admin import OrganizationAdmin
from accounts.models import Organization, Role
from accounts.time_zones import default_time_zone
from core.errors import PermissionDenied, ValidationFailed

URL = "/app/settings/organization/"


@pytest.mark.parametrize(
    ("country", "zone"),
    [
        ("CN", "Asia/Shanghai"),
        ("DE", "Europe/Berlin"),
        ("US", "America/New_York"),
        ("RU", "Europe/Moscow"),
        ("au", "Australia/Sydney"),
        ("", "UTC"),
        ("XX", "UTC"),
    ],
)
def test_a_countrys_main_time_zone(country, zone):
    assert default_time_zone(country) == zone


def test_a_new_organization_gets_its_countrys_time_zone_unless_one_is_chosen():
    assert services.organization_time_zone_for_new(country="CN") == "Asia/Shanghai"
    assert (
        services.organization_time_zone_for_new(country="CN", time_zone="Asia/Urumqi")
        == "Asia/Urumqi"
    )


def test_the_admin_creates_an_organization_in_its_countrys_time_zone(db, admin_user):
    admin = OrganizationAdmin(Organization, site)
    request = RequestFactory().post("/admin/")
    request.user = admin_user
    form_class = admin.get_form(request)
    form = form_class(
        data={"kind": "supplier", "slug": "guangzhou", "name": "Guangzhou", "country": "CN"}
    )
    assert form.is_valid(), form.errors
    organization = form.save(commit=False)
    admin.save_model(request, organization, form, change=False)
    organization.refresh_from_db()
    assert organization.time_zone == "Asia/Shanghai"


def test_settings_update_by_a_manager(world):
    actor = Actor.member(
        user=world.users["acme_manager"], organization=world.acme, role=Role.MANAGER
    )
    services.organization_settings_update(
        actor=actor, organization=world.acme, country="de", time_zone="Europe/Berlin"
    )
    world.acme.refresh_from_db()
    assert (world.acme.country, world.acme.time_zone) == ("DE", "Europe/Berlin")


@pytest.mark.parametrize(
    ("country", "zone", "field"), [("DE", "Mars/Olympus", "time_zone"), ("ZZ", "UTC", "country")]
)
def test_settings_update_refuses_unknown_zones_and_countries(world, country, zone, field):
    actor = Actor.member(user=world.users["acme_owner"], organization=world.acme, role=Role.OWNER)
    with pytest.raises(ValidationFailed) as error:
        services.organization_settings_update(
            actor=actor, organization=world.acme, country=country, time_zone=zone
        )
    assert field in error.value.field_errors
    world.acme.refresh_from_db()
    assert world.acme.time_zone == "America/New_York"


def test_agents_and_suppliers_may_not_change_the_merchants_settings(world):
    agent = Actor.member(user=world.users["acme_agent"], organization=world.acme, role=Role.AGENT)
    supplier = Actor.member(
        user=world.users["shenzhen_admin"], organization=world.shenzhen, role=Role.ADMIN
    )
    for actor in (agent, supplier):
        with pytest.raises(PermissionDenied):
            services.organization_settings_update(
                actor=actor, organization=world.acme, country="DE", time_zone="Europe/Berlin"
            )


def test_the_settings_page_shows_and_saves_the_time_zone(client, world):
    client.force_login(world.users["acme_owner"])
    page = client.get(URL)
    assert page.status_code == 200
    assert "America/New_York" in page.content.decode()
    saved = client.post(URL, {"country": "DE", "time_zone": "Europe/Berlin"})
    assert saved.status_code == 302
    world.acme.refresh_from_db()
    assert world.acme.time_zone == "Europe/Berlin"


def test_the_settings_page_refuses_a_bad_zone_and_changes_nothing(client, world):
    client.force_login(world.users["acme_owner"])
    response = client.post(URL, {"country": "DE", "time_zone": "Nowhere/Special"})
    assert response.status_code == 200
    world.acme.refresh_from_db()
    assert world.acme.time_zone == "America/New_York"


@pytest.mark.parametrize(("caller", "status"), [("acme_agent", 403), ("acme_viewer", 403)])
def test_only_owners_and_managers_post_the_settings(client, world, caller, status):
    client.force_login(world.users[caller])
    assert client.get(URL).status_code == 200
    response = client.post(URL, {"country": "DE", "time_zone": "Europe/Berlin"})
    assert response.status_code == status
    world.acme.refresh_from_db()
    assert world.acme.time_zone == "America/New_York"


def test_a_supplier_is_sent_home_from_the_merchants_settings(client, world):
    client.force_login(world.users["shenzhen_admin"])
    assert client.get(URL).status_code == 302
