"""The portal's shipping desk: the table of lines, tracking typed in the row, a parcel's edit
and void, the tracking upload and its results CSV; who reaches what."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.tenancy import cross_tenant_scope
from orders import services
from orders.models import Order, OrderLine, Shipment, ShipmentStatus
from orders.tests.factories import order_body

GOOD = "RR123456785CN"
OTHER_GOOD = "RR987654325CN"
BAD = "RR123456795CN"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def browser_for(world):
    def build(caller: str) -> Client:
        client = Client()
        client.force_login(world.users[caller])
        return client

    return build


@pytest.fixture
def order(actor_for):
    return services.order_create(actor=actor_for("acme_owner"), **order_body())


def line_of(order, supplier="shenzhen-supply") -> OrderLine:
    with cross_tenant_scope(reason="test"):
        return OrderLine.objects.get(order=order, supplier__slug=supplier)


def live_parcels():
    with cross_tenant_scope(reason="test"):
        return list(
            Shipment.objects.exclude(status=ShipmentStatus.VOIDED).values_list(
                "tracking_number", "status"
            )
        )


def test_the_desk_lists_the_suppliers_lines_and_nothing_of_others(browser_for, order):
    page = browser_for("shenzhen_admin").get("/portal/orders/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "TENT-2P" in text
    assert f'id="line-{line_of(order).pk}"' in text
    assert f'id="order-{order.pk}"' in text  # where notifications link
    assert "STOVE" not in text  # yiwu's line
    assert "ada@example.test" not in text.lower()  # customers' e-mails
    assert "79.90" not in text  # the merchant's prices
    assert 'data-view="to_ship" aria-current="true">To ship <span class="count">1<' in text


@pytest.mark.parametrize("caller", ["acme_owner", "acme_viewer"])
def test_merchants_are_sent_home_from_the_desk(browser_for, order, caller):
    browser = browser_for(caller)
    line = line_of(order)
    assert browser.get("/portal/orders/")["Location"] == "/"
    response = browser.post(f"/portal/orders/lines/{line.pk}/tracking/", {"tracking_number": GOOD})
    assert response.status_code == 302
    assert live_parcels() == []


def test_tracking_typed_in_the_row_records_the_parcel_and_answers_with_the_row(browser_for, order):
    line = line_of(order)
    response = browser_for("shenzhen_agent").post(
        f"/portal/orders/lines/{line.pk}/tracking/",
        {"tracking_number": "rr 1234 5678 5cn", "carrier": ""},
        **HTMX,
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert text.lstrip().startswith(f'<tr id="line-{line.pk}" class="shipped')
    assert "Shipped in RR123456785CN." in text
    assert "International post (UPU S10)" in text
    assert live_parcels() == [(GOOD, ShipmentStatus.IN_TRANSIT)]


def test_a_refusal_stays_in_the_row_with_what_was_typed(browser_for, order, actor_for):
    line = line_of(order)
    services.shipment_lines_record(
        actor=actor_for("shenzhen_admin"), order=order, lines=[line], tracking_number=GOOD
    )
    services.shipment_void(
        actor=actor_for("acme_owner"),
        shipment=Shipment.cross_tenant_objects.get(tracking_number=GOOD),
    )
    with cross_tenant_scope(reason="test"):
        Order.objects.filter(pk=order.pk).update(status="cancelled")
    response = browser_for("shenzhen_agent").post(
        f"/portal/orders/lines/{line.pk}/tracking/", {"tracking_number": OTHER_GOOD}, **HTMX
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert">This order is cancelled; it cannot ship.</p>' in text
    assert live_parcels() == []


def test_an_empty_number_is_refused_in_the_row(browser_for, order):
    line = line_of(order)
    response = browser_for("shenzhen_agent").post(
        f"/portal/orders/lines/{line.pk}/tracking/",
        {"tracking_number": "  ", "carrier": "ups"},
        **HTMX,
    )
    text = response.content.decode()
    assert "Enter the tracking number." in text
    assert '<option value="ups" selected>' in text
    assert live_parcels() == []


def test_another_suppliers_line_is_404_everywhere(browser_for, order, actor_for):
    line = line_of(order)
    parcel, _outcome = services.shipment_lines_record(
        actor=actor_for("shenzhen_admin"), order=order, lines=[line], tracking_number=GOOD
    )
    yiwu = browser_for("yiwu_admin")
    base = f"/portal/orders/lines/{line.pk}"
    assert yiwu.get(f"{base}/").status_code == 404
    assert yiwu.post(f"{base}/tracking/", {"tracking_number": OTHER_GOOD}).status_code == 404
    assert yiwu.get(f"{base}/parcels/{parcel.pk}/edit/").status_code == 404
    edit = yiwu.post(f"{base}/parcels/{parcel.pk}/edit/", {"tracking_number": OTHER_GOOD})
    assert edit.status_code == 404
    assert yiwu.post(f"{base}/parcels/{parcel.pk}/void/").status_code == 404
    assert live_parcels() == [(GOOD, ShipmentStatus.IN_TRANSIT)]


def test_a_parcel_is_edited_and_voided_in_its_rows(browser_for, actor_for):
    # Given an order with two shenzhen lines in one parcel recorded with a bad number
    body = order_body()
    body["lines"][1]["supplier"] = "shenzhen-supply"
    order = services.order_create(actor=actor_for("acme_owner"), **body)
    with cross_tenant_scope(reason="test"):
        first, second = OrderLine.objects.filter(order=order).order_by("sku")
    parcel, _outcome = services.shipment_lines_record(
        actor=actor_for("shenzhen_admin"), order=order, lines=[first, second], tracking_number=BAD
    )
    browser = browser_for("shenzhen_agent")
    base = f"/portal/orders/lines/{first.pk}/parcels/{parcel.pk}"

    # When the supplier opens the edit form, it holds the number as recorded
    editing = browser.get(f"{base}/edit/", **HTMX).content.decode()
    assert f'value="{BAD}"' in editing
    assert f"Void parcel {BAD}" in editing

    # And saving a good number answers with the row, and the other line's row out of band
    saved = browser.post(f"{base}/edit/", {"tracking_number": GOOD}, **HTMX).content.decode()
    assert "Tracking number corrected to RR123456785CN." in saved
    assert f'<template>\n<tr id="line-{second.pk}"' in saved
    assert 'hx-swap-oob="true"' in saved
    assert live_parcels() == [(GOOD, ShipmentStatus.IN_TRANSIT)]

    # And voiding it puts both lines back to ship
    voided = browser.post(f"{base}/void/", **HTMX).content.decode()
    assert "Parcel RR123456785CN voided." in voided
    assert live_parcels() == []
    with cross_tenant_scope(reason="test"):
        assert not OrderLine.objects.filter(order=order, shipped_at__isnull=False).exists()


def test_a_delivered_parcel_cannot_be_voided_and_says_so(browser_for, order, actor_for):
    line = line_of(order)
    parcel, _outcome = services.shipment_lines_record(
        actor=actor_for("shenzhen_admin"), order=order, lines=[line], tracking_number=GOOD
    )
    services.shipment_update_status(
        actor=actor_for("acme_owner"), shipment=parcel, status=ShipmentStatus.DELIVERED
    )
    response = browser_for("shenzhen_agent").post(
        f"/portal/orders/lines/{line.pk}/parcels/{parcel.pk}/void/", **HTMX
    )
    assert "A delivered parcel cannot be voided." in response.content.decode()
    assert live_parcels() == [(GOOD, ShipmentStatus.DELIVERED)]


def test_views_and_filters(browser_for, actor_for, order, world):
    # Given a shipped order, an old order (overdue) and globex's order
    shipped = services.order_create(
        actor=actor_for("acme_owner"), **order_body(external_id="#SHIPPED")
    )
    services.shipment_lines_record(
        actor=actor_for("shenzhen_admin"),
        order=shipped,
        lines=[line_of(shipped)],
        tracking_number=GOOD,
    )
    old = services.order_create(
        actor=actor_for("acme_owner"),
        **order_body(
            external_id="#OLD", placed_at=(timezone.now() - timedelta(days=5)).isoformat()
        ),
    )
    body = order_body(external_id="#GLOBEX")
    body["lines"] = body["lines"][:1]
    services.order_create(actor=actor_for("globex_owner"), **body)
    browser = browser_for("shenzhen_agent")

    def numbers(**params):
        text = browser.get("/portal/orders/", params).content.decode()
        return re.findall(r'class="order-number"[^>]*>([^<]+)<', text)

    # Then "to ship" lists what waits, the oldest first; "shipped" the rest; "all" both
    assert numbers() == ["#OLD", "#5001", "#GLOBEX"]
    assert numbers(view="shipped") == ["#SHIPPED"]
    assert set(numbers(view="all")) == {"#OLD", "#5001", "#GLOBEX", "#SHIPPED"}
    assert numbers(merchant="globex") == ["#GLOBEX"]
    assert numbers(overdue="on") == ["#OLD"]
    assert old.pk
    # And an unknown view or a forged cursor is a 404
    assert browser.get("/portal/orders/", {"view": "mine"}).status_code == 404
    assert browser.get("/portal/orders/", {"cursor": "bad"}).status_code == 404


def test_the_desk_pages_by_keyset(browser_for, actor_for, monkeypatch):
    monkeypatch.setattr("orders.web.portal.PAGE_SIZE", 2)
    for number in range(5):
        services.order_create(
            actor=actor_for("acme_owner"),
            **order_body(
                external_id=f"#P{number}",
                placed_at=(timezone.now() - timedelta(hours=10 - number)).isoformat(),
            ),
        )
    browser = browser_for("shenzhen_agent")
    seen, url = [], "/portal/orders/"
    while url:
        text = browser.get(url).content.decode()
        seen += re.findall(r'class="order-number"[^>]*>([^<]+)<', text)
        found = re.search(r'<a href="([^"]+)">Next page', text)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert seen == [f"#P{number}" for number in range(5)]


@pytest.mark.parametrize("view", ["to_ship", "all"])
def test_a_page_of_the_desk_costs_the_same_queries_for_10_and_100_orders(
    browser_for, actor_for, monkeypatch, view
):
    monkeypatch.setattr("orders.web.portal.PAGE_SIZE", 100)
    browser = browser_for("shenzhen_agent")

    def fill(start, count):
        for number in range(start, start + count):
            order = services.order_create(
                actor=actor_for("acme_owner"), **order_body(external_id=f"#Q{number}")
            )
            if number % 3 == 0:
                services.shipment_lines_record(
                    actor=actor_for("shenzhen_admin"),
                    order=order,
                    lines=[line_of(order)],
                    tracking_number=GOOD,
                )

    def count():
        browser.get("/portal/orders/", {"view": view})
        with CaptureQueriesContext(connection) as queries:
            response = browser.get("/portal/orders/", {"view": view})
        return len(queries), response.content.decode().count('<tr id="line-')

    fill(0, 10)
    small, rows_small = count()
    fill(10, 90)
    large, rows_large = count()
    assert rows_large > rows_small >= 6
    assert large == small


def upload_file(text: str, name="tracking.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_the_upload_page_answers_each_row_and_its_results_download_neutralises_formulas(
    browser_for, order
):
    browser = browser_for("shenzhen_agent")
    assert browser.get("/portal/orders/tracking-upload/").status_code == 200
    content = (
        "order_number,sku,tracking_number,carrier\n"
        f"#5001,TENT-2P,{GOOD},\n"
        '=HYPERLINK("x"),TENT-2P,RR1,\n'
    )
    page = browser.post("/portal/orders/tracking-upload/", {"file": upload_file(content)})
    text = page.content.decode()
    assert page.status_code == 200
    assert "1 line recorded" in text
    assert "1 row refused" in text
    assert "Order =HYPERLINK(&quot;x&quot;) not found." in text
    assert live_parcels() == [(GOOD, ShipmentStatus.IN_TRANSIT)]

    signed = re.search(r'name="results" value="([^"]+)"', text).group(1)
    download = browser.post("/portal/orders/tracking-upload/results.csv", {"results": signed})
    assert download["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0] == [
        "row",
        "order_number",
        "sku",
        "tracking_number",
        "carrier",
        "result",
        "message",
    ]
    assert rows[1][:6] == ["2", "#5001", "TENT-2P", GOOD, "upu", "recorded"]
    assert rows[2][1] == '\'=HYPERLINK("x")'
    # A forged or another supplier's results are a 404
    assert (
        browser.post("/portal/orders/tracking-upload/results.csv", {"results": "x"}).status_code
        == 404
    )
    yiwu = browser_for("yiwu_admin")
    assert (
        yiwu.post("/portal/orders/tracking-upload/results.csv", {"results": signed}).status_code
        == 404
    )

    # And the same file again changes nothing
    again = browser.post("/portal/orders/tracking-upload/", {"file": upload_file(content)})
    assert "1 already recorded" in again.content.decode()
    assert live_parcels() == [(GOOD, ShipmentStatus.IN_TRANSIT)]


@pytest.mark.parametrize(
    ("content", "status", "words"),
    [
        ("order_number,sku\n#1,A\n", 400, "lacks the columns"),
        ("", 400, "Choose a CSV file"),
    ],
)
def test_a_bad_upload_says_why_and_changes_nothing(browser_for, order, content, status, words):
    data = {"file": upload_file(content)} if content else {}
    page = browser_for("shenzhen_agent").post("/portal/orders/tracking-upload/", data)
    assert page.status_code == status
    assert words in page.content.decode()
    assert live_parcels() == []
