"""Parcels with bad tracking: the merchant is told; either party corrects or voids the parcel;
the disputes on its lines record each change; a returned parcel offers a reship."""

import pytest

from core.errors import Conflict, PermissionDenied
from core.tenancy import cross_tenant_scope, organization_scope
from disputes.models import DisputeKind, Reason, TimelineEvent
from disputes.services.opening import dispute_open
from notifications.events import Text
from notifications.models import NotificationEvent
from orders import services
from orders.models import OrderLine, OrderStatus, Shipment, ShipmentStatus
from orders.tests.factories import order_body

GOOD = "RR123456785CN"
BAD = "RR123456795CN"  # one digit changed: the S10 check digit fails


@pytest.fixture
def order(world, actor_for):
    """acme's order with one shenzhen line and one yiwu line."""
    return services.order_create(actor=actor_for("acme_owner"), **order_body())


def lines_of(order, slug):
    with cross_tenant_scope(reason="test"):
        return list(OrderLine.objects.filter(order=order, supplier__slug=slug))


def parcel(actor, order, slug="shenzhen-supply", number=BAD, carrier=None):
    return services.shipment_create(
        actor=actor,
        order=order,
        lines=lines_of(order, slug),
        tracking_number=number,
        carrier=carrier,
    )


def reread(shipment) -> Shipment:
    with cross_tenant_scope(reason="test"):
        return Shipment.objects.select_related("order").get(pk=shipment.pk)


def invalid_notices():
    with cross_tenant_scope(reason="test"):
        return list(NotificationEvent.objects.filter(type="shipment.tracking_invalid"))


def timeline_codes(dispute):
    with cross_tenant_scope(reason="test"):
        return list(
            TimelineEvent.objects.filter(dispute=dispute)
            .order_by("position")
            .values_list("data__code", flat=True)
        )


# Services


def test_a_parcel_recorded_with_an_invalid_number_tells_the_merchant_and_is_not_in_transit(
    world, order, actor_for
):
    shipment = parcel(actor_for("shenzhen_admin"), order)
    assert shipment.tracking_valid is False
    assert shipment.status == ShipmentStatus.TRACKING_INVALID
    (notice,) = invalid_notices()
    assert notice.merchant_id == world.acme.pk
    assert notice.data["shipment"]["tracking_number"] == BAD
    assert "check digit" in notice.data["shipment"]["tracking_problem"]


def test_the_invalid_number_notice_words_the_problem_in_the_readers_language(
    world, order, actor_for
):
    # The problem is stored in English with the event and worded when the notice is read.
    parcel(actor_for("shenzhen_admin"), order)
    (notice,) = invalid_notices()
    english = Text.render_json(notice.body, "en")
    spanish = Text.render_json(notice.body, "es")
    assert "check digit mismatch" in english
    assert "dígito de control incorrecto" in spanish
    assert "check digit" not in spanish


def test_a_valid_or_unchecked_number_tells_nobody(world, order, actor_for):
    assert parcel(actor_for("shenzhen_admin"), order, number=GOOD).status == "in_transit"
    unchecked = parcel(actor_for("acme_owner"), order, "yiwu-goods", "AB12345678", "Royal Mail")
    assert unchecked.tracking_valid is None
    assert unchecked.status == ShipmentStatus.IN_TRANSIT
    assert invalid_notices() == []


def test_correcting_the_number_puts_the_parcel_in_transit(world, order, actor_for):
    shipment = parcel(actor_for("shenzhen_admin"), order)
    corrected = services.shipment_correct(
        actor=actor_for("acme_agent"), shipment=shipment, tracking_number="rr 123 456 785 cn"
    )
    assert (corrected.tracking_number, corrected.tracking_valid) == (GOOD, True)
    assert corrected.status == ShipmentStatus.IN_TRANSIT
    assert corrected.tracking_problem == ""


def test_a_correction_to_another_bad_number_tells_the_merchant_again(world, order, actor_for):
    shipment = parcel(actor_for("shenzhen_admin"), order)
    services.shipment_correct(
        actor=actor_for("shenzhen_agent"), shipment=shipment, tracking_number="RR123456775CN"
    )
    assert sorted(n.data["shipment"]["tracking_number"] for n in invalid_notices()) == [
        "RR123456775CN",
        BAD,
    ]
    assert reread(shipment).status == ShipmentStatus.TRACKING_INVALID


def test_a_correction_cannot_take_a_number_already_on_the_order(world, order, actor_for):
    parcel(actor_for("acme_owner"), order, "yiwu-goods", GOOD)
    shipment = parcel(actor_for("shenzhen_admin"), order)
    with pytest.raises(Conflict):
        services.shipment_correct(
            actor=actor_for("shenzhen_admin"), shipment=shipment, tracking_number=GOOD
        )
    assert reread(shipment).tracking_number == BAD


def test_voiding_the_only_parcel_puts_its_lines_back_to_ship(world, order, actor_for):
    shipment = parcel(actor_for("shenzhen_admin"), order)
    voided = services.shipment_void(actor=actor_for("acme_owner"), shipment=shipment)
    assert voided.status == ShipmentStatus.VOIDED
    assert voided.voided_at is not None
    assert all(line.shipped_at is None for line in lines_of(order, "shenzhen-supply"))
    assert reread(shipment).order.status == OrderStatus.UNSHIPPED
    # The number may be recorded again, on the parcel meant.
    again = parcel(actor_for("shenzhen_admin"), order, number=BAD)
    assert again.pk != shipment.pk


def test_a_voided_parcel_can_be_neither_voided_nor_corrected_again(world, order, actor_for):
    shipment = services.shipment_void(
        actor=actor_for("shenzhen_admin"), shipment=parcel(actor_for("shenzhen_admin"), order)
    )
    with pytest.raises(Conflict):
        services.shipment_void(actor=actor_for("acme_owner"), shipment=shipment)
    with pytest.raises(Conflict):
        services.shipment_correct(
            actor=actor_for("acme_owner"), shipment=shipment, tracking_number=GOOD
        )


def test_a_delivered_parcel_cannot_be_voided(world, order, actor_for):
    shipment = parcel(actor_for("shenzhen_admin"), order, number=GOOD)
    services.shipment_update_status(
        actor=actor_for("acme_owner"), shipment=shipment, status=ShipmentStatus.DELIVERED
    )
    with pytest.raises(Conflict):
        services.shipment_void(actor=actor_for("acme_owner"), shipment=shipment)


def test_viewers_may_not_correct_or_void(world, order, actor_for):
    shipment = parcel(actor_for("shenzhen_admin"), order)
    with pytest.raises(PermissionDenied):
        services.shipment_void(actor=actor_for("acme_viewer"), shipment=shipment)
    assert reread(shipment).status == ShipmentStatus.TRACKING_INVALID


def test_every_parcel_change_is_written_to_the_disputes_on_its_lines(world, order, actor_for):
    shipment = parcel(actor_for("shenzhen_admin"), order)
    with organization_scope(world.acme):
        dispute = dispute_open(
            actor=actor_for("acme_owner"),
            order=order,
            lines=lines_of(order, "shenzhen-supply"),
            kind=DisputeKind.PROBLEM,
            reason=Reason.TRACKING_INVALID,
        )
    services.shipment_correct(
        actor=actor_for("shenzhen_admin"), shipment=shipment, tracking_number=GOOD
    )
    services.shipment_void(actor=actor_for("acme_owner"), shipment=shipment)
    codes = timeline_codes(dispute)
    assert codes[-2:] == ["parcel_corrected", "parcel_voided"]
    with cross_tenant_scope(reason="test"):
        corrected = TimelineEvent.objects.get(dispute=dispute, data__code="parcel_corrected")
    assert corrected.data["previous_tracking_number"] == BAD
    assert corrected.data["tracking_number"] == GOOD
    assert corrected.author_party == "supplier"


def test_a_returned_parcel_tells_the_merchant_and_the_disputes(world, order, actor_for):
    shipment = parcel(actor_for("shenzhen_admin"), order, number=GOOD)
    with organization_scope(world.acme):
        dispute = dispute_open(
            actor=actor_for("acme_owner"),
            order=order,
            lines=lines_of(order, "shenzhen-supply"),
            kind=DisputeKind.PROBLEM,
            reason=Reason.NOT_RECEIVED,
        )
    services.shipment_update_status(
        actor=actor_for("shenzhen_admin"), shipment=shipment, status=ShipmentStatus.RETURNED
    )
    with cross_tenant_scope(reason="test"):
        notice = NotificationEvent.objects.get(type="shipment.returned")
    assert notice.merchant_id == world.acme.pk
    assert notice.url == f"/app/orders/{order.pk}/"
    assert timeline_codes(dispute)[-1] == "parcel_returned"


def test_a_returned_parcel_is_reshipped_to_a_corrected_address(world, order, actor_for):
    shipment = parcel(actor_for("shenzhen_admin"), order, number=GOOD)
    services.shipment_update_status(
        actor=actor_for("shenzhen_admin"), shipment=shipment, status=ShipmentStatus.RETURNED
    )
    address = {"line1": "2 Side Street", "city": "Shelbyville", "country": "US"}
    services.shipment_reship_to_corrected_address(
        actor=actor_for("acme_agent"), shipment=shipment, shipping_address=address
    )
    order = reread(shipment).order
    assert (order.ship_line1, order.ship_city) == ("2 Side Street", "Shelbyville")
    assert all(line.shipped_at is None for line in lines_of(order, "shenzhen-supply"))
    with cross_tenant_scope(reason="test"):
        asked = NotificationEvent.objects.filter(type="shipment.returned").order_by("created_at")
        assert asked.count() == 2
        assert "Shelbyville" in asked.last().body["params"]["address"]


def test_only_a_returned_parcel_is_reshipped(world, order, actor_for):
    shipment = parcel(actor_for("shenzhen_admin"), order, number=GOOD)
    address = {"line1": "2 Side Street", "city": "Shelbyville", "country": "US"}
    with pytest.raises(Conflict):
        services.shipment_reship_to_corrected_address(
            actor=actor_for("acme_agent"), shipment=shipment, shipping_address=address
        )


# API


def url(order, shipment, action=""):
    return f"/api/v1/orders/{order.pk}/shipments/{shipment.pk}/{action}"


@pytest.mark.parametrize("caller", ["acme_owner", "acme_manager", "acme_agent", "shenzhen_agent"])
def test_api_merchant_staff_and_the_parcels_supplier_correct_a_number(
    world, order, actor_for, caller
):
    shipment = parcel(actor_for("shenzhen_admin"), order)
    response = world.client(caller).patch(
        url(order, shipment), {"tracking_number": GOOD}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["tracking_number"], body["tracking_valid"], body["status"]) == (
        GOOD,
        True,
        "in_transit",
    )


@pytest.mark.parametrize(
    ("caller", "status"),
    [(None, 401), ("acme_viewer", 403), ("globex_owner", 404), ("yiwu_admin", 404)],
)
def test_api_others_cannot_correct_or_void_and_learn_nothing(
    world, order, actor_for, caller, status
):
    shipment = parcel(actor_for("shenzhen_admin"), order)
    client = world.client(caller)
    patched = client.patch(url(order, shipment), {"tracking_number": GOOD}, format="json")
    voided = client.post(url(order, shipment, "void/"))
    assert (patched.status_code, voided.status_code) == (status, status)
    assert BAD not in patched.content.decode() + voided.content.decode()
    after = reread(shipment)
    assert (after.tracking_number, after.status) == (BAD, ShipmentStatus.TRACKING_INVALID)


def test_api_an_unknown_parcel_is_404(world, order, actor_for):
    client = world.client("acme_owner")
    response = client.patch(
        f"/api/v1/orders/{order.pk}/shipments/not-a-uuid/",
        {"tracking_number": GOOD},
        format="json",
    )
    assert response.status_code == 404


def test_api_bad_correction_input_is_400_and_changes_nothing(world, order, actor_for):
    shipment = parcel(actor_for("shenzhen_admin"), order)
    client = world.client("acme_owner")
    for body in ({}, {"tracking_number": ""}, {"tracking_number": "1" * 65}, ["x"]):
        response = client.patch(url(order, shipment), body, format="json")
        assert response.status_code == 400, (body, response.content)
    assert reread(shipment).tracking_number == BAD


def test_api_void_answers_the_voided_parcel_and_a_second_void_is_409(world, order, actor_for):
    shipment = parcel(actor_for("shenzhen_admin"), order)
    client = world.client("shenzhen_admin")
    first = client.post(url(order, shipment, "void/"))
    assert first.status_code == 200, first.content
    assert first.json()["status"] == "voided"
    assert first.json()["voided_at"]
    assert client.post(url(order, shipment, "void/")).status_code == 409
    detail = world.client("acme_owner").get(f"/api/v1/orders/{order.pk}/").json()
    assert detail["status"] == "unshipped"


def test_api_an_unchecked_carrier_answers_tracking_valid_null(world, order):
    response = world.client("acme_owner").post(
        f"/api/v1/orders/{order.pk}/shipments/",
        {
            "tracking_number": "AB12345678",
            "carrier": "Royal Mail",
            "lines": [str(line.pk) for line in lines_of(order, "yiwu-goods")],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["tracking_valid"] is None
    assert response.json()["tracking_problem"] is None


@pytest.mark.parametrize(
    ("caller", "status"),
    [("acme_agent", 200), ("shenzhen_admin", 403), ("acme_viewer", 403), ("globex_owner", 404)],
)
def test_api_reship_a_returned_parcel_to_a_corrected_address(
    world, order, actor_for, caller, status
):
    shipment = parcel(actor_for("shenzhen_admin"), order, number=GOOD)
    services.shipment_update_status(
        actor=actor_for("shenzhen_admin"), shipment=shipment, status=ShipmentStatus.RETURNED
    )
    body = {"shipping_address": {"line1": "2 Side Street", "city": "Shelbyville", "country": "US"}}
    response = world.client(caller).post(url(order, shipment, "reship/"), body, format="json")
    assert response.status_code == status, response.content
    assert (reread(shipment).order.ship_city == "Shelbyville") is (status == 200)


def test_api_reship_with_a_bad_address_is_400(world, order, actor_for):
    shipment = parcel(actor_for("shenzhen_admin"), order, number=GOOD)
    services.shipment_update_status(
        actor=actor_for("shenzhen_admin"), shipment=shipment, status=ShipmentStatus.RETURNED
    )
    response = world.client("acme_owner").post(
        url(order, shipment, "reship/"), {"shipping_address": {"country": "XX"}}, format="json"
    )
    assert response.status_code == 400
    assert "shipping_address" in response.json()
    assert reread(shipment).order.ship_country == "US"


@pytest.mark.parametrize("caller", ["acme_viewer", "shenzhen_agent"])
def test_api_an_order_whose_only_parcel_number_is_invalid_shows_no_parcel_in_transit(
    world, order, actor_for, caller
):
    parcel(actor_for("shenzhen_admin"), order)
    detail = world.client(caller).get(f"/api/v1/orders/{order.pk}/").json()
    (shipment,) = detail["shipments"]
    assert shipment["status"] == "tracking_invalid"
    assert shipment["tracking_valid"] is False
    assert "in_transit" not in {s["status"] for s in detail["shipments"]}
