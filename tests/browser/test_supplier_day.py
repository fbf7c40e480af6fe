"""The supplier's working day, on a desktop and on a phone: the dispute inbox's open view,
the lines to ship, tracking typed in a row, a tracking file with one bad row, and a parcel
corrected. Each step is checked for sideways scroll and axe, and photographed."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.actors import Actor
from accounts.models import Role
from core.tenancy import cross_tenant_scope, organization_scope
from disputes.services.opening import dispute_open
from orders import services
from orders.models import OrderLine
from orders.tests.factories import order_body
from orders.tracking import s10_check_digit
from tests.browser.checks import SIZES, readable
from tests.browser.conftest import log_in


def s10(serial: str) -> str:
    """A UPU S10 number with its right check digit."""
    return f"RR{serial}{s10_check_digit(serial)}CN"


TYPED = s10("11111111")
UPLOADED = s10("22222222")
CORRECTED = s10("33333333")


def shenzhen_lines(*skus):
    return [
        {
            "sku": sku,
            "title": title,
            "variant": variant,
            "quantity": 1,
            "unit_price": "20.00",
            "supplier": "shenzhen-supply",
        }
        for sku, title, variant in skus
    ]


@pytest.fixture
def supplier_day(world):
    owner = Actor.member(user=world.users["acme_owner"], organization=world.acme, role=Role.OWNER)
    globex = Actor.member(
        user=world.users["globex_owner"], organization=world.globex, role=Role.OWNER
    )
    now = timezone.now()
    orders = {}
    for actor, number, hours, skus in [
        (owner, "#1040", 120, [("LAMP-01", "Camping lantern", "Warm white")]),
        (
            owner,
            "#1041",
            30,
            [("TENT-2P", "Two-person tent", "Olive"), ("MAT-1", "Sleeping mat", "")],
        ),
        (owner, "#1042", 6, [("STOVE-3", "Folding stove", "")]),
        (globex, "#1042", 3, [("PILLOW-G", "Travel pillow", "Grey")]),
        (owner, "#1030", 200, [("BOTTLE-1", "Steel bottle", "750 ml")]),
    ]:
        body = order_body(
            external_id=number,
            placed_at=(now - timedelta(hours=hours)).isoformat(),
            lines=shenzhen_lines(*skus),
        )
        orders[(actor.organization.slug, number)] = services.order_create(actor=actor, **body)
    # One order already shipped and disputed: the customer says it never came.
    disputed = orders[("acme", "#1030")]
    with cross_tenant_scope(reason="test"):
        bottle = list(OrderLine.objects.filter(order=disputed))
    shenzhen = Actor.member(
        user=world.users["shenzhen_admin"], organization=world.shenzhen, role=Role.ADMIN
    )
    services.shipment_lines_record(
        actor=shenzhen, order=disputed, lines=bottle, tracking_number=s10("44444444")
    )
    with organization_scope(world.acme):
        dispute_open(
            actor=owner,
            order=disputed,
            lines=bottle,
            kind="problem",
            reason="not_received",
            description="The customer says the parcel never came.",
        )
    return orders


def row_of(page, order_number, sku):
    return page.locator("table.desk tbody tr").filter(has_text=order_number).filter(has_text=sku)


@pytest.mark.parametrize("size", SIZES)
def test_the_suppliers_day(page, world, supplier_day, size):
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, "shenzhen_admin@example.test")

    # The dispute inbox opens on what is still open, the closest due time first.
    page.goto("/portal/disputes/")
    expect(page.locator('[data-view="open"]')).to_have_attribute("aria-current", "true")
    expect(page.locator("table.inbox tbody tr")).to_have_count(1)
    expect(page.locator("table.inbox tbody tr")).to_contain_text("Your turn")
    readable(page, width, f"supplier-day-1-inbox-{size}")

    # The lines to ship: the oldest order first, the overdue one says so.
    page.goto("/portal/orders/")
    rows = page.locator("table.desk tbody tr")
    expect(rows).to_have_count(5)
    expect(rows.first).to_contain_text("#1040")
    expect(rows.first.locator("time.due.overdue")).to_be_visible()
    readable(page, width, f"supplier-day-2-lines-{size}")

    # Tracking typed in one row: the row answers in place.
    stove = row_of(page, "#1042", "STOVE-3")
    stove.get_by_label("Tracking number").fill(TYPED[:6] + " " + TYPED[6:])
    stove.get_by_label("Tracking number").press("Enter")
    stove = row_of(page, "#1042", "STOVE-3")
    expect(stove).to_contain_text(f"Shipped in {TYPED}.")
    expect(stove).to_contain_text("Valid")
    expect(stove.get_by_label("Tracking number")).to_have_count(0)
    readable(page, width, f"supplier-day-3-inline-{size}")

    # A tracking file: the tent and the mat in one parcel, and a row for an unknown order.
    page.get_by_role("link", name="Upload tracking numbers (CSV)").click()
    csv = (
        "order_number,sku,tracking_number,carrier\n"
        f"#1041,TENT-2P,{UPLOADED},\n"
        f"#1041,MAT-1,{UPLOADED},\n"
        f"#9999,TENT-2P,{UPLOADED},\n"
    )
    page.get_by_label("CSV file").set_input_files(
        {"name": "tracking.csv", "mimeType": "text/csv", "buffer": csv.encode()}
    )
    page.get_by_role("button", name="Upload and record").click()
    expect(page.get_by_text("2 lines recorded")).to_be_visible()
    expect(page.get_by_text("1 row refused")).to_be_visible()
    refused = page.locator("table.results tr.result-failed")
    expect(refused).to_have_count(1)
    expect(refused).to_contain_text("4")
    expect(refused).to_contain_text("Order #9999 not found.")
    readable(page, width, f"supplier-day-4-upload-{size}")

    # A parcel corrected from its row: both of its lines show the new number.
    page.goto("/portal/orders/?view=shipped")
    tent = row_of(page, "#1041", "TENT-2P")
    tent.get_by_role("link", name=f"Edit parcel {UPLOADED}").click()
    tent = row_of(page, "#1041", "TENT-2P")
    tent.get_by_label("Tracking number").fill(CORRECTED)
    readable(page, width, f"supplier-day-5-edit-{size}")
    tent.get_by_role("button", name="Save").click()
    expect(row_of(page, "#1041", "TENT-2P")).to_contain_text(
        f"Tracking number corrected to {CORRECTED}."
    )
    expect(row_of(page, "#1041", "MAT-1")).to_contain_text(CORRECTED)
    readable(page, width, f"supplier-day-6-corrected-{size}")
