import pytest

from accounts.models import Organization
from accounts.tests.factories import UserFactory


@pytest.fixture
def operator(client, world):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/admin/accounts/user/",
        "/admin/accounts/organization/",
        "/admin/accounts/membership/",
        "/admin/accounts/apitoken/",
        "/admin/suppliers/supplierlink/",
        "/admin/accounts/user/?q=acme",
        "/admin/accounts/organization/?kind__exact=supplier&verified__exact=0",
    ],
)
def test_operator_pages_render(operator, path):
    assert operator.get(path).status_code == 200


def test_operator_verifies_a_supplier(operator, world):
    response = operator.post(
        "/admin/accounts/organization/",
        {"action": "verify", "_selected_action": [str(world.ali.pk), str(world.acme.pk)]},
    )
    assert response.status_code == 302
    ali = Organization.objects.get(pk=world.ali.pk)
    assert ali.verified
    assert ali.verified_at is not None
    # A merchant is not a supplier: the action leaves it alone.
    assert not Organization.objects.get(pk=world.acme.pk).verified


def test_merchant_staff_cannot_reach_the_admin(client, world):
    client.force_login(world.users["acme_owner"])
    response = client.get("/admin/accounts/organization/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
