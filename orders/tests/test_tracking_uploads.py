"""Tracking numbers in bulk and a line at a time: the rules of `shipment_lines_record` and
`tracking_upload_apply`."""

import io

import pytest

from core.errors import Conflict, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from core.tenancy import cross_tenant_scope, organization_scope
from orders import services
from orders.models import OrderLine, OrderStatus, Shipment, ShipmentStatus
from orders.services.tracking_uploads import MAX_ROWS, MAX_UPLOAD_BYTES, RowResult, TrackingRow
from orders.tests.factories import order_body

GOOD = "RR123456785CN"
OTHER_GOOD = "RR987654325CN"
BAD = "RR123456795CN"  # its check digit is wrong


def two_line_body(external_id="#7001", *, with_yiwu=True):
    body = order_body(external_id=external_id)
    if not with_yiwu:  # globex works with shenzhen only
        body["lines"] = body["lines"][:1]
    body["lines"].append(
        {
            "sku": "MAT-1",
            "title": "Sleeping mat",
            "variant": "",
            "quantity": 1,
            "unit_price": "19.00",
            "supplier": "shenzhen-supply",
        }
    )
    return body


@pytest.fixture
def order(actor_for):
    return services.order_create(actor=actor_for("acme_owner"), **two_line_body())


def lines_of(order, supplier="shenzhen-supply"):
    with cross_tenant_scope(reason="test"):
        return list(OrderLine.objects.filter(order=order, supplier__slug=supplier).order_by("sku"))


def parcels_of(order):
    with cross_tenant_scope(reason="test"):
        return list(Shipment.objects.filter(order=order).exclude(status=ShipmentStatus.VOIDED))


def upload(actor_for, world, rows, caller="shenzhen_admin", organization=None):
    with organization_scope(organization or world.shenzhen):
        return services.tracking_upload_apply(actor=actor_for(caller), rows=rows)


def row(number, order_number="#7001", sku="TENT-2P", tracking=GOOD, **more):
    return TrackingRow(
        row=number, order_number=order_number, sku=sku, tracking_number=tracking, **more
    )


def test_one_line_at_a_time_with_one_number_makes_one_parcel(actor_for, order):
    mat, tent = lines_of(order)
    actor = actor_for("shenzhen_admin")
    first, outcome = services.shipment_lines_record(
        actor=actor, order=order, lines=[tent], tracking_number=GOOD
    )
    assert outcome == "created"
    second, outcome = services.shipment_lines_record(
        actor=actor, order=order, lines=[mat], tracking_number="rr 1234 5678 5cn"
    )
    assert (second.pk, outcome) == (first.pk, "added")
    again, outcome = services.shipment_lines_record(
        actor=actor, order=order, lines=[mat, tent], tracking_number=GOOD
    )
    assert (again.pk, outcome) == (first.pk, "unchanged")
    assert len(parcels_of(order)) == 1
    with cross_tenant_scope(reason="test"):
        assert set(first.lines.values_list("sku", flat=True)) == {"MAT-1", "TENT-2P"}
        assert all(line.shipped_at is not None for line in lines_of(order))
        # yiwu's stove still waits: the order is partly shipped.
        assert type(order).objects.get(pk=order.pk).status == OrderStatus.PARTIALLY_SHIPPED


def test_a_line_that_left_in_another_parcel_is_refused_and_named(actor_for, order):
    _mat, tent = lines_of(order)
    actor = actor_for("shenzhen_admin")
    services.shipment_lines_record(actor=actor, order=order, lines=[tent], tracking_number=GOOD)
    with pytest.raises(Conflict, match=GOOD):
        services.shipment_lines_record(
            actor=actor, order=order, lines=[tent], tracking_number=OTHER_GOOD
        )
    assert len(parcels_of(order)) == 1


def test_a_different_carrier_for_a_recorded_number_is_refused(actor_for, order):
    mat, tent = lines_of(order)
    actor = actor_for("shenzhen_admin")
    services.shipment_lines_record(actor=actor, order=order, lines=[tent], tracking_number=GOOD)
    with pytest.raises(Conflict, match="carrier"):
        services.shipment_lines_record(
            actor=actor, order=order, lines=[mat], tracking_number=GOOD, carrier="FedEx"
        )
    with cross_tenant_scope(reason="test"):
        assert OrderLine.objects.get(pk=mat.pk).shipped_at is None


def test_the_upload_records_groups_by_parcel_and_answers_each_row(actor_for, world, order):
    # Given rows for both lines in one parcel, a bad order, a bad sku and an empty number
    rows = [
        row(2),
        row(3, sku="mat-1", tracking="RR 123 456 785 CN"),
        row(4, order_number="#nope"),
        row(5, sku="STOVE"),  # yiwu's line: not this supplier's
        row(6, tracking=""),
    ]

    # When shenzhen uploads them
    result = upload(actor_for, world, rows)

    # Then one parcel carries both lines, and the bad rows say why in words
    answers = {item.row: item for item in result.results}
    assert [item.row for item in result.results] == [2, 3, 4, 5, 6]
    assert (answers[2].status, answers[3].status) == ("recorded", "recorded")
    assert answers[2].shipment_id == answers[3].shipment_id
    assert answers[2].carrier == "upu"
    assert answers[4].message == "Order #nope not found."
    assert answers[5].message == "Order #7001 has no line with the SKU STOVE."
    assert answers[6].message == "The column tracking_number is empty."
    assert result.failed == 3
    assert len(parcels_of(order)) == 1

    # And uploading the same rows again changes nothing
    again = upload(actor_for, world, rows)
    assert [item.status for item in again.results] == [
        "unchanged",
        "unchanged",
        "failed",
        "failed",
        "failed",
    ]
    assert len(parcels_of(order)) == 1


def test_a_poisoned_row_never_stops_the_others(actor_for, world, order, monkeypatch):
    other = services.order_create(actor=actor_for("acme_owner"), **two_line_body("#7002"))
    real = services.shipment_lines_record
    poisoned = str(order.pk)

    def failing_for_one_order(**kwargs):
        if str(kwargs["order"].pk) == poisoned:
            raise Conflict("This order is cancelled; it cannot ship.")
        return real(**kwargs)

    monkeypatch.setattr(
        "orders.services.tracking_uploads.shipment_lines_record", failing_for_one_order
    )
    result = upload(actor_for, world, [row(2), row(3, order_number="#7002")])
    assert [item.status for item in result.results] == ["failed", "recorded"]
    assert result.results[0].message == "This order is cancelled; it cannot ship."
    assert parcels_of(order) == []
    assert len(parcels_of(other)) == 1


def test_an_invalid_number_is_recorded_and_said(actor_for, world, order):
    result = upload(actor_for, world, [row(2, tracking=BAD)])
    assert result.results[0].status == "recorded"
    assert result.results[0].tracking_valid is False
    assert result.results[0].message.startswith("The tracking number looks invalid")
    assert parcels_of(order)[0].status == ShipmentStatus.TRACKING_INVALID


def test_another_suppliers_order_is_not_found_in_the_same_words(actor_for, world, order, db):
    # yiwu serves acme too, but not this sku; shenzhen's order for globex is not yiwu's
    services.order_create(actor=actor_for("globex_owner"), **two_line_body("#G1", with_yiwu=False))
    result = upload(
        actor_for,
        world,
        [row(2, order_number="#G1"), row(3, order_number="#none")],
        caller="yiwu_admin",
        organization=world.yiwu,
    )
    assert [item.message for item in result.results] == [
        "Order #G1 not found.",
        "Order #none not found.",
    ]


def test_an_order_number_two_merchants_share_needs_the_merchant_column(actor_for, world, order):
    services.order_create(
        actor=actor_for("globex_owner"), **two_line_body("#7001", with_yiwu=False)
    )
    result = upload(actor_for, world, [row(2)])
    assert "add a merchant column" in result.results[0].message
    named = upload(actor_for, world, [row(2, merchant="Globex Home")])
    assert named.results[0].status == "recorded"
    assert parcels_of(order) == []


def test_the_merchant_may_upload_for_its_own_orders(actor_for, world, order):
    result = upload(
        actor_for,
        world,
        [row(2), row(3, sku="STOVE", tracking=OTHER_GOOD)],
        "acme_agent",
        world.acme,
    )
    assert [item.status for item in result.results] == ["recorded", "recorded"]
    assert {parcel.supplier_id for parcel in parcels_of(order)} == {
        world.shenzhen.pk,
        world.yiwu.pk,
    }


def csv_file(text: str | bytes, name="tracking.csv"):
    data = text.encode() if isinstance(text, str) else text
    file = io.BytesIO(data)
    file.name = name
    file.size = len(data)
    return file


def test_a_csv_is_read_with_its_row_numbers_aliases_and_semicolons():
    rows = services.tracking_rows_from_csv(
        csv_file("\ufeffOrder Number;SKU;Tracking;Carrier\n#1;A;RR1;\n\n#2;B;RR2;UPS\n")
    )
    assert [(item.row, item.order_number, item.sku, item.carrier) for item in rows] == [
        (2, "#1", "A", ""),
        (4, "#2", "B", "UPS"),
    ]


@pytest.mark.parametrize(
    ("content", "error", "words"),
    [
        ("", ValidationFailed, "empty"),
        ("order_number,sku\n#1,A\n", ValidationFailed, "tracking_number"),
        ("order_number,sku,tracking_number\n", ValidationFailed, "no rows"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", UnsupportedMediaType, "CSV"),
        (b"order_number,sku,tracking_number\n#1,\xff,RR1\n", ValidationFailed, "line 2"),
        (
            'order_number,sku,tracking_number\n"' + "x" * 200_000 + '",A,B\n',
            ValidationFailed,
            "Row 2",
        ),
    ],
)
def test_a_file_that_is_not_a_tracking_csv_is_refused_whole(content, error, words):
    with pytest.raises(error) as raised:
        services.tracking_rows_from_csv(csv_file(content))
    assert words in str(raised.value.message) + str(raised.value.field_errors)


def test_limits_on_size_and_rows():
    with pytest.raises(PayloadTooLarge):
        services.tracking_rows_from_csv(
            csv_file("order_number,sku,tracking_number\n" + "x" * MAX_UPLOAD_BYTES)
        )
    many = "order_number,sku,tracking_number\n" + "#1,A,RR1\n" * (MAX_ROWS + 1)
    with pytest.raises(ValidationFailed, match="At most"):
        services.tracking_rows_from_csv(csv_file(many))
    with pytest.raises(ValidationFailed, match="At most"):
        services.tracking_rows_from_json([{}] * (MAX_ROWS + 1))


def test_results_csv_neutralises_formulas():
    result = services.UploadResult(
        results=[RowResult(row=2, order_number="=HYPERLINK(1)", sku="+A", tracking_number="@x")]
    )
    header, first = list(services.tracking_results_csv_rows(result))
    assert header[0] == "row"
    assert first[1:4] == ["'=HYPERLINK(1)", "'+A", "'@x"]
