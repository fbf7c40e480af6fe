"""Orders in the browser: CSV import with live progress, filters, tracking from the portal."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.actors import Actor
from accounts.models import Role
from orders import services
from orders.tests.factories import OrderFactory, csv_bytes, csv_row, order_body
from orders.tests.worker import running_worker
from tests.browser.conftest import log_in


@pytest.fixture
def celery_worker(live_server, monkeypatch):
    with running_worker(monkeypatch) as worker:
        yield worker


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


def acme_owner(world) -> Actor:
    return Actor.member(user=world.users["acme_owner"], organization=world.acme, role=Role.OWNER)


def test_merchant_uploads_a_csv_and_watches_it_finish(page, world, celery_worker):
    rows = [csv_row(f"#{n}") for n in range(60)] + [csv_row("#bad", quantity="-3")]
    log_in(page, "acme_owner@example.test")
    page.get_by_role("navigation").get_by_role("link", name="Orders", exact=True).click()
    page.get_by_label("CSV file").set_input_files(
        {"name": "orders.csv", "mimeType": "text/csv", "buffer": csv_bytes(rows)}
    )
    page.get_by_role("button", name="Upload and import").click()
    expect(page).to_have_url(re.compile(r"/app/orders/imports/[0-9a-f-]+/$"))
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "done", timeout=20_000)
    expect(page.get_by_label("Import progress")).to_have_attribute("value", "100")
    expect(page.get_by_text("60 orders created, 0 updated")).to_be_visible()
    expect(page.get_by_role("cell", name="#bad")).to_be_visible()
    page.get_by_role("link", name="See the orders").click()
    expect(page.get_by_role("link", name="#59")).to_be_visible()


def test_merchant_filters_the_order_list(page, world):
    services.order_create(
        actor=acme_owner(world),
        **order_body(external_id="#GRACE", customer={"name": "Grace Hopper", "email": ""}),
    )
    for _ in range(3):
        OrderFactory(merchant=world.acme, placed_at=timezone.now() - timedelta(days=30))
    log_in(page, "acme_agent@example.test")
    page.goto("/app/orders/")
    rows = page.locator("table.orders tbody tr")
    expect(rows).to_have_count(4)
    page.get_by_label("Search", exact=True).fill("grace")
    expect(rows).to_have_count(1)
    expect(page.get_by_role("link", name="#GRACE")).to_be_visible()
    expect(page).to_have_url(re.compile(r"q=grace"))
    page.get_by_label("Search", exact=True).fill("")
    expect(rows).to_have_count(4)
    page.get_by_label("Not shipped after (days)").fill("10")
    page.get_by_label("Not shipped after (days)").press("Enter")
    expect(rows).to_have_count(3)
    page.get_by_label("Status").select_option("delivered")
    expect(page.get_by_text("No order matches.")).to_be_visible()


def test_supplier_adds_tracking_in_the_portal_and_the_merchant_sees_it(page, world):
    order = services.order_create(actor=acme_owner(world), **order_body())
    log_in(page, "shenzhen_admin@example.test")
    page.get_by_role("link", name="Orders to ship").click()
    row = page.locator("table.desk tbody tr").filter(has_text="#5001")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Two-person tent")
    expect(page.get_by_text("Camping stove")).to_have_count(0)  # yiwu's line
    row.get_by_label("Tracking number").fill("RR 1234 5678 5CN")
    row.get_by_role("button", name="Save").click()
    expect(row).to_contain_text("Shipped in RR123456785CN.")

    page.get_by_role("button", name="Log out").click()
    log_in(page, "acme_owner@example.test")
    page.goto(f"/app/orders/{order.pk}/")
    parcel = page.locator("table.parcels tbody tr").filter(has_text="RR123456785CN")
    expect(parcel).to_contain_text("Valid")
    expect(parcel).to_contain_text("Shenzhen Supply")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Partially shipped")


def test_a_bad_tracking_number_is_fixed_in_the_portal_and_voided_on_the_order_page(
    page, world, tmp_path
):
    order = services.order_create(actor=acme_owner(world), **order_body())
    log_in(page, "shenzhen_admin@example.test")
    page.get_by_role("link", name="Orders to ship").click()
    row = page.locator("table.desk tbody tr").filter(has_text="#5001")
    row.get_by_label("Tracking number").fill("RR123456795CN")  # broken check digit
    row.get_by_role("button", name="Save").click()
    expect(row).to_contain_text("the number looks invalid")
    page.get_by_role("link", name="Tracking to fix").click()
    row = page.locator("table.desk tbody tr").filter(has_text="RR123456795CN")
    expect(row).to_contain_text("Looks invalid")
    row.get_by_role("link", name="Edit parcel RR123456795CN").click()
    row = page.locator("table.desk tbody tr").filter(has_text="#5001")
    row.get_by_label("Tracking number").fill("RR123456785CN")
    row.get_by_role("button", name="Save").click()
    expect(row).to_contain_text("Tracking number corrected to RR123456785CN.")
    page.reload()
    expect(page.locator("table.desk tbody tr")).to_have_count(0)

    page.get_by_role("button", name="Log out").click()
    log_in(page, "acme_owner@example.test")
    page.goto(f"/app/orders/{order.pk}/")
    parcel = page.locator("table.parcels tbody tr").filter(has_text="RR123456785CN")
    expect(parcel).to_contain_text("Valid")
    expect(parcel).to_contain_text("In transit")
    page.locator("details.parcel-changes summary").filter(has_text="RR123456785CN").click()
    page.screenshot(path=str(tmp_path / "order-fix-a-parcel.png"), full_page=True)
    page.get_by_role("button", name="Void: recorded by mistake · RR123456785CN").click()
    expect(page.get_by_text("Parcel RR123456785CN voided")).to_be_visible()
    expect(parcel).to_contain_text("Voided")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Not shipped")
