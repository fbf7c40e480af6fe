import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from core.tenancy import cross_tenant_scope
from orders import services
from orders.models import OrderImport, OrderLine, Shipment
from orders.tests.factories import csv_bytes, csv_row, order_body


@pytest.fixture
def browser_for(world):
    def build(caller: str) -> Client:
        client = Client()
        client.force_login(world.users[caller])
        return client

    return build


@pytest.fixture
def order(world, actor_for):
    body = order_body(customer={"name": "=cmd|' /C calc'!A0", "email": "ada@example.test"})
    return services.order_create(actor=actor_for("acme_owner"), **body)


def test_order_list_filters_and_answers_htmx_with_the_table_only(world, browser_for, order):
    client = browser_for("acme_viewer")
    page = client.get("/app/orders/")
    assert page.status_code == 200
    assert b"#5001" in page.content
    assert b'id="filter-q"' in page.content
    assert b"Upload and import" not in page.content  # viewers read only
    partial = client.get("/app/orders/?status=delivered", headers={"HX-Request": "true"})
    assert b"<h1>" not in partial.content
    assert b"No order matches." in partial.content
    bad = client.get("/app/orders/?placed_after=soon")
    assert b"Enter a date" in bad.content


def test_order_detail_shows_lines_parcels_and_the_dispute_button(
    world, browser_for, order, actor_for
):
    with cross_tenant_scope(reason="test"):
        line = OrderLine.objects.get(order=order, supplier__slug="yiwu-goods")
    services.shipment_create(
        actor=actor_for("acme_owner"),
        order=order,
        lines=[line],
        tracking_number="RR123456795CN",
    )
    page = browser_for("acme_agent").get(f"/app/orders/{order.pk}/")
    assert page.status_code == 200
    assert b"RR123456795CN" in page.content
    assert b"Looks invalid" in page.content
    assert f"/app/disputes/new/?order={order.pk}".encode() in page.content
    assert browser_for("globex_owner").get(f"/app/orders/{order.pk}/").status_code == 404


def test_merchant_adds_a_parcel_from_the_order_page(world, browser_for, order):
    with cross_tenant_scope(reason="test"):
        line = OrderLine.objects.get(order=order, supplier__slug="shenzhen-supply")
    prefix = f"s{world.shenzhen.pk.hex}"
    data = {
        "prefix": prefix,
        f"{prefix}-lines": [str(line.pk)],
        f"{prefix}-tracking_number": "1Z999AA10123456784",
        f"{prefix}-carrier": "",
    }
    response = browser_for("acme_agent").post(f"/app/orders/{order.pk}/parcels/", data, follow=True)
    assert b"Parcel 1Z999AA10123456784 recorded" in response.content
    viewer = browser_for("acme_viewer").post(f"/app/orders/{order.pk}/parcels/", data)
    assert viewer.status_code == 403


def test_export_escapes_formulas(world, browser_for, order):
    response = browser_for("acme_owner").get("/app/orders/export.csv?q=%235001")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:2] == ["external_id", "placed_at"]
    assert len(rows) == 3
    assert rows[1][3] == "'=cmd|' /C calc'!A0"


def test_upload_shows_the_import_page_with_its_progress(world, browser_for):
    client = browser_for("acme_owner")
    upload = SimpleUploadedFile("orders.csv", csv_bytes([csv_row()]), content_type="text/csv")
    response = client.post("/app/orders/import/", {"file": upload})
    with cross_tenant_scope(reason="test"):
        job = OrderImport.objects.get()
    assert response["Location"] == f"/app/orders/imports/{job.pk}/"
    page = client.get(response["Location"])
    assert b'hx-trigger="every 1s"' in page.content
    services.order_import_run(order_import=job)
    partial = client.get(response["Location"], headers={"HX-Request": "true"})
    assert b"hx-trigger" not in partial.content  # finished: polling stops
    assert b"1 orders created" in partial.content


def test_a_bad_upload_says_why(world, browser_for):
    upload = SimpleUploadedFile("orders.csv", b"name,price\n", content_type="text/csv")
    response = browser_for("acme_owner").post("/app/orders/import/", {"file": upload}, follow=True)
    assert b"lacks the columns" in response.content


def test_portal_lists_the_suppliers_lines_grouped_by_merchant(world, browser_for, order):
    page = browser_for("shenzhen_admin").get("/portal/orders/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "Acme Outdoor" in content
    assert "TENT-2P" in content
    assert "STOVE" not in content  # yiwu's line
    assert "ada@example.test" not in content
    assert "79.90" not in content


def test_supplier_adds_tracking_in_the_portal(world, browser_for, order):
    with cross_tenant_scope(reason="test"):
        line = OrderLine.objects.get(order=order, supplier__slug="shenzhen-supply")
    prefix = f"o{order.pk.hex}"
    data = {
        "prefix": prefix,
        f"{prefix}-lines": [str(line.pk)],
        f"{prefix}-tracking_number": "RR123456785CN",
        f"{prefix}-carrier": "",
    }
    response = browser_for("shenzhen_agent").post(
        f"/portal/orders/{order.pk}/parcels/", data, follow=True
    )
    assert b"Parcel RR123456785CN recorded" in response.content
    with cross_tenant_scope(reason="test"):
        assert Shipment.objects.get().supplier == world.shenzhen
    # Another supplier cannot see the order.
    other = browser_for("yiwu_admin").post(f"/portal/orders/{order.pk}/parcels/", data, follow=True)
    assert b"Choose the lines" in other.content


def test_suppliers_are_sent_to_the_portal_and_merchants_to_the_dashboard(world, browser_for):
    assert browser_for("shenzhen_admin").get("/app/orders/")["Location"] == "/"
    assert browser_for("acme_owner").get("/portal/orders/")["Location"] == "/"


def test_an_import_row_with_several_problems_lists_each_as_its_own_sentence(world, browser_for):
    client = browser_for("acme_owner")
    row = csv_row(currency="XX", quantity="none")
    upload = SimpleUploadedFile("orders.csv", csv_bytes([row]), content_type="text/csv")
    response = client.post("/app/orders/import/", {"file": upload})
    with cross_tenant_scope(reason="test"):
        job = OrderImport.objects.get()
    services.order_import_run(order_import=job)
    page = client.get(response["Location"]).content.decode()
    assert "<strong>currency</strong>" in page
    assert "<strong>quantity</strong>" in page
    assert ".;" not in page
    assert ".<br><strong>" in page
