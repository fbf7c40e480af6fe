"""The correct / void / reship forms on the merchant's order page and in the supplier portal."""

import pytest
from django.test import Client

from core.tenancy import cross_tenant_scope
from orders import services
from orders.models import OrderLine, Shipment, ShipmentStatus
from orders.tests.factories import order_body

GOOD = "RR123456785CN"
BAD = "RR123456795CN"


@pytest.fixture
def browser_for(world):
    def build(caller: str) -> Client:
        client = Client()
        client.force_login(world.users[caller])
        return client

    return build


@pytest.fixture
def order(world, actor_for):
    return services.order_create(actor=actor_for("acme_owner"), **order_body())


@pytest.fixture
def bad_parcel(order, actor_for):
    with cross_tenant_scope(reason="test"):
        lines = list(OrderLine.objects.filter(order=order, supplier__slug="shenzhen-supply"))
    return services.shipment_create(
        actor=actor_for("shenzhen_admin"), order=order, lines=lines, tracking_number=BAD
    )


def reread(shipment):
    with cross_tenant_scope(reason="test"):
        return Shipment.objects.select_related("order").get(pk=shipment.pk)


def test_the_order_page_shows_the_invalid_parcel_with_its_fix_forms(browser_for, order, bad_parcel):
    page = browser_for("acme_agent").get(f"/app/orders/{order.pk}/").content.decode()
    assert "Looks invalid" in page
    assert "Tracking number invalid" in page  # its status, not "In transit"
    assert f"/app/orders/{order.pk}/parcels/{bad_parcel.pk}/correct/" in page
    assert f"/app/orders/{order.pk}/parcels/{bad_parcel.pk}/void/" in page


def test_viewers_see_no_fix_forms(browser_for, order, bad_parcel):
    page = browser_for("acme_viewer").get(f"/app/orders/{order.pk}/").content.decode()
    assert "/correct/" not in page
    response = browser_for("acme_viewer").post(
        f"/app/orders/{order.pk}/parcels/{bad_parcel.pk}/void/"
    )
    assert response.status_code == 403
    assert reread(bad_parcel).status == ShipmentStatus.TRACKING_INVALID


def test_the_merchant_corrects_a_number_from_the_order_page(browser_for, order, bad_parcel):
    prefix = f"p{bad_parcel.pk.hex}"
    response = browser_for("acme_agent").post(
        f"/app/orders/{order.pk}/parcels/{bad_parcel.pk}/correct/",
        {"prefix": prefix, f"{prefix}-tracking_number": GOOD, f"{prefix}-carrier": ""},
        follow=True,
    )
    assert "Tracking number corrected to RR123456785CN" in response.content.decode()
    assert (reread(bad_parcel).tracking_number, reread(bad_parcel).status) == (GOOD, "in_transit")


def test_the_merchant_voids_a_parcel_from_the_order_page(browser_for, order, bad_parcel):
    response = browser_for("acme_owner").post(
        f"/app/orders/{order.pk}/parcels/{bad_parcel.pk}/void/", follow=True
    )
    assert "voided" in response.content.decode()
    assert reread(bad_parcel).status == ShipmentStatus.VOIDED


def test_another_merchant_gets_404(browser_for, order, bad_parcel):
    response = browser_for("globex_owner").post(
        f"/app/orders/{order.pk}/parcels/{bad_parcel.pk}/void/"
    )
    assert response.status_code == 404
    assert reread(bad_parcel).status == ShipmentStatus.TRACKING_INVALID


def test_the_portal_lists_the_suppliers_parcels_to_fix_and_corrects_them(
    browser_for, order, bad_parcel
):
    browser = browser_for("shenzhen_agent")
    page = browser.get("/portal/orders/", {"view": "to_fix"}).content.decode()
    assert 'data-view="to_fix" aria-current="true">Tracking to fix <span class="count">1<' in page
    assert BAD in page
    prefix = f"p{bad_parcel.pk.hex}"
    response = browser.post(
        f"/portal/orders/{order.pk}/parcels/{bad_parcel.pk}/correct/",
        {"prefix": prefix, f"{prefix}-tracking_number": "RR123456775CN"},
        follow=True,
    )
    assert "still looks invalid" in response.content.decode()
    assert reread(bad_parcel).tracking_number == "RR123456775CN"


def test_another_supplier_cannot_touch_the_parcel_in_the_portal(browser_for, order, bad_parcel):
    browser = browser_for("yiwu_admin")
    assert BAD not in browser.get("/portal/orders/", {"view": "all"}).content.decode()
    response = browser.post(f"/portal/orders/{order.pk}/parcels/{bad_parcel.pk}/void/")
    assert response.status_code == 404
    assert reread(bad_parcel).status == ShipmentStatus.TRACKING_INVALID


def test_a_returned_parcel_offers_a_reship_to_a_corrected_address(
    browser_for, order, bad_parcel, actor_for
):
    services.shipment_update_status(
        actor=actor_for("acme_owner"), shipment=bad_parcel, status=ShipmentStatus.RETURNED
    )
    browser = browser_for("acme_agent")
    page = browser.get(f"/app/orders/{order.pk}/").content.decode()
    assert "Reship to a corrected address" in page
    prefix = f"r{bad_parcel.pk.hex}"
    response = browser.post(
        f"/app/orders/{order.pk}/parcels/{bad_parcel.pk}/reship/",
        {
            "prefix": prefix,
            f"{prefix}-line1": "2 Side Street",
            f"{prefix}-city": "Shelbyville",
            f"{prefix}-country": "US",
        },
        follow=True,
    )
    assert "the supplier is asked to reship" in response.content.decode()
    assert reread(bad_parcel).order.ship_city == "Shelbyville"


def test_an_unchecked_number_is_shown_as_unchecked(browser_for, order, actor_for):
    with cross_tenant_scope(reason="test"):
        lines = list(OrderLine.objects.filter(order=order, supplier__slug="yiwu-goods"))
    services.shipment_create(
        actor=actor_for("acme_owner"),
        order=order,
        lines=lines,
        tracking_number="AB12345678",
        carrier="Royal Mail",
    )
    page = browser_for("acme_agent").get(f"/app/orders/{order.pk}/").content.decode()
    assert "Unchecked" in page


def test_the_order_page_names_carriers_in_the_readers_language(
    world, browser_for, order, actor_for
):
    with cross_tenant_scope(reason="test"):
        lines = list(OrderLine.objects.filter(order=order, supplier__slug="shenzhen-supply"))
    services.shipment_create(
        actor=actor_for("shenzhen_admin"), order=order, lines=lines, tracking_number=GOOD
    )
    world.users["acme_agent"].language = "es"
    world.users["acme_agent"].save()
    page = browser_for("acme_agent").get(f"/app/orders/{order.pk}/").content.decode()
    assert "<td>Correo internacional (UPU S10)</td>" in page
    assert "<td>upu</td>" not in page
    # The correction form's choices too: names, not codes.
    assert ">UPS</option>" in page


def test_the_order_page_words_the_tracking_problem_in_the_readers_language(
    browser_for, order, bad_parcel, world
):
    user = world.users["acme_agent"]
    user.language = "es"
    user.save()
    page = browser_for("acme_agent").get(f"/app/orders/{order.pk}/").content.decode()
    assert reread(bad_parcel).tracking_problem  # stored in English
    assert reread(bad_parcel).tracking_problem not in page
