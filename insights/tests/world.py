"""A hand-computed world for the analytics: every figure the tests expect is worked out in
the comments of `analytics_world` (period 2026-03-02 to 2026-03-15, two ISO weeks, UTC)."""

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from core.tenancy import organization_scope
from disputes import services
from disputes.tests.conftest import Disputes
from disputes.tests.factories import OrderFactory, OrderLineFactory
from disputes.tests.samples import png_upload

PERIOD = {"from": "2026-03-02", "to": "2026-03-15"}
NOW = datetime(2026, 3, 16, 12, 0, tzinfo=UTC)


def at(day: int, hour: int = 10, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@dataclass
class AnalyticsWorld:
    disputes: dict
    orders: dict


def order(world, name, placed_at, lines, *, merchant="acme", currency="USD"):
    """lines: (supplier, sku, shipped_at or None); each line 1 x 12.50."""
    placed = OrderFactory(
        merchant=world.organization(merchant),
        external_id=name,
        placed_at=placed_at,
        currency=currency,
    )
    for supplier, sku, shipped_at in lines:
        OrderLineFactory(
            order=placed,
            supplier=world.organization(supplier),
            sku=sku,
            title=f"Item {sku}",
            quantity=1,
            unit_price=Decimal("12.50"),
            shipped_at=shipped_at,
        )
    return placed


@pytest.fixture
def analytics_world(world, time_machine) -> AnalyticsWorld:
    helper = Disputes(world)

    def move(moment):
        time_machine.move_to(moment, tick=False)

    def call(caller, service, dispute, **kwargs):
        return helper.call(caller, service, dispute, **kwargs)

    def line_of(order_, supplier):
        return [line for line in helper.lines(order_) if line.supplier_id == supplier.pk]

    def open_dispute(caller, order_, supplier, kind, reason):
        with helper.acting(caller) as actor:
            return services.dispute_open(
                actor=actor,
                order=order_,
                lines=line_of(order_, supplier),
                kind=kind,
                reason=reason,
                description="Customer complaint.",
            )

    def ledger(dispute, side, kind, value):
        with helper.acting("acme_agent") as actor:
            services.ledger_entry_record(
                actor=actor, dispute=helper.refresh(dispute), side=side, kind=kind, amount=value
            )

    move(at(1))
    orders = {
        # In the period (7 orders of acme). Ship-reminder: 2 days (48 h) by default.
        "O1": order(world, "O1", at(2), [("shenzhen", "SKU-A", at(3))]),  # 24 h: on time
        "O2": order(
            world,
            "O2",
            at(3),
            [("shenzhen", "SKU-A", at(6)), ("yiwu", "SKU-B", None)],  # 72 h: late; unshipped
        ),
        "O3": order(world, "O3", at(9), [("shenzhen", "SKU-C", at(10, 12))]),  # 26 h: on time
        "O4": order(world, "O4", at(10), [("yiwu", "SKU-B", at(11))]),  # 24 h: on time
        "O5": order(world, "O5", at(13), [("shenzhen", "SKU-C", None)], currency="EUR"),
        "O6": order(world, "O6", at(14), [("yiwu", "SKU-B", at(16))]),  # exactly 48 h: on time
        "O7": order(world, "O7", at(15, 22), [("ali", "SKU-D", None)]),
        # Before the period.
        "O0": order(world, "O0", at(20, month=2), [("shenzhen", "SKU-A", at(21, month=2))]),
        "Ob": order(world, "Ob", at(21, month=2), [("shenzhen", "SKU-A", at(22, month=2))]),
        # Another merchant, same supplier, in the period: never in acme's figures.
        "G1": order(world, "G1", at(5), [("shenzhen", "SKU-A", at(6))], merchant="globex"),
    }
    shenzhen, yiwu = world.shenzhen, world.yiwu

    # D0: opened before the period, closed inside it (192 h after opening).
    move(at(25, month=2))
    d0 = open_dispute("acme_agent", orders["O0"], shenzhen, "problem", "not_received")
    ledger(d0, "customer", "refund", "99.00")  # its dispute opened before: not in the money
    move(at(5))
    call("acme_agent", services.dispute_close, d0)

    # D1: supplier answers after 4 h; resolved 48 h after opening. USD 12.50 / 12.50.
    move(at(2, 12))
    d1 = open_dispute("acme_agent", orders["O1"], shenzhen, "problem", "not_received")
    move(at(2, 16))
    call("shenzhen_agent", services.dispute_message_post, d1, body="Checking with the carrier.")
    move(at(3, 12))
    call("shenzhen_agent", services.proposal_create, d1, resolution="refund")
    move(at(3, 14))
    call("acme_agent", services.proposal_accept, d1, proposal=helper.refresh(d1).open_proposal)
    move(at(4, 12))
    call("shenzhen_agent", services.dispute_fulfil, d1, refund_reference="PAY-1")  # + 12.50
    ledger(d1, "customer", "refund", "12.50")

    # GD: globex's dispute with shenzhen, answered after 2 h.
    move(at(6, 10))
    gd = open_dispute("globex_owner", orders["G1"], shenzhen, "problem", "not_received")
    move(at(6, 12))
    call("shenzhen_agent", services.dispute_message_post, gd, body="On it.")

    # D2: supplier proposes after 10 h; accepted, not carried out. Customer side 20.00 USD.
    move(at(10, 9))
    d2 = open_dispute("acme_agent", orders["O2"], shenzhen, "refund", "not_received")
    move(at(10, 19))
    call("shenzhen_agent", services.proposal_create, d2, resolution="refund")
    move(at(11, 9))
    call("acme_agent", services.proposal_accept, d2, proposal=helper.refresh(d2).open_proposal)
    ledger(d2, "customer", "reship_cost", "20.00")

    # D3: yiwu never answers; the merchant takes it to arbitration.
    move(at(11))
    d3 = open_dispute("acme_agent", orders["O2"], yiwu, "refund", "no_tracking")
    move(at(12))
    call("acme_agent", services.dispute_escalate, d3, to="arbitration")

    # D4: needs evidence; it arrives at 12:00, the supplier answers at 13:00 (1 h, not 3 h).
    move(at(12, 10))
    d4 = open_dispute("acme_agent", orders["Ob"], shenzhen, "problem", "damaged")
    move(at(12, 12))
    call("acme_agent", services.dispute_attachment_add, d4, upload=png_upload())
    move(at(12, 13))
    call("shenzhen_agent", services.dispute_message_post, d4, body="Sorry about that.")

    # D5: EUR, no answer yet. Customer side 8.00 EUR.
    move(at(13, 10))
    d5 = open_dispute("acme_agent", orders["O5"], shenzhen, "refund", "not_received")
    ledger(d5, "customer", "coupon", "8.00")

    move(NOW)
    return AnalyticsWorld(
        disputes={"D0": d0, "D1": d1, "D2": d2, "D3": d3, "D4": d4, "D5": d5, "GD": gd},
        orders=orders,
    )


@pytest.fixture
def acme_scope(world):
    with organization_scope(world.acme):
        yield
