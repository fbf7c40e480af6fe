"""Shopify's "Export orders" CSV through the order import: the API, progress, row errors."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.actors import Actor
from accounts.models import Role
from accounts.tests.factories import MembershipFactory, MerchantFactory, SupplierLinkFactory
from connectors.models import MatchKind
from connectors.services import connectors as connector_services
from core.tenancy import cross_tenant_scope
from orders import services as order_services
from orders.models import ImportStatus, Order, OrderImport
from orders.tests.factories import csv_bytes, csv_row

# The header row of Shopify's export, as the admin's "Export orders" writes it.
HEADER = [
    "Name",
    "Email",
    "Financial Status",
    "Paid at",
    "Fulfillment Status",
    "Fulfilled at",
    "Accepts Marketing",
    "Currency",
    "Subtotal",
    "Shipping",
    "Taxes",
    "Total",
    "Discount Code",
    "Discount Amount",
    "Shipping Method",
    "Created at",
    "Lineitem quantity",
    "Lineitem name",
    "Lineitem price",
    "Lineitem compare at price",
    "Lineitem sku",
    "Lineitem requires shipping",
    "Lineitem taxable",
    "Lineitem fulfillment status",
    "Billing Name",
    "Billing Street",
    "Billing Address1",
    "Billing Address2",
    "Billing Company",
    "Billing City",
    "Billing Zip",
    "Billing Province",
    "Billing Country",
    "Billing Phone",
    "Shipping Name",
    "Shipping Street",
    "Shipping Address1",
    "Shipping Address2",
    "Shipping Company",
    "Shipping City",
    "Shipping Zip",
    "Shipping Province",
    "Shipping Country",
    "Shipping Phone",
    "Notes",
    "Note Attributes",
    "Cancelled at",
    "Payment Method",
    "Payment Reference",
    "Refunded Amount",
    "Vendor",
    "Outstanding Balance",
    "Employee",
    "Location",
    "Device ID",
    "Id",
    "Tags",
    "Risk Level",
    "Source",
    "Lineitem discount",
    "Tax 1 Name",
    "Tax 1 Value",
    "Phone",
    "Receipt Number",
    "Duties",
    "Billing Province Name",
    "Shipping Province Name",
    "Payment ID",
    "Payment Terms Name",
    "Next Payment Due At",
    "Payment References",
]


def order_rows(name, lines, **first):
    """The rows of one order: the first full, the next with only Name, Lineitem and Vendor."""
    rows = []
    for position, (sku, title, quantity, price, vendor) in enumerate(lines):
        row = {
            "Name": name,
            "Lineitem quantity": quantity,
            "Lineitem name": title,
            "Lineitem price": price,
            "Lineitem sku": sku,
            "Lineitem requires shipping": "true",
            "Lineitem taxable": "true",
            "Lineitem fulfillment status": "pending",
            "Vendor": vendor,
        }
        if position == 0:
            row.update(
                {
                    "Email": "ada@example.test",
                    "Financial Status": "paid",
                    "Paid at": "2024-03-05 10:13:02 -0500",
                    "Fulfillment Status": "unfulfilled",
                    "Accepts Marketing": "no",
                    "Currency": "USD",
                    "Subtotal": "104.90",
                    "Total": "114.90",
                    "Shipping Method": "Standard",
                    "Created at": "2024-03-05 10:12:45 -0500",
                    "Billing Name": "Ada Lovelace",
                    "Shipping Name": "Ada Lovelace",
                    "Shipping Street": "12 Analytical Row",
                    "Shipping Address1": "12 Analytical Row",
                    "Shipping City": "Boston",
                    "Shipping Zip": "'02110",
                    "Shipping Province": "MA",
                    "Shipping Country": "US",
                    "Payment Method": "Shopify Payments",
                    "Id": "5423148793923",
                    "Source": "web",
                    "Shipping Province Name": "Massachusetts",
                }
            )
            row.update(first)
        rows.append(row)
    return rows


def export_file(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode()


@pytest.fixture
def mapped(shopify, actor_for):
    for match, value, supplier in [
        (MatchKind.SKU_PREFIX, "TENT-", "shenzhen-supply"),
        (MatchKind.VENDOR, "Yiwu Camping", "yiwu-goods"),
    ]:
        connector_services.supplier_mapping_create(
            actor=actor_for("acme_owner"),
            connector=shopify,
            match=match,
            value=value,
            supplier=supplier,
        )


def upload(world, data: bytes):
    return world.client("acme_owner").post(
        "/api/v1/orders/import/",
        {"file": SimpleUploadedFile("orders_export_1.csv", data, content_type="text/csv")},
        format="multipart",
    )


def run(job_id) -> OrderImport:
    with cross_tenant_scope(reason="test"):
        job = OrderImport.objects.get(pk=job_id)
    return order_services.order_import_run(order_import=job)


def test_a_shopify_export_imports_with_the_connector_mappings(world, mapped):
    rows = [
        *order_rows(
            "#1001",
            [
                ("TENT-2P", "Two-person tent - Olive", "1", "79.90", "Acme"),
                ("STOVE-1", "Camping stove", "1", "25.00", "Yiwu Camping"),
            ],
        ),
        *order_rows("#1002", [("TENT-4P", "Four-person tent", "2", "120.00", "Acme")]),
    ]
    response = upload(world, export_file(rows))
    assert response.status_code == 202
    job = run(response.json()["id"])
    assert job.status == ImportStatus.DONE
    assert (job.total, job.processed, job.created, job.error_count) == (3, 3, 2, 0)
    progress = world.client("acme_owner").get(f"/api/v1/imports/{job.pk}/").json()
    assert (progress["status"], progress["created"], progress["errors"]) == ("done", 2, [])
    with cross_tenant_scope(reason="test"):
        order = Order.objects.prefetch_related("lines__supplier").get(external_id="#1001")
        assert order.placed_at.isoformat() == "2024-03-05T15:12:45+00:00"
        assert (order.customer_name, order.ship_postal_code, order.ship_country) == (
            "Ada Lovelace",
            "02110",
            "US",
        )
        assert sorted((line.sku, line.supplier.slug) for line in order.lines.all()) == [
            ("STOVE-1", "yiwu-goods"),
            ("TENT-2P", "shenzhen-supply"),
        ]
        assert Order.objects.get(external_id="#1002").lines.get().quantity == 2


def test_a_line_with_no_supplier_is_a_row_error_in_the_files_columns(world, mapped):
    rows = [
        *order_rows("#1001", [("TENT-2P", "Tent", "1", "79.90", "Acme")]),
        *order_rows(
            "#1002",
            [("TENT-4P", "Tent", "1", "120.00", "Acme"), ("MUG", "Mug", "1", "5.00", "Nobody")],
        ),
        *order_rows("#1003", [("TENT-2P", "Tent", "x", "79.90", "Acme")]),
    ]
    job = run(upload(world, export_file(rows)).json()["id"])
    assert (job.status, job.created, job.error_count) == (ImportStatus.DONE, 1, 2)
    by_line = {error["line"]: error for error in job.errors}
    assert by_line[4]["external_id"] == "#1002"
    assert "Vendor" in by_line[4]["errors"]
    assert by_line[5]["errors"] == {"Lineitem quantity": ["Enter a whole number."]}


def test_a_merchant_with_one_supplier_needs_no_mapping(world):
    solo = MerchantFactory(slug="solo", country="US")
    SupplierLinkFactory(merchant=solo, supplier=world.yiwu)
    MembershipFactory(user=world.users["acme_owner"], organization=solo, role=Role.OWNER)
    actor = Actor.member(user=world.users["acme_owner"], organization=solo, role=Role.OWNER)
    data = export_file(order_rows("#1", [("ANY", "Anything", "1", "1.00", "")]))
    job = order_services.order_import_start(
        actor=actor, file=SimpleUploadedFile("orders_export.csv", data, content_type="text/csv")
    )
    job = order_services.order_import_run(order_import=job)
    assert (job.created, job.error_count) == (1, 0)


def test_an_export_missing_columns_is_refused_at_upload(world):
    header = [column for column in HEADER if column != "Shipping Country"]
    buffer = io.StringIO()
    csv.writer(buffer).writerow(header)
    response = upload(world, buffer.getvalue().encode())
    assert response.status_code == 400
    assert "shipping country" in response.json()["file"][0]
    assert not OrderImport.cross_tenant_objects.exists()


def test_the_redress_format_still_imports(world):
    job = upload(world, csv_bytes([csv_row("#1")]))
    assert run(job.json()["id"]).created == 1
