import pytest

from accounts.models import Role
from notifications import services
from notifications.events import Recipients
from notifications.models import Notification
from notifications.tests.factories import event

URL = "/api/v1/notifications/"
EVERYONE = [
    "acme_owner",
    "acme_manager",
    "acme_agent",
    "acme_viewer",
    "globex_owner",
    "shenzhen_admin",
    "shenzhen_agent",
    "yiwu_admin",
]


@pytest.fixture
def told(world):
    # Every acme member and the Shenzhen staff get one notification of acme's event.
    services.notify(
        event=event(world, recipients=(Recipients(world.acme), Recipients(world.shenzhen)))
    )
    return world


@pytest.mark.parametrize("caller", EVERYONE)
def test_each_caller_lists_only_its_own_notifications(told, caller):
    response = told.client(caller).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"results", "next", "previous"}
    expected = 0 if caller in ("globex_owner", "yiwu_admin") else 1
    assert len(body["results"]) == expected
    if expected:
        assert set(body["results"][0]) == {
            "id",
            "type",
            "title",
            "body",
            "url",
            "read_at",
            "created_at",
        }
        assert body["results"][0]["title"] == "Dispute #42 opened"


def test_anonymous_is_401(world):
    assert world.client(None).get(URL).status_code == 401


def test_unread_filter_and_mark_read(told):
    client = told.client("acme_agent")
    notification = client.get(URL, {"unread": "true"}).json()["results"][0]
    response = client.post(f"{URL}{notification['id']}/read/")
    assert response.status_code == 200
    assert response.json()["read_at"] is not None
    assert client.get(URL, {"unread": "true"}).json()["results"] == []
    assert len(client.get(URL).json()["results"]) == 1


@pytest.mark.parametrize("caller", ["acme_owner", "acme_viewer", "globex_owner", "shenzhen_admin"])
def test_someone_elses_notification_is_404_and_stays_unread(told, caller):
    theirs = Notification.cross_tenant_objects.get(user=told.users["acme_agent"])
    response = told.client(caller).post(f"{URL}{theirs.pk}/read/")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_malformed_id_is_404(told):
    assert told.client("acme_agent").post(f"{URL}not-a-uuid/read/").status_code == 404


def test_read_all_marks_only_the_callers_rows_in_the_tokens_organization(told):
    # The same person also belongs to globex, where another notification waits.
    from accounts.tests.factories import MembershipFactory

    agent = told.users["acme_agent"]
    MembershipFactory(user=agent, organization=told.globex, role=Role.AGENT)
    services.notify(
        event=event(told, key="globex:1", recipients=(Recipients(told.globex),)).__class__(
            **{
                **event(told, key="globex:1").__dict__,
                "merchant": told.globex,
                "recipients": (Recipients(told.globex),),
            }
        )
    )
    response = told.client("acme_agent").post(f"{URL}read-all/")
    assert response.status_code == 200
    assert response.json() == {"marked_read": 1}
    unread = Notification.cross_tenant_objects.filter(read_at__isnull=True)
    assert unread.filter(user=agent, organization=told.globex).count() == 1
    assert unread.filter(user=told.users["acme_owner"]).count() == 1


def test_list_costs_the_same_queries_for_one_and_many(told, django_assert_max_num_queries):
    client = told.client("acme_owner")
    client.get(URL)
    with django_assert_max_num_queries(3):
        assert len(client.get(URL).json()["results"]) == 1
    for number in range(25):
        services.notify(event=event(told, key=f"more:{number}"))
    with django_assert_max_num_queries(3):
        assert len(client.get(URL, {"page_size": 20}).json()["results"]) == 20
