import pytest

from accounts.actors import Actor
from conftest import CALLERS


@pytest.fixture
def actor_for(world):
    """The Actor that the API would build for one of the world's callers."""

    def build(caller: str) -> Actor:
        organization_name, role = CALLERS[caller]
        return Actor.member(
            user=world.users[caller], organization=world.organization(organization_name), role=role
        )

    return build


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Uploaded files go to a folder of the test's own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
