import factory

from accounts.models import Membership, Organization, OrganizationKind, Role, User
from accounts.services import api_token_create
from accounts.time_zones import default_time_zone
from core.testing import TenantModelFactory
from suppliers.models import SupplierLink

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)


class MerchantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ["slug"]

    kind = OrganizationKind.MERCHANT
    slug = factory.Sequence(lambda n: f"merchant-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").title())
    country = "US"
    time_zone = factory.LazyAttribute(lambda o: default_time_zone(o.country))


class SupplierFactory(MerchantFactory):
    kind = OrganizationKind.SUPPLIER
    slug = factory.Sequence(lambda n: f"supplier-{n}")
    country = "CN"
    verified = True


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(MerchantFactory)
    role = Role.AGENT


class SupplierLinkFactory(TenantModelFactory):
    class Meta:
        model = SupplierLink

    merchant = factory.SubFactory(MerchantFactory)
    supplier = factory.SubFactory(SupplierFactory)


def token_for(user: User, organization: Organization) -> str:
    """Issue a token without the login step (tests of other endpoints need no password dance)."""
    _token, key = api_token_create(user=user, organization=organization)
    return key
