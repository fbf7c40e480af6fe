"""Fixtures every app's tests share: a small world of tenants, people and API clients.

The world mirrors the demo: two merchants, two verified suppliers and an unverified one,
with one person per role, so that every endpoint can be tried by every kind of caller.

Every test connects as the application's database role, under row-level security; the
test databases are created and migrated as the tables' owner, as a deployment migrates.
"""

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation
from rest_framework.test import APIClient

from accounts.models import Organization, Role, User
from accounts.tests.factories import (
    MembershipFactory,
    MerchantFactory,
    SupplierFactory,
    SupplierLinkFactory,
    UserFactory,
    token_for,
)
from core import tenancy

_application_login: dict = {}


def _log_in_as(login: dict) -> None:
    for settings_dict in (settings.DATABASES["default"], connection.settings_dict):
        settings_dict["USER"], settings_dict["PASSWORD"] = login["USER"], login["PASSWORD"]
    connection.close()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """The test databases are created and migrated by the owner role (settings.DATABASE_OWNER)."""
    default = settings.DATABASES["default"]
    _application_login.update(USER=default["USER"], PASSWORD=default["PASSWORD"])
    _log_in_as(settings.DATABASE_OWNER)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Then every test runs as the application's role; the owner drops the databases."""
    if connection.vendor == "postgresql" and _application_login["USER"]:
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            # Only for the tests: a transactional test empties the tables with TRUNCATE,
            # which row-level security does not filter; the application never may.
            cursor.execute(
                f'GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO "{_application_login["USER"]}"'
            )
    _log_in_as(_application_login)
    yield
    _log_in_as(settings.DATABASE_OWNER)


@pytest.fixture(autouse=True)
def _set_up_reads_every_tenant():
    """Factories and assertions outside a request or task see every tenant's rows.

    Requests (core.middleware) and tasks (core.tasks.task_scope) start without it, so
    what they run is walled exactly as in production.
    """
    with tenancy.unscoped_database_scope(reason="test set-up"):
        yield


# Every caller an endpoint test should try: (person, organization) by short name.
CALLERS = {
    "acme_owner": ("acme", Role.OWNER),
    "acme_manager": ("acme", Role.MANAGER),
    "acme_agent": ("acme", Role.AGENT),
    "acme_viewer": ("acme", Role.VIEWER),
    "globex_owner": ("globex", Role.OWNER),
    "shenzhen_admin": ("shenzhen", Role.ADMIN),
    "shenzhen_agent": ("shenzhen", Role.AGENT),
    "yiwu_admin": ("yiwu", Role.ADMIN),
}


@pytest.fixture(autouse=True)
def default_language():
    # A request in another language leaves it active in the thread; each test starts in
    # the site's default, as a fresh worker would.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@dataclass
class World:
    acme: Organization
    globex: Organization
    shenzhen: Organization
    yiwu: Organization
    ali: Organization
    users: dict[str, User]

    def organization(self, name: str) -> Organization:
        return getattr(self, name)

    def client(self, caller: str | None) -> APIClient:
        """An API client with a Bearer token for `caller`, or anonymous for None."""
        client = APIClient()
        if caller is not None:
            organization_name, _role = CALLERS[caller]
            key = token_for(self.users[caller], self.organization(organization_name))
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        return client


@pytest.fixture
def world(db) -> World:
    acme = MerchantFactory(slug="acme", name="Acme Outdoor", country="US")
    globex = MerchantFactory(slug="globex", name="Globex Home", country="DE")
    shenzhen = SupplierFactory(slug="shenzhen-supply", name="Shenzhen Supply")
    yiwu = SupplierFactory(slug="yiwu-goods", name="Yiwu Goods")
    ali = SupplierFactory(slug="ali-market", name="Ali Market", verified=False)
    for merchant, supplier in [(acme, shenzhen), (globex, shenzhen), (acme, yiwu), (acme, ali)]:
        SupplierLinkFactory(merchant=merchant, supplier=supplier)
    organizations = {"acme": acme, "globex": globex, "shenzhen": shenzhen, "yiwu": yiwu}
    users = {}
    for caller, (organization_name, role) in CALLERS.items():
        user = UserFactory(email=f"{caller}@example.test", name=caller.replace("_", " ").title())
        MembershipFactory(user=user, organization=organizations[organization_name], role=role)
        users[caller] = user
    return World(acme=acme, globex=globex, shenzhen=shenzhen, yiwu=yiwu, ali=ali, users=users)
