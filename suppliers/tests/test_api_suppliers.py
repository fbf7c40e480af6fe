import pytest

URL = "/api/v1/suppliers/"


@pytest.mark.parametrize("caller", ["acme_owner", "acme_manager", "acme_agent", "acme_viewer"])
def test_merchant_roles_list_their_linked_suppliers(world, caller):
    response = world.client(caller).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"results", "next", "previous"}
    assert [(s["slug"], s["verified"], s["country"]) for s in body["results"]] == [
        ("ali-market", False, "CN"),
        ("shenzhen-supply", True, "CN"),
        ("yiwu-goods", True, "CN"),
    ]
    assert set(body["results"][0]) == {"id", "slug", "name", "verified", "country"}


def test_other_merchant_sees_only_its_own_links(world):
    body = world.client("globex_owner").get(URL).json()
    assert [s["slug"] for s in body["results"]] == ["shenzhen-supply"]


@pytest.mark.parametrize("caller", ["shenzhen_admin", "yiwu_admin"])
def test_suppliers_may_not_list_suppliers(world, caller):
    response = world.client(caller).get(URL)
    assert response.status_code == 403
    assert "merchant" in response.json()["detail"]


def test_anonymous_is_401(world):
    assert world.client(None).get(URL).status_code == 401


def test_list_is_paginated_with_a_cursor(world):
    body = world.client("acme_owner").get(URL, {"page_size": 2}).json()
    assert len(body["results"]) == 2
    assert body["next"]
    rest = world.client("acme_owner").get(body["next"]).json()
    assert [s["slug"] for s in rest["results"]] == ["yiwu-goods"]


def test_list_costs_the_same_queries_for_few_and_many_suppliers(
    world, django_assert_max_num_queries
):
    from accounts.tests.factories import SupplierFactory, SupplierLinkFactory

    client = world.client("acme_owner")
    client.get(URL)  # authenticate once so that both counts see a warm token
    with django_assert_max_num_queries(3):
        assert len(client.get(URL).json()["results"]) == 3
    for _number in range(40):
        SupplierLinkFactory(merchant=world.acme, supplier=SupplierFactory())
    with django_assert_max_num_queries(3):
        assert len(client.get(URL, {"page_size": 100}).json()["results"]) == 43


def test_messages_follow_the_callers_language(world):
    user = world.users["shenzhen_admin"]
    user.language = "es"
    user.save()
    response = world.client("shenzhen_admin").get(URL)
    assert response.status_code == 403
    assert response["Content-Language"] == "es"
    assert "merchant" not in response.json()["detail"]
