from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, Membership, Role
from accounts.tests.factories import PASSWORD, MembershipFactory

TOKEN_URL = "/api/v1/auth/token/"


def issue(client: APIClient, **body):
    return client.post(TOKEN_URL, body, format="json")


def test_owner_gets_a_token_for_their_only_organization(world):
    response = issue(APIClient(), email="acme_owner@example.test", password=PASSWORD)
    assert response.status_code == 201
    body = response.json()
    assert body["organization"] == {"kind": "merchant", "slug": "acme", "name": "Acme Outdoor"}
    assert body["role"] == "owner"
    token = ApiToken.objects.get()
    # Only the hash is stored: the key never lands in the database.
    assert body["token"] not in {token.key_hash, token.key_prefix}
    assert body["token"].startswith(token.key_prefix)


def test_email_is_case_insensitive(world):
    response = issue(APIClient(), email="ACME_Owner@Example.TEST", password=PASSWORD)
    assert response.status_code == 201


def test_supplier_token_names_the_supplier_organization(world):
    response = issue(APIClient(), email="shenzhen_agent@example.test", password=PASSWORD)
    assert response.status_code == 201
    assert response.json()["organization"]["kind"] == "supplier"
    assert response.json()["organization"]["slug"] == "shenzhen-supply"


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("acme_owner@example.test", "wrong-password"),
        ("nobody@example.test", PASSWORD),
    ],
)
def test_bad_credentials_are_401_and_issue_nothing(world, email, password):
    response = issue(APIClient(), email=email, password=password)
    assert response.status_code == 401
    assert "detail" in response.json()
    assert ApiToken.objects.count() == 0


def test_member_of_several_organizations_must_name_one(world):
    MembershipFactory(user=world.users["acme_agent"], organization=world.globex, role=Role.AGENT)
    response = issue(APIClient(), email="acme_agent@example.test", password=PASSWORD)
    assert response.status_code == 400
    assert "acme" in response.json()["organization"][0]
    assert ApiToken.objects.count() == 0

    response = issue(
        APIClient(), email="acme_agent@example.test", password=PASSWORD, organization="globex"
    )
    assert response.status_code == 201
    assert response.json()["organization"]["slug"] == "globex"


@pytest.mark.parametrize("slug", ["globex", "no-such-org", "shenzhen-supply"])
def test_organization_the_user_is_not_in_is_refused_alike(world, slug):
    response = issue(
        APIClient(), email="acme_owner@example.test", password=PASSWORD, organization=slug
    )
    assert response.status_code == 400
    # The same words whether the organization exists or not: nothing is revealed.
    assert response.json()["organization"] == ["You are not a member of this organization."]
    assert ApiToken.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b'{"email": "acme_owner@example.test"}',
        b'{"email": ["a"], "password": {"x": 1}}',
        b"[]",
        b'"text"',
    ],
)
def test_malformed_bodies_are_400_json(world, body):
    response = APIClient().post(TOKEN_URL, body, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()
    assert ApiToken.objects.count() == 0


def test_repeated_failures_lock_the_login_out(world):
    client = APIClient()
    for _attempt in range(4):
        assert issue(client, email="acme_owner@example.test", password="nope").status_code == 401
    fifth = issue(client, email="acme_owner@example.test", password="nope")
    assert fifth.status_code == 429
    assert "15 minutes" in fifth.json()["detail"]
    # Even the right password is refused while locked out.
    response = issue(client, email="acme_owner@example.test", password=PASSWORD)
    assert response.status_code == 429
    assert ApiToken.objects.count() == 0


def test_token_authenticates_and_records_last_use(world):
    key = issue(APIClient(), email="acme_owner@example.test", password=PASSWORD).json()["token"]
    assert ApiToken.objects.get().last_used_at is None
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/me/").status_code == 200
    assert ApiToken.objects.get().last_used_at is not None


def test_revoked_token_stops_working(world):
    key = issue(APIClient(), email="acme_owner@example.test", password=PASSWORD).json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.delete(TOKEN_URL).status_code == 204
    assert ApiToken.objects.get().revoked_at is not None
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json() == {"detail": "This token is invalid, expired or revoked."}
    assert client.delete(TOKEN_URL).status_code == 401


def test_expired_token_is_401(world):
    client = world.client("acme_owner")
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/me/").status_code == 401


def test_token_stops_working_when_membership_ends(world):
    client = world.client("acme_agent")
    Membership.objects.filter(user=world.users["acme_agent"]).delete()
    assert client.get("/api/v1/me/").status_code == 401


def test_token_of_a_deactivated_user_is_401(world):
    client = world.client("acme_agent")
    world.users["acme_agent"].is_active = False
    world.users["acme_agent"].save()
    assert client.get("/api/v1/me/").status_code == 401


@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer a b", "Bearer rdr_unknown", "Bearer \u00e9\u00e9", "Token abc"]
)
def test_bad_authorization_headers_are_401(world, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_stale_authorization_header_does_not_block_issuing(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer rdr_revoked_long_ago")
    assert issue(client, email="acme_owner@example.test", password=PASSWORD).status_code == 201


def test_revoke_without_token_is_401(world):
    assert APIClient().delete(TOKEN_URL).status_code == 401
