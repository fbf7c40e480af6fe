"""The header's search: orders and disputes by order number, customer, e-mail, sku,
supplier or dispute number, whatever the case; a supplier finds only what it may see."""

import pytest

from core.tenancy import cross_tenant_scope


@pytest.fixture
def found(world, disputes):
    order = disputes.order(lines=(("shenzhen", 1, "9.99"),))
    with cross_tenant_scope(reason="test"):
        order.external_id = "SO-4711"
        order.customer_name = "Ada Lovelace"
        order.customer_email = "ada@example.test"
        order.save(update_fields=["external_id", "customer_name", "customer_email"])
        line = order.lines.get()
        line.sku = "BANDANA-RED"
        line.save(update_fields=["sku"])
    dispute = disputes.open(order=order)
    other = disputes.open("globex_owner")  # another merchant's, same supplier
    return order, dispute, other


def results(client, world, caller, text, path="app"):
    client.force_login(world.users[caller])
    page = client.get(f"/{path}/search/", {"q": text})
    assert page.status_code == 200
    found = page.context["results"]
    return {order.pk for order in found.orders}, {dispute.pk for dispute in found.disputes}


@pytest.mark.parametrize(
    "text", ["so-4711", "SO-47", "ada love", "ADA@example.test", "bandana-red", "shenzhen"]
)
def test_the_merchant_finds_the_order_and_its_dispute(client, world, found, text):
    order, dispute, other = found
    orders, disputes_found = results(client, world, "acme_viewer", text)
    assert order.pk in orders
    assert dispute.pk in disputes_found
    assert other.pk not in disputes_found


def test_a_dispute_number_finds_the_dispute(client, world, found):
    _order, dispute, _other = found
    _orders, disputes_found = results(client, world, "acme_owner", f"#{dispute.number}")
    assert disputes_found == {dispute.pk}


def test_the_supplier_searches_what_it_may_see(client, world, found):
    order, dispute, _other = found
    orders, disputes_found = results(client, world, "shenzhen_agent", "so-4711", "portal")
    assert orders == {order.pk}
    assert disputes_found == {dispute.pk}
    # Never by a customer's e-mail address.
    assert results(client, world, "shenzhen_agent", "ada@example.test", "portal") == (set(), set())
    assert results(client, world, "yiwu_admin", "so-4711", "portal") == (set(), set())


def test_other_merchants_find_nothing_and_bad_input_is_harmless(client, world, found):
    assert results(client, world, "globex_owner", "so-4711") == (set(), set())
    assert results(client, world, "acme_owner", "\x00" + "x" * 500) == (set(), set())
    client.force_login(world.users["acme_owner"])
    page = client.get("/app/")
    assert 'action="/app/search/"' in page.content.decode()
