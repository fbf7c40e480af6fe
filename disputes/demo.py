"""Demo disputes in every state for both merchants, played through the services.

Each story has its own order (external ids ACME-D-… and GLX-D-…), so the orders app's demo
orders stay as they are. Idempotent: a story whose order already has a dispute is skipped.
Among them: the customer who received a red bandana instead of a blue one, settled by a
reship, and the parcel marked delivered that the customer never got.
"""

import io
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.actors import Actor
from accounts.models import Membership, Organization
from disputes import services
from disputes.models import Dispute
from orders.models import Order, OrderLine, ShipmentStatus
from orders.services import order_create, shipment_create, shipment_update_status
from orders.tracking import s10_check_digit

MERCHANT_STAFF = {"acme": "agent@acme.test", "globex": "owner@globex.test"}
SUPPLIER_STAFF = {
    "shenzhen-supply": "staff@shenzhen-supply.test",
    "yiwu-goods": "staff@yiwu-goods.test",
}


def s10(serial: str) -> str:
    return f"LX{serial}{s10_check_digit(serial)}CN"


@dataclass(frozen=True)
class Story:
    external_id: str
    merchant: str
    customer: tuple[str, str]
    # sku, title, variant, quantity, unit price, supplier slug
    line: tuple[str, str, str, int, str, str]
    kind: str
    reason: str
    description: str
    # (who, what, arguments): who is "merchant", "supplier" or "system".
    steps: tuple = field(default_factory=tuple)
    shipped: str = ""  # a tracking number when the order left the supplier
    delivered: bool = False
    currency: str = "USD"
    country: str = "US"


BANDANA = ("BANDANA-BLU", "Cotton bandana", "Blue", 2, "7.50", "shenzhen-supply")
LAMP = ("LAMP-LED", "Rechargeable camp lamp", "Warm white", 1, "14.90", "yiwu-goods")
TENT = ("TENT-2P", "Two-person dome tent", "Olive", 1, "89.00", "shenzhen-supply")
BOOTS = ("BOOT-HIKE", "Hiking boots", "EU 42", 1, "64.00", "shenzhen-supply")
MUG = ("MUG-TI", "Titanium mug 450 ml", "", 2, "12.00", "yiwu-goods")
KETTLE = ("KETTLE-1L", "Enamel kettle 1 l", "Red", 1, "29.00", "shenzhen-supply")
PLATES = ("PLATE-SET", "Camping plate set", "4 pieces", 1, "19.50", "shenzhen-supply")

M, S, Y = "merchant", "supplier", "system"

STORIES = [
    Story(
        "ACME-D-1001",
        "acme",
        ("Bart Simpson", "bart@example.com"),
        BANDANA,
        "problem",
        "wrong_item",
        "The customer ordered blue bandanas and received red ones. Photo attached.",
        (
            (M, "photo", {"name": "red-bandana.jpg", "colour": (200, 30, 40)}),
            (S, "accept_evidence", {}),
            (S, "message", {"body": "Sorry, our packer picked the wrong colour. We will reship."}),
            (S, "propose", {"resolution": "reship", "fault": "supplier"}),
            (M, "accept", {}),
            (S, "fulfil", {"tracking_number": s10("40000001")}),
            (M, "ledger", {"side": "customer", "kind": "reship_cost", "amount": Decimal("4.90")}),
            (M, "ledger", {"side": "supplier", "kind": "reship_value", "amount": Decimal("15.00")}),
        ),
        shipped=s10("40000000"),
        delivered=True,
    ),
    Story(
        "ACME-D-1002",
        "acme",
        ("Homer Simpson", "homer@example.com"),
        TENT,
        "problem",
        "not_received",
        "Tracking says delivered on Monday, but the customer has not received the parcel.",
        (
            (M, "note", {"body": "Customer has ordered 14 times, no earlier claims."}),
            (
                S,
                "message",
                {
                    "body": "The carrier confirms delivery to the front door. Could the customer "
                    "check with neighbours and the address?"
                },
            ),
        ),
        shipped=s10("40000002"),
        delivered=True,
    ),
    Story(
        "ACME-D-1003",
        "acme",
        ("Ralph Wiggum", "ralph@example.com"),
        LAMP,
        "refund",
        "damaged",
        "The lamp arrived with a cracked housing; the customer will send a photo.",
        shipped=s10("40000003"),
        delivered=True,
    ),
    Story(
        "ACME-D-1004",
        "acme",
        ("Nelson Muntz", "nelson@example.com"),
        MUG,
        "refund",
        "no_tracking",
        "Ordered 9 days ago; the supplier has not given a tracking number.",
    ),
    Story(
        "ACME-D-1005",
        "acme",
        ("Martin Prince", "martin@example.com"),
        BOOTS,
        "refund",
        "shipping_delayed",
        "The boots were promised within 5 days; the customer asks for part of the price back.",
        (
            (M, "note", {"body": "Offer at most 20 dollars; the customer still wants the boots."}),
            (
                S,
                "propose",
                {
                    "resolution": "partial_refund",
                    "amount": Decimal("15.00"),
                    "note": "For the delay.",
                },
            ),
        ),
    ),
    Story(
        "ACME-D-1006",
        "acme",
        ("Sherri Mackleberry", "sherri@example.com"),
        BOOTS,
        "refund",
        "supplier_wrong_size",
        "The customer ordered EU 42 and got EU 44.",
        (
            (M, "photo", {"name": "size-label.jpg", "colour": (90, 70, 50)}),
            (S, "accept_evidence", {}),
            (
                S,
                "propose",
                {"resolution": "return_refund", "rma_number": "RMA-SZ-8812", "fault": "supplier"},
            ),
            (M, "accept", {}),
        ),
        shipped=s10("40000006"),
        delivered=True,
    ),
    Story(
        "ACME-D-1007",
        "acme",
        ("Kent Brockman", "kent@example.com"),
        TENT,
        "refund",
        "not_as_described",
        "The tent is single-walled; the listing says double-walled.",
        (
            (M, "photo", {"name": "tent-wall.jpg", "colour": (80, 110, 60)}),
            (S, "message", {"body": "This is the model we always ship; it matches our catalogue."}),
            (
                M,
                "arbitration",
                {"note": "The listing copy came from the supplier's own catalogue."},
            ),
        ),
        shipped=s10("40000007"),
        delivered=True,
    ),
    Story(
        "ACME-D-1008",
        "acme",
        ("Lenny Leonard", "lenny@example.com"),
        MUG,
        "problem",
        "customs_hold",
        "The parcel is held at customs; the customer asked what to do.",
        (
            (S, "message", {"body": "The customer must pay the import VAT; here is the form."}),
            (M, "close", {"note": "The customer cleared it and got the mugs."}),
        ),
        shipped=s10("40000008"),
        country="CA",
    ),
    Story(
        "ACME-D-1009",
        "acme",
        ("Carl Carlson", "carl@example.com"),
        BANDANA,
        "refund",
        "damaged",
        "Torn bandanas; photo promised but never sent.",
        ((Y, "cancel", {}),),
        shipped=s10("40000009"),
        delivered=True,
    ),
    Story(
        "GLX-D-2001",
        "globex",
        ("Anna Schmidt", "anna@example.de"),
        KETTLE,
        "refund",
        "damaged",
        "The enamel is chipped on arrival.",
        shipped=s10("50000001"),
        delivered=True,
        currency="EUR",
        country="DE",
    ),
    Story(
        "GLX-D-2002",
        "globex",
        ("Jonas Becker", "jonas@example.de"),
        PLATES,
        "problem",
        "tracking_invalid",
        "The tracking number does not exist at the carrier.",
        currency="EUR",
        country="DE",
    ),
    Story(
        "GLX-D-2003",
        "globex",
        ("Lena Wagner", "lena@example.de"),
        KETTLE,
        "problem",
        "not_received",
        "Three weeks and nothing.",
        ((S, "message", {"body": "The parcel is with the carrier; please wait three days."}),),
        shipped=s10("50000003"),
        currency="EUR",
        country="DE",
    ),
    Story(
        "GLX-D-2004",
        "globex",
        ("Camille Martin", "camille@example.fr"),
        PLATES,
        "refund",
        "out_of_stock",
        "The supplier says the plates are out of stock.",
        ((M, "propose", {"resolution": "refund"}),),
        currency="EUR",
        country="FR",
    ),
    Story(
        "GLX-D-2005",
        "globex",
        ("Felix Braun", "felix@example.de"),
        KETTLE,
        "refund",
        "customer_cancelled",
        "The customer cancelled before shipment.",
        (
            (S, "propose", {"resolution": "refund"}),
            (M, "accept", {}),
            (M, "ledger", {"side": "customer", "kind": "refund", "amount": Decimal("29.00")}),
        ),
        currency="EUR",
        country="DE",
    ),
    Story(
        "GLX-D-2006",
        "globex",
        ("Luca Rossi", "luca@example.ch"),
        PLATES,
        "refund",
        "supplier_unresponsive",
        "No answer to three e-mails.",
        ((M, "arbitration", {"note": "No answer in a week."}),),
        currency="EUR",
        country="CH",
    ),
    Story(
        "GLX-D-2007",
        "globex",
        ("Mia Fischer", "mia@example.de"),
        KETTLE,
        "refund",
        "shipping_delayed",
        "Two weeks late.",
        (
            (S, "propose", {"resolution": "store_credit", "amount": Decimal("10.00")}),
            (M, "accept", {}),
            (S, "fulfil", {"refund_reference": "CREDIT-GLX-771"}),
            (M, "ledger", {"side": "customer", "kind": "coupon", "amount": Decimal("10.00")}),
        ),
        currency="EUR",
        country="DE",
    ),
    Story(
        "GLX-D-2008",
        "globex",
        ("Paul Hoffmann", "paul@example.de"),
        PLATES,
        "problem",
        "other",
        "The customer wants a different colour.",
        ((M, "close", {"note": "Settled with the customer directly."}),),
        currency="EUR",
        country="DE",
    ),
    Story(
        "GLX-D-2009",
        "globex",
        ("Sophie Klein", "sophie@example.de"),
        KETTLE,
        "refund",
        "not_as_described",
        "Not the red shown in the pictures; photo never sent.",
        ((Y, "cancel", {}),),
        currency="EUR",
        country="DE",
    ),
]


def seed(log) -> None:
    organizations = {o.slug: o for o in Organization.objects.all()}
    created = 0
    for story in STORIES:
        merchant = organizations[story.merchant]
        order = Order.objects.filter(merchant=merchant, external_id=story.external_id).first()
        if order is not None and Dispute.objects.filter(order=order).exists():
            continue
        merchant_actor = _member(MERCHANT_STAFF[story.merchant], merchant)
        supplier_actor = _member(SUPPLIER_STAFF[story.line[5]], organizations[story.line[5]])
        order = order or _order(merchant_actor, story)
        _play(story, order, merchant_actor, supplier_actor)
        created += 1
    log(f"{created} disputes created")


def _member(email: str, organization: Organization) -> Actor:
    membership = Membership.objects.select_related("user").get(
        user__email=email, organization=organization
    )
    return Actor.member(user=membership.user, organization=organization, role=membership.role)


def _order(actor: Actor, story: Story) -> Order:
    now = timezone.now()
    sku, title, variant, quantity, price, supplier = story.line
    order = order_create(
        actor=actor,
        external_id=story.external_id,
        placed_at=now - timedelta(days=12),
        currency=story.currency,
        customer={"name": story.customer[0], "email": story.customer[1]},
        shipping_address={
            "line1": "1 Demo Street",
            "city": "Springfield" if story.country == "US" else "Berlin",
            "postal_code": "62704" if story.country == "US" else "10117",
            "country": story.country,
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
        ],
    )
    if story.shipped:
        shipment = shipment_create(
            actor=actor,
            order=order,
            lines=list(OrderLine.objects.filter(order=order)),
            tracking_number=story.shipped,
            shipped_at=now - timedelta(days=10),
        )
        if story.delivered:
            shipment_update_status(
                actor=actor,
                shipment=shipment,
                status=ShipmentStatus.DELIVERED,
                at=now - timedelta(days=3),
            )
    return order


def _play(story: Story, order: Order, merchant: Actor, supplier: Actor) -> None:
    dispute = services.dispute_open(
        actor=merchant,
        order=order,
        lines=list(OrderLine.objects.filter(order=order).select_related("supplier")),
        kind=story.kind,
        reason=story.reason,
        description=story.description,
    )
    actors = {M: merchant, S: supplier, Y: Actor.system()}
    for who, what, arguments in story.steps:
        actor = actors[who]
        dispute = Dispute.objects.select_related("open_proposal").get(pk=dispute.pk)
        if what == "photo":
            services.dispute_attachment_add(
                actor=actor, dispute=dispute, upload=_photo(**arguments)
            )
        elif what == "accept_evidence":
            services.dispute_evidence_accept(actor=actor, dispute=dispute)
        elif what == "message":
            services.dispute_message_post(actor=actor, dispute=dispute, **arguments)
        elif what == "note":
            services.dispute_message_post(actor=actor, dispute=dispute, internal=True, **arguments)
        elif what == "propose":
            services.proposal_create(actor=actor, dispute=dispute, **arguments)
        elif what == "accept":
            services.proposal_accept(actor=actor, dispute=dispute, proposal=dispute.open_proposal)
        elif what == "fulfil":
            services.dispute_fulfil(actor=actor, dispute=dispute, **arguments)
        elif what == "ledger":
            services.ledger_entry_record(actor=actor, dispute=dispute, **arguments)
        elif what == "arbitration":
            services.dispute_escalate(actor=actor, dispute=dispute, to="arbitration", **arguments)
        elif what == "close":
            services.dispute_close(actor=actor, dispute=dispute, **arguments)
        elif what == "cancel":
            services.dispute_cancel_for_missing_evidence(actor=actor, dispute=dispute)
        else:  # pragma: no cover - a typo in STORIES
            raise ValueError(what)


def _photo(*, name: str, colour: tuple[int, int, int]) -> SimpleUploadedFile:
    """A stand-in for the customer's photo: a coloured cloth on a table."""
    image = Image.new("RGB", (480, 360), (235, 230, 220))
    draw = ImageDraw.Draw(image)
    draw.rectangle((90, 60, 390, 300), fill=colour)
    output = io.BytesIO()
    image.save(output, "JPEG", quality=85)
    return SimpleUploadedFile(name, output.getvalue(), content_type="image/jpeg")
