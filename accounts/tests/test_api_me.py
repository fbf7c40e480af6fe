import pytest

from conftest import CALLERS


@pytest.mark.parametrize("caller", list(CALLERS))
def test_me_tells_who_and_where(world, caller):
    response = world.client(caller).get("/api/v1/me/")
    assert response.status_code == 200
    organization_name, role = CALLERS[caller]
    organization = world.organization(organization_name)
    assert response.json() == {
        "user": {
            "email": f"{caller}@example.test",
            "name": world.users[caller].name,
            "language": "",
            "time_zone": "UTC",
        },
        "organization": {
            "kind": organization.kind,
            "slug": organization.slug,
            "name": organization.name,
            "country": organization.country,
            "time_zone": {"US": "America/New_York", "DE": "Europe/Berlin", "CN": "Asia/Shanghai"}[
                organization.country
            ],
        },
        "role": role,
    }


def test_me_without_token_is_401(world):
    response = world.client(None).get("/api/v1/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
