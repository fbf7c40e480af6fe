"""Demo orders for acme and globex (API.md, "Demo data"), written through the services.

A realistic spread: shipped, not shipped for 1, 3 and 5 days, delivered, held at customs, an
invalid tracking number, several parcels, several suppliers, domestic and international.
Idempotent: an order that exists is left as it is (its age keeps growing, as a real one's
would), a missing one is created with its parcels.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from accounts.actors import Actor
from accounts.models import Membership, Organization, Role
from orders.models import Order, OrderLine, Shipment, ShipmentStatus
from orders.services import order_create, shipment_create, shipment_update_status
from orders.tracking import s10_check_digit


def s10(serial: str, *, valid: bool = True, service: str = "LX", country: str = "CN") -> str:
    """A UPU S10 number; `valid=False` gives it a wrong check digit."""
    check = s10_check_digit(serial)
    return f"{service}{serial}{check if valid else (check + 1) % 10}{country}"


@dataclass(frozen=True)
class Parcel:
    skus: tuple[str, ...]
    tracking_number: str
    shipped_after_days: float = 1
    # None: as recorded (in transit, or "tracking number invalid" for a bad number).
    status: str | None = None
    carrier: str | None = None


@dataclass(frozen=True)
class DemoOrder:
    external_id: str
    days_ago: float
    customer: tuple[str, str]
    address: tuple[str, str, str, str]  # line 1, city, postal code, country
    # sku, title, variant, quantity, unit price, supplier slug
    lines: tuple[tuple[str, str, str, int, str, str], ...]
    parcels: tuple[Parcel, ...] = field(default_factory=tuple)
    currency: str = "USD"


TENT = ("TENT-2P", "Two-person dome tent", "Olive", 1, "89.00", "shenzhen-supply")
STOVE = ("STOVE-GAS", "Compact gas stove", "", 1, "24.50", "shenzhen-supply")
LAMP = ("LAMP-LED", "Rechargeable camp lamp", "Warm white", 2, "14.90", "yiwu-goods")
MUG = ("MUG-TI", "Titanium mug 450 ml", "", 2, "12.00", "yiwu-goods")
BAG = ("BAG-20L", "Dry bag 20 l", "Blue", 1, "9.99", "ali-market")
US_HOME = ("742 Evergreen Terrace", "Springfield", "62704", "US")

ACME = [
    DemoOrder("ACME-1001", 6, ("Marge Bouvier", "marge@example.com"), US_HOME, (TENT,),
              (Parcel(("TENT-2P",), s10("10000001")),)),
    DemoOrder("ACME-1002", 1.2, ("Ned Flanders", "ned@example.com"),
              ("744 Evergreen Terrace", "Springfield", "62704", "US"), (STOVE,)),
    DemoOrder("ACME-1003", 3.2, ("Edna Krabappel", "edna@example.com"),
              ("82 Maple Street", "Shelbyville", "62565", "US"), (LAMP,)),
    DemoOrder("ACME-1004", 5.2, ("Jean Tremblay", "jean.tremblay@example.ca"),
              ("1200 Rue Sainte-Catherine", "Montréal", "H3B 1K9", "CA"), (TENT, STOVE)),
    DemoOrder("ACME-1005", 14, ("Apu Nahasapeemapetilon", "apu@example.com"),
              ("1 Kwik-E-Mart Way", "Springfield", "62701", "US"), (STOVE,),
              (Parcel(("STOVE-GAS",), "1Z999AA10123456784", 1, ShipmentStatus.DELIVERED),)),
    DemoOrder("ACME-1006", 9, ("Oliver Twist", "oliver@example.co.uk"),
              ("221B Baker Street", "London", "NW1 6XE", "GB"), (TENT,),
              (Parcel(("TENT-2P",), s10("10000002"), 1, ShipmentStatus.CUSTOMS_HOLD),)),
    DemoOrder("ACME-1007", 4, ("Lisa Simpson", "lisa@example.com"), US_HOME, (STOVE,),
              (Parcel(("STOVE-GAS",), s10("10000003", valid=False)),)),
    DemoOrder("ACME-1008", 7, ("Milhouse Van Houten", "milhouse@example.com"),
              ("316 Pikeland Avenue", "Springfield", "62704", "US"), (TENT, STOVE),
              (Parcel(("TENT-2P",), s10("10000004")),
               Parcel(("STOVE-GAS",), s10("10000005"), 2))),
    DemoOrder("ACME-1009", 4.5, ("Moe Szyslak", "moe@example.com"),
              ("57 Walnut Street", "Springfield", "62701", "US"), (STOVE, LAMP),
              (Parcel(("STOVE-GAS",), s10("10000006")),)),
    DemoOrder("ACME-1010", 2.2, ("Selma Bouvier", "selma@example.com"),
              ("1 Bouvier Court", "Springfield", "62704", "US"), (BAG,)),
    DemoOrder("ACME-1011", 8, ("Bruce Wayne", "bruce@example.com.au"),
              ("10 George Street", "Sydney", "2000", "AU"), (MUG,),
              (Parcel(("MUG-TI",), s10("20000001", service="RR")),)),
    DemoOrder("ACME-1012", 20, ("Heidi Weber", "heidi@example.de"),
              ("Unter den Linden 5", "Berlin", "10117", "DE"), (TENT, MUG),
              (Parcel(("TENT-2P",), s10("10000007"), 1, ShipmentStatus.DELIVERED),
               Parcel(("MUG-TI",), "9400111201080805483016", 2, ShipmentStatus.DELIVERED))),
]  # fmt: skip

DE_HOME = ("Hauptstraße 12", "München", "80331", "DE")
KETTLE = ("KETTLE-1L", "Enamel kettle 1 l", "Red", 1, "29.00", "shenzhen-supply")
PLATES = ("PLATE-SET", "Camping plate set", "4 pieces", 1, "19.50", "shenzhen-supply")

GLOBEX = [
    DemoOrder("GLX-2001", 6, ("Anna Schmidt", "anna@example.de"), DE_HOME, (KETTLE,),
              (Parcel(("KETTLE-1L",), s10("30000001")),), "EUR"),
    DemoOrder("GLX-2002", 1.1, ("Jonas Becker", "jonas@example.de"),
              ("Königsallee 1", "Düsseldorf", "40212", "DE"), (PLATES,), (), "EUR"),
    DemoOrder("GLX-2003", 3.1, ("Lena Wagner", "lena@example.de"),
              ("Zeil 10", "Frankfurt am Main", "60313", "DE"), (KETTLE,), (), "EUR"),
    DemoOrder("GLX-2004", 5.1, ("Camille Martin", "camille@example.fr"),
              ("8 Rue de Rivoli", "Paris", "75004", "FR"), (KETTLE, PLATES), (), "EUR"),
    DemoOrder("GLX-2005", 15, ("Felix Braun", "felix@example.de"), DE_HOME, (PLATES,),
              (Parcel(("PLATE-SET",), "3318810025", 1, ShipmentStatus.DELIVERED, "DHL"),),
              "EUR"),
    DemoOrder("GLX-2006", 10, ("Luca Rossi", "luca@example.ch"),
              ("Bahnhofstrasse 1", "Zürich", "8001", "CH"), (KETTLE,),
              (Parcel(("KETTLE-1L",), s10("30000002"), 1, ShipmentStatus.CUSTOMS_HOLD),), "EUR"),
    DemoOrder("GLX-2007", 4, ("Mia Fischer", "mia@example.de"), DE_HOME, (PLATES,),
              (Parcel(("PLATE-SET",), s10("30000003", valid=False)),), "EUR"),
    DemoOrder("GLX-2008", 7, ("Paul Hoffmann", "paul@example.de"),
              ("Jungfernstieg 7", "Hamburg", "20354", "DE"), (KETTLE, PLATES),
              (Parcel(("KETTLE-1L",), s10("30000004")),
               Parcel(("PLATE-SET",), s10("30000005"), 2)), "EUR"),
]  # fmt: skip


def seed(log) -> None:
    now = timezone.now()
    created = parcels = 0
    for slug, orders in (("acme", ACME), ("globex", GLOBEX)):
        merchant = Organization.objects.get(slug=slug)
        actor = _owner(merchant)
        for demo in orders:
            order = Order.objects.filter(merchant=merchant, external_id=demo.external_id).first()
            if order is None:
                order = _create(actor, demo, now)
                created += 1
            parcels += _ship(actor, order, demo)
    log(f"{created} orders created, {parcels} parcels recorded")


def _owner(merchant: Organization) -> Actor:
    membership = (
        Membership.objects.select_related("user")
        .filter(organization=merchant, role=Role.OWNER)
        .order_by("created_at")
        .first()
    )
    return Actor.member(user=membership.user, organization=merchant, role=Role.OWNER)


def _create(actor: Actor, demo: DemoOrder, now) -> Order:
    line1, city, postal_code, country = demo.address
    return order_create(
        actor=actor,
        external_id=demo.external_id,
        placed_at=now - timedelta(days=demo.days_ago),
        currency=demo.currency,
        customer={"name": demo.customer[0], "email": demo.customer[1]},
        shipping_address={
            "line1": line1,
            "city": city,
            "postal_code": postal_code,
            "country": country,
        },
        lines=[
            {
                "sku": sku,
                "title": title,
                "variant": variant,
                "quantity": quantity,
                "unit_price": price,
                "supplier": supplier,
            }
            for sku, title, variant, quantity, price, supplier in demo.lines
        ],
    )


def _ship(actor: Actor, order: Order, demo: DemoOrder) -> int:
    recorded = 0
    for parcel in demo.parcels:
        shipment = Shipment.objects.filter(
            order=order, tracking_number=parcel.tracking_number
        ).first()
        if shipment is None:
            lines = list(OrderLine.objects.filter(order=order, sku__in=parcel.skus))
            shipment = shipment_create(
                actor=actor,
                order=order,
                lines=lines,
                tracking_number=parcel.tracking_number,
                carrier=parcel.carrier,
                shipped_at=order.placed_at + timedelta(days=parcel.shipped_after_days),
            )
            recorded += 1
        if parcel.status is not None and shipment.status != parcel.status:
            shipment_update_status(
                actor=actor,
                shipment=shipment,
                status=parcel.status,
                at=shipment.shipped_at + timedelta(days=5),
            )
    return recorded
