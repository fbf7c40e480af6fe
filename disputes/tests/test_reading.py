"""Opening a dispute (its page on either side, or the API's detail) reads its notifications."""

import pytest
from django.test import Client

from core.tenancy import cross_tenant_scope
from disputes import services
from notifications.models import Notification


def unread(caller, world) -> dict:
    """{dispute url: unread count} of `caller`'s notifications."""
    with cross_tenant_scope(reason="test"):
        rows = Notification.cross_tenant_objects.filter(
            user=world.users[caller], read_at__isnull=True
        )
        answer: dict = {}
        for row in rows:
            answer[row.url] = answer.get(row.url, 0) + 1
        return answer


def browser(world, caller) -> Client:
    client = Client()
    client.force_login(world.users[caller], backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def two_disputes(world, disputes):
    """Two disputes, each with two supplier messages the merchant's staff were told of."""
    first, second = disputes.open(), disputes.open()
    for dispute in (first, second, first, second):
        disputes.call("shenzhen_agent", services.dispute_message_post, dispute, body="News.")
    disputes.call("acme_agent", services.dispute_message_post, first, body="Thanks.")
    return first, second


@pytest.mark.parametrize("how", ["page", "api"])
def test_opening_a_dispute_reads_its_notifications_and_no_others(world, two_disputes, how):
    first, second = two_disputes
    here, there = f"/app/disputes/{first.pk}/", f"/app/disputes/{second.pk}/"
    assert unread("acme_agent", world) == {here: 2, there: 2}
    if how == "page":
        assert browser(world, "acme_agent").get(here).status_code == 200
    else:
        assert world.client("acme_agent").get(f"/api/v1/disputes/{first.pk}/").status_code == 200
    # The reader's own notices of this dispute are read; the other dispute's stay unread,
    # and so do a colleague's.
    assert unread("acme_agent", world) == {there: 2}
    assert unread("acme_owner", world) == {here: 2, there: 2}


def test_the_supplier_opening_the_dispute_reads_its_own(world, two_disputes):
    first, _second = two_disputes
    portal = f"/portal/disputes/{first.pk}/"
    assert unread("shenzhen_admin", world)[portal] == 2  # opened, and a reply
    assert browser(world, "shenzhen_admin").get(portal).status_code == 200
    assert portal not in unread("shenzhen_admin", world)
    assert unread("shenzhen_agent", world)[portal] == 2  # opened, and a reply


def test_another_tenants_dispute_is_404_and_reads_nothing(world, two_disputes):
    first, _second = two_disputes
    before = unread("acme_agent", world)
    response = browser(world, "globex_owner").get(f"/app/disputes/{first.pk}/")
    assert response.status_code == 404
    api = world.client("globex_owner").get(f"/api/v1/disputes/{first.pk}/")
    assert api.status_code == 404
    assert unread("acme_agent", world) == before
