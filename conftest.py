"""Fixtures every app's tests share: a small world of tenants, people and API clients.

The world mirrors the demo: two merchants, two verified suppliers and an unverified one,
with one person per role, so that every endpoint can be tried by every kind of caller.
"""

from dataclasses import dataclass

import pytest
from django.conf import settings
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
