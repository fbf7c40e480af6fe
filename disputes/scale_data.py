"""A large, realistic data set for benchmarks (`manage.py generate_scale_data`).

Merchants `scale-m0`, `scale-m1`, … each with their orders, lines, parcels, disputes with
5-50 timeline events, proposals, pending and due deadlines and in-app notifications,
sharing a pool of suppliers (`scale-shenzhen` serves every merchant and carries about a
third of the lines, so that its portal inbox is the busiest). Rows go in with COPY, a
chunk of orders (and everything hanging from them) per transaction; a chunk is either
all there or not at all, so a run that stops resumes at the first missing chunk.

Everything is drawn from a random generator seeded by (merchant, chunk): two runs write
the same data, and a resumed run the same as one that never stopped.
"""

import io
import json
import multiprocessing
import random
import sys
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections, models, transaction
from django.utils import timezone

from accounts.models import Membership, Organization, OrganizationKind, Role, User
from core.bulk import copy_rows, copy_text
from core.tenancy import cross_tenant_scope
from deadlines import registry
from deadlines.models import Deadline, DeadlineState
from disputes.models import (
    FINISHED_STATUSES,
    REASONS_BY_KIND,
    Dispute,
    DisputeCounter,
    DisputeKind,
    DisputeLine,
    DisputeStatus,
    EventType,
    Party,
    Proposal,
    ProposalStatus,
    ResolutionType,
    TimelineEvent,
)
from notifications.models import Notification, NotificationEvent
from orders.models import Order, OrderLine, OrderStatus, Shipment, ShipmentStatus
from suppliers.models import SupplierLink

PASSWORD = "bench-pass-123"  # noqa: S105 — a benchmark data set's published password
ORDERS_PER_CHUNK = 20_000
HISTORY_SECONDS = 730 * 86_400
# The shared supplier pool; the first serves every merchant.
SUPPLIERS = [
    ("scale-shenzhen", "Shenzhen Scale Supply", "CN"),
    ("scale-yiwu", "Yiwu Scale Goods", "CN"),
    ("scale-guangzhou", "Guangzhou Scale Trading", "CN"),
    ("scale-ningbo", "Ningbo Scale Export", "CN"),
    ("scale-hanoi", "Hanoi Scale Crafts", "VN"),
    ("scale-istanbul", "Istanbul Scale Textiles", "TR"),
    ("scale-porto", "Porto Scale Shoes", "PT"),
    ("scale-poznan", "Poznan Scale Furniture", "PL"),
    ("scale-dallas", "Dallas Scale Fulfilment", "US"),
    ("scale-mumbai", "Mumbai Scale Cotton", "IN"),
    ("scale-jakarta", "Jakarta Scale Rattan", "ID"),
    ("scale-lyon", "Lyon Scale Silk", "FR"),
]
MERCHANT_COUNTRIES = ["US", "DE", "GB", "FR", "ES", "IT", "NL", "AU", "CA", "SE"]
CURRENCY = {"US": "USD", "GB": "GBP", "AU": "AUD", "CA": "CAD", "SE": "SEK"}
PRODUCTS = [
    "Trail backpack 40 l",
    "Down sleeping bag",
    "Camping stove",
    "Headlamp 400 lm",
    "Trekking poles",
    "Rain jacket",
    "Merino base layer",
    "Water filter",
    "Folding chair",
    "Insulated bottle",
    "Hammock with straps",
    "Dome tent 2p",
]
VARIANTS = ["", "S / black", "M / black", "L / green", "XL / blue", "one size / red"]
CITIES = [("Springfield", "US"), ("Berlin", "DE"), ("Leeds", "GB"), ("Lyon", "FR")]
CARRIERS = ["ups", "dhl", "usps", "fedex", "yunexpress", "cainiao"]
# Lines per order (1 to 6) and their weights.
LINES_PER_ORDER = ([1, 2, 3, 4, 5, 6], [55, 25, 12, 5, 2, 1])
# Dispute states, weighted: most disputes are finished, the open ones wait on someone.
STATES = (
    [
        DisputeStatus.AWAITING_EVIDENCE,
        DisputeStatus.AWAITING_SUPPLIER,
        DisputeStatus.AWAITING_MERCHANT,
        DisputeStatus.RESOLUTION_PROPOSED,
        DisputeStatus.RESOLUTION_ACCEPTED,
        DisputeStatus.IN_ARBITRATION,
        DisputeStatus.RESOLVED,
        DisputeStatus.CLOSED,
        DisputeStatus.CANCELLED,
    ],
    [2, 22, 12, 9, 5, 3, 8, 37, 2],
)
MESSAGES = [
    "The customer sent photos of the damage; please check.",
    "We shipped this order on time, tracking shows it moving.",
    "Can you confirm the size that was sent?",
    "The customer is asking for an update.",
    "We can offer a partial refund for this one.",
    "Please send a new tracking number.",
]
NOTES = ["Customer is a repeat buyer.", "Check with the warehouse first.", "Escalate if no answer."]


def uuid7_text(moment: datetime, rng: random.Random) -> str:
    """A version 7 id for a row created at `moment` (core.ids.new_id with a given time)."""
    milliseconds = int(moment.timestamp() * 1000)
    value = (milliseconds & (2**48 - 1)) << 80 | rng.getrandbits(80)
    value = (value & ~(0xF << 76)) | (0x7 << 76)
    value = (value & ~(0x3 << 62)) | (0x2 << 62)
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


class CopyTable:
    """Rows for one table, written with COPY: the given columns, every other column at its
    model default (so a field added later needs no change here as long as it has one)."""

    def __init__(self, model: type[models.Model], columns: list[str]):
        self.table = model._meta.db_table
        given = set(columns)
        rest = [
            field
            for field in model._meta.local_concrete_fields
            # A serial id is the database's to number.
            if field.attname not in given and field.column not in given and not field.db_returning
        ]
        # get_default() is "" for a text field without a default, None for others.
        defaults = [
            field.get_default()
            if isinstance(field, models.JSONField)
            else field.get_db_prep_save(field.get_default(), connection)
            for field in rest
        ]
        missing = [
            field.attname
            for field, value in zip(rest, defaults, strict=True)
            if value is None and not field.null
        ]
        if missing:
            raise ValueError(f"{self.table}: no value and no default for {missing}")
        self.columns = columns + [field.column for field in rest]
        self.suffix = "".join("\t" + copy_text(value) for value in defaults) + "\n"
        self.buffer = io.StringIO()
        self.count = 0

    def add(self, *values) -> None:
        self.buffer.write("\t".join(map(copy_text, values)) + self.suffix)
        self.count += 1

    def flush(self, cursor) -> None:
        if not self.count:
            return
        self.buffer.seek(0)
        copy_rows(cursor, self.table, self.columns, self.buffer)
        self.buffer = io.StringIO()
        self.count = 0


@dataclass
class Tenant:
    merchant: Organization
    owner: User
    agent: User
    suppliers: list[Organization]
    supplier_weights: list[int]
    supplier_users: dict  # supplier id → its admin user
    currency: str


class Progress:
    """One line on stderr: done/total, rate, time left."""

    def __init__(self, total: int, label: str, stream=None):
        self.total, self.label, self.done = total, label, 0
        self.started = time.monotonic()
        self.stream = stream or sys.stderr

    def advance(self, amount: int) -> None:
        self.done += amount
        elapsed = time.monotonic() - self.started
        rate = self.done / elapsed if elapsed else 0
        left = (self.total - self.done) / rate if rate else 0
        width = 30
        filled = int(width * self.done / self.total) if self.total else width
        self.stream.write(
            f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] "
            f"{self.done:,}/{self.total:,} {rate:,.0f}/s, {left:.0f} s left  "
        )
        self.stream.flush()

    def finish(self) -> None:
        self.stream.write("\n")


def _user(email: str, name: str, password_hash: str) -> User:
    user, _created = User.objects.get_or_create(
        email=email, defaults={"name": name, "password": password_hash}
    )
    return user


def tenants_prepare(merchants: int) -> list[Tenant]:
    """The organizations, users, memberships and supplier links (get-or-create)."""
    password_hash = make_password(PASSWORD)
    suppliers = []
    supplier_users = {}
    for slug, name, country in SUPPLIERS:
        supplier, _created = Organization.objects.get_or_create(
            slug=slug,
            defaults={
                "kind": OrganizationKind.SUPPLIER,
                "name": name,
                "country": country,
                "verified": True,
                "verified_at": timezone.now(),
            },
        )
        admin = _user(f"staff@{slug}.test", f"{name} staff", password_hash)
        Membership.objects.get_or_create(
            user=admin, organization=supplier, defaults={"role": Role.ADMIN}
        )
        suppliers.append(supplier)
        supplier_users[supplier.pk] = admin
    tenants = []
    for number in range(merchants):
        rng = random.Random(number)  # noqa: S311 — data, not secrets
        slug = f"scale-m{number}"
        country = MERCHANT_COUNTRIES[number % len(MERCHANT_COUNTRIES)]
        merchant, _created = Organization.objects.get_or_create(
            slug=slug,
            defaults={
                "kind": OrganizationKind.MERCHANT,
                "name": f"Scale Shop {number}",
                "country": country,
            },
        )
        users = {}
        for role in (Role.OWNER, Role.AGENT, Role.VIEWER):
            users[role] = _user(f"{role}@{slug}.test", f"{role.title()} {number}", password_hash)
            Membership.objects.get_or_create(
                user=users[role], organization=merchant, defaults={"role": role}
            )
        linked = [suppliers[0], *rng.sample(suppliers[1:], rng.randint(3, 6))]
        for supplier in linked:
            SupplierLink.cross_tenant_objects.get_or_create(merchant=merchant, supplier=supplier)
        tenants.append(
            Tenant(
                merchant=merchant,
                owner=users[Role.OWNER],
                agent=users[Role.AGENT],
                suppliers=linked,
                # Shenzhen carries about a third of every merchant's lines.
                supplier_weights=[len(linked)] + [2] * (len(linked) - 1),
                supplier_users=supplier_users,
                currency=CURRENCY.get(country, "EUR"),
            )
        )
    return tenants


def chunks_done(tenant: Tenant) -> int:
    """Chunks of this merchant already written (each commits whole)."""
    count = Order.cross_tenant_objects.filter(merchant=tenant.merchant).count()
    return count // ORDERS_PER_CHUNK


class ChunkWriter:
    """Everything of one chunk of one merchant's orders, written in one transaction."""

    def __init__(self, tenant: Tenant, *, now: datetime, orders_per_merchant: int):
        self.tenant, self.now = tenant, now
        self.orders_per_merchant = orders_per_merchant
        self.order_type = ContentType.objects.get_for_model(Order).pk
        self.dispute_type = ContentType.objects.get_for_model(Dispute).pk
        self.rule_settings = {
            rule.code: json.dumps(rule.defaults().as_json()) for rule in registry.rule_list()
        }
        self.orders = CopyTable(
            Order,
            [
                "id",
                "merchant_id",
                "external_id",
                "placed_at",
                "currency",
                "total",
                "customer_name",
                "customer_email",
                "ship_line1",
                "ship_city",
                "ship_postal_code",
                "ship_country",
                "is_international",
                "status",
                "created_at",
                "updated_at",
            ],
        )
        self.lines = CopyTable(
            OrderLine,
            [
                "id",
                "merchant_id",
                "order_id",
                "supplier_id",
                "sku",
                "title",
                "variant",
                "quantity",
                "unit_price",
                "placed_at",
                "shipped_at",
            ],
        )
        self.shipments = CopyTable(
            Shipment,
            [
                "id",
                "merchant_id",
                "order_id",
                "supplier_id",
                "carrier",
                "tracking_number",
                "tracking_valid",
                "status",
                "shipped_at",
                "delivered_at",
                "created_at",
            ],
        )
        self.shipment_lines = CopyTable(Shipment.lines.through, ["shipment_id", "orderline_id"])
        self.disputes = CopyTable(
            Dispute,
            [
                "id",
                "merchant_id",
                "number",
                "order_id",
                "supplier_id",
                "kind",
                "reason",
                "status",
                "description",
                "requested_amount",
                "currency",
                "opened_by_id",
                "opened_at",
                "respond_by",
                "resolve_by",
                "accepted_at",
                "resolved_at",
                "closed_at",
                "cancelled_at",
                "arbitration_requested_at",
                "updated_at",
                "last_activity_at",
                "shared_activity_at",
                "open_proposal_id",
                "resolution_id",
                "last_event_position",
            ],
        )
        self.dispute_lines = CopyTable(
            DisputeLine,
            ["id", "merchant_id", "dispute_id", "order_line_id", "supplier_id", "is_open"],
        )
        self.events = CopyTable(
            TimelineEvent,
            [
                "id",
                "merchant_id",
                "dispute_id",
                "supplier_id",
                "internal",
                "position",
                "type",
                "author_party",
                "author_user_id",
                "author_organization_id",
                "body",
                "data",
                "created_at",
            ],
        )
        self.proposals = CopyTable(
            Proposal,
            [
                "id",
                "merchant_id",
                "dispute_id",
                "supplier_id",
                "resolution",
                "amount",
                "currency",
                "status",
                "proposed_by_party",
                "proposed_by_id",
                "created_at",
                "decided_at",
            ],
        )
        self.deadlines = CopyTable(
            Deadline,
            [
                "id",
                "merchant_id",
                "rule",
                "subject_type_id",
                "subject_id",
                "key",
                "state",
                "start_at",
                "due_at",
                "run_at",
                "country",
                "settings",
                "created_at",
            ],
        )
        self.notification_events = CopyTable(
            NotificationEvent,
            ["id", "merchant_id", "type", "dedup_key", "title", "body", "url", "created_at"],
        )
        self.notifications = CopyTable(
            Notification,
            [
                "id",
                "merchant_id",
                "event_id",
                "organization_id",
                "user_id",
                "type",
                "title",
                "body",
                "url",
                "read_at",
                "created_at",
            ],
        )
        self.tables = [
            self.orders,
            self.lines,
            self.shipments,
            self.shipment_lines,
            self.proposals,
            self.disputes,
            self.dispute_lines,
            self.events,
            self.deadlines,
            self.notification_events,
            self.notifications,
        ]

    @staticmethod
    def written_tables() -> list[str]:
        models_written = [Order, OrderLine, Shipment, Shipment.lines.through, Proposal, Dispute]
        models_written += [DisputeLine, TimelineEvent, Deadline, NotificationEvent, Notification]
        return [model._meta.db_table for model in models_written]

    def write(self, *, chunk: int, orders: int, disputes: int, first_number: int) -> int:
        """Generate and COPY one chunk; answer the number of rows written."""
        rng = random.Random(f"{self.tenant.merchant.slug}:{chunk}")  # noqa: S311
        disputable = []
        for index in range(orders):
            order = self._order(rng, chunk * ORDERS_PER_CHUNK + index)
            if order is not None:
                disputable.append(order)
        picked = rng.sample(disputable, min(disputes, len(disputable)))
        picked.sort(key=lambda order: order["opened_at"])
        for offset, order in enumerate(picked):
            self._dispute(rng, order, first_number + offset)
        rows = sum(table.count for table in self.tables)
        with transaction.atomic(), connection.cursor() as cursor:
            # A chunk lost in a crash is written again on the next run: no need to wait
            # for the disk at each commit.
            cursor.execute("SET LOCAL synchronous_commit = off")
            for table in self.tables:
                table.flush(cursor.cursor)
            DisputeCounter.cross_tenant_objects.update_or_create(
                merchant=self.tenant.merchant,
                defaults={"last_number": first_number + len(picked) - 1},
            )
        return rows

    def _order(self, rng: random.Random, serial: int) -> dict | None:
        """Write one order with its lines and parcels; answer it when it can be disputed."""
        tenant, now = self.tenant, self.now
        merchant_id = tenant.merchant.pk
        # Two years of orders in the order of their numbers (ids then grow with time, as
        # in production); those of the last five days are not shipped yet.
        share = (serial + rng.random()) / self.orders_per_merchant
        placed_at = now - timedelta(seconds=HISTORY_SECONDS * (1 - share) + 60)
        recent = placed_at > now - timedelta(days=5)
        order_id = uuid7_text(placed_at, rng)
        count = rng.choices(*LINES_PER_ORDER)[0]
        suppliers = rng.choices(tenant.suppliers, tenant.supplier_weights, k=1)
        if count > 1 and rng.random() < 0.2:
            suppliers.append(rng.choice(tenant.suppliers))
        cancelled = not recent and rng.random() < 0.03
        status = OrderStatus.UNSHIPPED if recent or cancelled else OrderStatus.DELIVERED
        if status == OrderStatus.DELIVERED and rng.random() < 0.12:
            status = OrderStatus.SHIPPED
        if cancelled:
            status = OrderStatus.CANCELLED
        total = Decimal(0)
        lines_by_supplier: dict = {}
        shipped_at = placed_at + timedelta(hours=rng.uniform(6, 60))
        for number in range(count):
            supplier = suppliers[number % len(suppliers)]
            line_id = uuid7_text(placed_at, rng)
            price = Decimal(rng.randint(500, 15_000)) / 100
            quantity = rng.choice((1, 1, 1, 2, 3))
            total += price * quantity
            product = rng.randrange(len(PRODUCTS))
            self.lines.add(
                line_id,
                merchant_id,
                order_id,
                supplier.pk,
                f"{supplier.slug[6:9].upper()}-{product:03d}-{rng.randrange(40):02d}",
                PRODUCTS[product],
                rng.choice(VARIANTS),
                quantity,
                price,
                placed_at,
                shipped_at if status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED) else None,
            )
            lines_by_supplier.setdefault(supplier, []).append((line_id, price * quantity))
        city, destination = rng.choice(CITIES)
        self.orders.add(
            order_id,
            merchant_id,
            f"S{serial:08d}",
            placed_at,
            tenant.currency,
            total,
            f"Customer {serial}",
            f"customer{serial}@example.test",
            f"{rng.randint(1, 999)} Main Street",
            city,
            f"{rng.randint(10000, 99999)}",
            destination,
            destination != tenant.merchant.country,
            status,
            placed_at,
            placed_at,
        )
        if status == OrderStatus.UNSHIPPED and not cancelled:
            for supplier in lines_by_supplier:
                for rule, days in (("ship-reminder", 2), ("ship-overdue", 4)):
                    self._deadline(
                        rng, rule, self.order_type, order_id, str(supplier.pk), placed_at, days
                    )
            return None
        if cancelled:
            return None
        delivered_at = shipped_at + timedelta(days=rng.uniform(4, 20))
        for supplier, lines in lines_by_supplier.items():
            shipment_id = uuid7_text(shipped_at, rng)
            self.shipments.add(
                shipment_id,
                merchant_id,
                order_id,
                supplier.pk,
                rng.choice(CARRIERS),
                f"1Z{rng.getrandbits(60):016X}",
                True,
                ShipmentStatus.DELIVERED
                if status == OrderStatus.DELIVERED
                else ShipmentStatus.IN_TRANSIT,
                shipped_at,
                delivered_at if status == OrderStatus.DELIVERED else None,
                shipped_at,
            )
            for line_id, _amount in lines:
                self.shipment_lines.add(shipment_id, line_id)
        supplier, lines = next(iter(lines_by_supplier.items()))
        opened_at = min(placed_at + timedelta(days=rng.uniform(5, 40)), now - timedelta(hours=1))
        return {
            "id": order_id,
            "supplier": supplier,
            "line_id": lines[0][0],
            "amount": lines[0][1],
            "opened_at": opened_at,
        }

    def _deadline(self, rng, rule, subject_type, subject_id, key, start_at, days) -> None:
        due_at = start_at + timedelta(days=days)
        self.deadlines.add(
            uuid7_text(start_at, rng),
            self.tenant.merchant.pk,
            rule,
            subject_type,
            subject_id,
            key,
            DeadlineState.PENDING,
            start_at,
            due_at,
            due_at,
            self.tenant.merchant.country,
            self.rule_settings[rule],
            start_at,
        )

    def _dispute(self, rng: random.Random, order: dict, number: int) -> None:
        tenant, now = self.tenant, self.now
        merchant_id = tenant.merchant.pk
        supplier = order["supplier"]
        supplier_user = tenant.supplier_users[supplier.pk]
        status = rng.choices(*STATES)[0]
        is_open = status not in FINISHED_STATUSES
        opened_at = order["opened_at"]
        if is_open:
            # Open disputes are recent: the rules would have moved old ones on.
            opened_at = now - timedelta(seconds=rng.uniform(3600, 20 * 86_400))
        dispute_id = uuid7_text(opened_at, rng)
        kind = DisputeKind.PROBLEM if rng.random() < 0.6 else DisputeKind.REFUND
        reason = rng.choice(REASONS_BY_KIND[kind])
        events = rng.randint(5, 50)
        span = (now - opened_at) if is_open else timedelta(days=rng.uniform(2, 30))
        # Nothing happens after now: a finished dispute opened lately finished by now.
        span = min(span, now - opened_at)
        step = span / (events + 1)
        moments = [opened_at + step * position for position in range(events)]
        last_at = moments[-1]
        proposal_id = None
        open_proposal_id = resolution_id = None
        if status in (
            DisputeStatus.RESOLUTION_PROPOSED,
            DisputeStatus.RESOLUTION_ACCEPTED,
            DisputeStatus.RESOLVED,
            DisputeStatus.CLOSED,
        ):
            proposal_id = uuid7_text(moments[len(moments) // 2], rng)
            accepted = status != DisputeStatus.RESOLUTION_PROPOSED
            self.proposals.add(
                proposal_id,
                merchant_id,
                dispute_id,
                supplier.pk,
                ResolutionType.PARTIAL_REFUND,
                (order["amount"] / 2).quantize(Decimal("0.01")),
                tenant.currency,
                ProposalStatus.ACCEPTED if accepted else ProposalStatus.OPEN,
                Party.SUPPLIER,
                supplier_user.pk,
                moments[len(moments) // 2],
                moments[len(moments) // 2 + 1] if accepted else None,
            )
            if accepted:
                resolution_id = proposal_id
            else:
                open_proposal_id = proposal_id
        respond_by = resolve_by = None
        if status == DisputeStatus.AWAITING_SUPPLIER:
            # Mostly still within the 48 hours; a few already due for the next sweep.
            respond_by = last_at + timedelta(hours=48)
            for key, hours in (("remind", 48), ("escalate", 72)):
                self._deadline_hours(rng, "supplier-response", dispute_id, key, last_at, hours)
        if is_open and kind == DisputeKind.PROBLEM and status != DisputeStatus.RESOLVED:
            resolve_by = opened_at + timedelta(days=7)
            self._deadline_hours(rng, "problem-deadline", dispute_id, "", opened_at, 7 * 24)
        if status == DisputeStatus.AWAITING_MERCHANT:
            self._deadline_hours(
                rng, "auto-close", dispute_id, "awaiting_merchant", last_at, 14 * 24
            )
        if status == DisputeStatus.RESOLVED:
            self._deadline_hours(rng, "auto-close", dispute_id, "resolved", last_at, 7 * 24)
        self.disputes.add(
            dispute_id,
            merchant_id,
            number,
            order["id"],
            supplier.pk,
            kind,
            reason,
            status,
            "The customer wrote to us about this order.",
            order["amount"] if kind == DisputeKind.REFUND else None,
            tenant.currency,
            tenant.agent.pk,
            opened_at,
            respond_by,
            resolve_by,
            last_at if resolution_id else None,
            last_at if status in (DisputeStatus.RESOLVED, DisputeStatus.CLOSED) else None,
            last_at if status == DisputeStatus.CLOSED else None,
            last_at if status == DisputeStatus.CANCELLED else None,
            last_at if status == DisputeStatus.IN_ARBITRATION else None,
            last_at,
            last_at,
            last_at,
            open_proposal_id,
            resolution_id,
            events,
        )
        line = order["line_id"]
        self.dispute_lines.add(
            uuid7_text(opened_at, rng), merchant_id, dispute_id, line, supplier.pk, is_open
        )
        self._timeline(rng, dispute_id, supplier, supplier_user, kind, reason, status, moments)
        self._notify(rng, dispute_id, number, supplier, supplier_user, opened_at)

    def _deadline_hours(self, rng, rule, dispute_id, key, start_at, hours) -> None:
        self._deadline(rng, rule, self.dispute_type, dispute_id, key, start_at, hours / 24)

    def _timeline(self, rng, dispute_id, supplier, supplier_user, kind, reason, status, moments):
        tenant = self.tenant
        merchant_id = tenant.merchant.pk
        for position, moment in enumerate(moments, start=1):
            internal = False
            body = ""
            if position == 1:
                event_type, party, data = EventType.STATUS, Party.MERCHANT, {}
                data = {"code": "opened", "kind": kind, "reason": reason, "to": status}
            elif position == len(moments):
                event_type, party = EventType.STATUS, Party.MERCHANT
                data = {"from": DisputeStatus.AWAITING_SUPPLIER, "to": status}
            else:
                draw = rng.random()
                data = {}
                if draw < 0.8:
                    event_type, body = EventType.MESSAGE, rng.choice(MESSAGES)
                    party = Party.SUPPLIER if draw < 0.45 else Party.MERCHANT
                elif draw < 0.9:
                    event_type, party, body = EventType.NOTE, Party.MERCHANT, rng.choice(NOTES)
                    internal = True
                else:
                    event_type, party = EventType.DEADLINE, Party.SYSTEM
                    data = {"code": "supplier_response_reminder", "rule": "supplier-response"}
            if party == Party.SUPPLIER:
                user_id, organization_id = supplier_user.pk, supplier.pk
            elif party == Party.MERCHANT:
                user_id, organization_id = tenant.agent.pk, merchant_id
            else:
                user_id = organization_id = None
            self.events.add(
                uuid7_text(moment, rng),
                merchant_id,
                dispute_id,
                supplier.pk,
                internal,
                position,
                event_type,
                party,
                user_id,
                organization_id,
                body,
                data,
                moment,
            )

    def _notify(self, rng, dispute_id, number, supplier, supplier_user, opened_at) -> None:
        tenant = self.tenant
        merchant_id = tenant.merchant.pk
        event_id = uuid7_text(opened_at, rng)
        title = f"Dispute #{number} opened"
        self.notification_events.add(
            event_id,
            merchant_id,
            "dispute.opened",
            f"dispute.opened:{dispute_id}",
            {"message": "Dispute #%(number)s opened", "params": {"number": number}},
            {"message": "", "params": {}},
            f"/app/disputes/{dispute_id}/",
            opened_at,
        )
        readers = [
            (tenant.owner.pk, merchant_id, f"/app/disputes/{dispute_id}/"),
            (tenant.agent.pk, merchant_id, f"/app/disputes/{dispute_id}/"),
            (supplier_user.pk, supplier.pk, f"/portal/disputes/{dispute_id}/"),
        ]
        for user_id, organization_id, url in readers:
            read = opened_at < self.now - timedelta(days=3) or rng.random() < 0.5
            self.notifications.add(
                uuid7_text(opened_at, rng),
                merchant_id,
                event_id,
                organization_id,
                user_id,
                "dispute.opened",
                title,
                "",
                url,
                opened_at + timedelta(hours=5) if read else None,
                opened_at,
            )


def generate(
    *,
    merchants: int,
    orders_per_merchant: int,
    disputes_per_merchant: int,
    log: Callable[[str], None],
    progress_stream=None,
    jobs: int = 1,
) -> dict:
    """Write (or complete) the data set; answer counts and seconds.

    With `jobs` above 1, that many processes write merchants side by side (each merchant's
    chunks in order, so that a stopped run still resumes at each one's first missing chunk).
    """
    started = time.monotonic()
    now = timezone.now().replace(microsecond=0)
    chunks = -(-orders_per_merchant // ORDERS_PER_CHUNK)
    tenants = tenants_prepare(merchants)
    plan = []
    for tenant in tenants:
        done = chunks_done(tenant)
        for chunk in range(chunks):
            orders = min(ORDERS_PER_CHUNK, orders_per_merchant - chunk * ORDERS_PER_CHUNK)
            first = disputes_per_merchant * chunk // chunks
            disputes = disputes_per_merchant * (chunk + 1) // chunks - first
            if chunk >= done:
                plan.append((tenant, chunk, orders, disputes, first + 1))
    total_orders = sum(orders for _t, _c, orders, _d, _f in plan)
    if total_orders:
        log(f"{merchants} merchant(s): {total_orders:,} orders to write in {len(plan)} chunk(s)")
    progress = Progress(total_orders, "orders", progress_stream)
    if jobs > 1 and len({tenant.merchant.pk for tenant, *_rest in plan}) > 1:
        rows = _write_side_by_side(
            plan, jobs=jobs, now=now, orders=orders_per_merchant, progress=progress
        )
    else:
        rows = 0
        for tenant, chunk, orders, disputes, first in plan:
            writer = ChunkWriter(tenant, now=now, orders_per_merchant=orders_per_merchant)
            rows += writer.write(chunk=chunk, orders=orders, disputes=disputes, first_number=first)
            progress.advance(orders)
    if plan:
        progress.finish()
        with connection.cursor() as cursor:
            for table in ChunkWriter.written_tables():
                cursor.execute(f"ANALYZE {table}")
    return {"rows": rows, "orders": total_orders, "seconds": time.monotonic() - started}


# What a process writing merchants side by side shares with the parent: orders written.
_written_orders = None


def _share_progress(counter) -> None:
    global _written_orders
    _written_orders = counter


def _write_merchant(chunks: list, *, now: datetime, orders_per_merchant: int) -> int:
    """One merchant's missing chunks, in order, in a process of its own."""
    with cross_tenant_scope(reason="generate_scale_data: one merchant's benchmark data"):
        rows = 0
        for tenant, chunk, orders, disputes, first in chunks:
            writer = ChunkWriter(tenant, now=now, orders_per_merchant=orders_per_merchant)
            rows += writer.write(chunk=chunk, orders=orders, disputes=disputes, first_number=first)
            with _written_orders.get_lock():
                _written_orders.value += orders
        return rows


def _write_side_by_side(plan: list, *, jobs: int, now: datetime, orders: int, progress) -> int:
    by_merchant = {}
    for step in plan:
        by_merchant.setdefault(step[0].merchant.pk, []).append(step)
    # Each process opens its own connection: none may inherit the parent's.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    counter = context.Value("q", 0)
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=_share_progress, initargs=(counter,)
    ) as pool:
        pending = {
            pool.submit(_write_merchant, chunks, now=now, orders_per_merchant=orders)
            for chunks in by_merchant.values()
        }
        rows = 0
        while pending:
            done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            rows += sum(future.result() for future in done)
            progress.advance(counter.value - progress.done)
    return rows
