"""The platform view in the admin: per merchant and supplier, the queue, the slowest."""

import pytest

from accounts.tests.factories import UserFactory
from insights.tests.world import PERIOD

URL = "/admin/insights/platforminsight/"


@pytest.fixture
def operator(db, client):
    user = UserFactory(email="operator@redress.test", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_platform_view_across_tenants(operator, analytics_world):
    response = operator.get(URL, {"from": "2026-03-02", "to": "2026-03-15"})
    assert response.status_code == 200
    figures = response.context["figures"]
    merchants = {row["merchant__slug"]: row for row in figures["per_merchant"]}
    assert (merchants["acme"]["opened"], merchants["acme"]["open_now"]) == (5, 4)
    assert merchants["acme"]["arbitrated"] == 1
    assert (merchants["globex"]["opened"], merchants["globex"]["open_now"]) == (1, 1)
    suppliers = {row["supplier__slug"]: row for row in figures["per_supplier"]}
    assert suppliers["shenzhen-supply"]["opened"] == 5
    assert suppliers["shenzhen-supply"]["median_first_response_hours"] == "3.00"
    assert suppliers["yiwu-goods"]["median_first_response_hours"] is None
    # Only suppliers that answered are ranked by their median, slowest first.
    assert [row["supplier__slug"] for row in figures["slowest_suppliers"]] == ["shenzhen-supply"]
    assert figures["queue"]["waiting"] == 1  # D3, since 12 March 10:00
    assert figures["queue"]["oldest_hours"] == "98.00"  # to 16 March 12:00
    assert figures["queue"]["median_hours"] == "98.00"
    assert b"Suppliers slowest to answer" in response.content


def test_platform_view_of_nothing(operator):
    response = operator.get(URL)
    assert response.status_code == 200
    assert response.context["figures"]["queue"] == {
        "waiting": 0,
        "oldest_hours": None,
        "median_hours": None,
    }


def test_platform_view_is_for_operators_only(client, world):
    client.force_login(world.users["acme_owner"])
    assert client.get(URL).status_code == 302  # to the admin login


def test_a_bad_period_falls_back_with_a_message(operator):
    response = operator.get(URL, PERIOD | {"to": "x"})
    assert response.status_code == 200
    assert b"YYYY-MM-DD" in response.content
