"""A small dispute world on top of the shared `world`: orders, actors, disputes by state."""

from contextlib import contextmanager
from decimal import Decimal

import pytest

from accounts.actors import Actor
from conftest import CALLERS
from core.tenancy import cross_tenant_scope, organization_scope
from disputes import services
from disputes.models import Dispute, DisputeStatus
from disputes.tests.factories import OrderFactory, OrderLineFactory

# resolution_proposed, with the merchant's proposal open (the supplier answers it).
MERCHANT_PROPOSED = "resolution_proposed_by_merchant"


class Disputes:
    def __init__(self, world):
        self.world = world

    def actor(self, caller: str) -> Actor:
        organization_name, role = CALLERS[caller]
        organization = self.world.organization(organization_name)
        return Actor.member(user=self.world.users[caller], organization=organization, role=role)

    @contextmanager
    def acting(self, caller: str):
        actor = self.actor(caller)
        with organization_scope(actor.organization):
            yield actor

    def order(self, merchant="acme", lines=(("shenzhen", 2, "12.50"),), **fields):
        order = OrderFactory(merchant=self.world.organization(merchant), **fields)
        for supplier, quantity, price in lines:
            supplier_org = (
                self.world.ali if supplier == "ali" else self.world.organization(supplier)
            )
            OrderLineFactory(
                order=order, supplier=supplier_org, quantity=quantity, unit_price=Decimal(price)
            )
        return order

    def lines(self, order):
        with cross_tenant_scope(reason="test"):
            return list(order.lines.order_by("sku"))

    def open(
        self,
        caller="acme_agent",
        *,
        order=None,
        kind="problem",
        reason="not_received",
        merchant=None,
        supplier="shenzhen",
        **fields,
    ) -> Dispute:
        merchant = merchant or CALLERS[caller][0]
        order = order or self.order(merchant=merchant, lines=((supplier, 2, "12.50"),))
        with self.acting(caller) as actor:
            return services.dispute_open(
                actor=actor,
                order=order,
                lines=self.lines(order),
                kind=kind,
                reason=reason,
                description=fields.pop("description", "Customer says the parcel never came."),
                **fields,
            )

    def refresh(self, dispute) -> Dispute:
        with cross_tenant_scope(reason="test"):
            return Dispute.cross_tenant_objects.select_related("open_proposal", "resolution").get(
                pk=dispute.pk
            )

    def call(self, caller, service, dispute, **kwargs):
        with self.acting(caller) as actor:
            return service(actor=actor, dispute=self.refresh(dispute), **kwargs)

    def in_state(self, status: str, *, kind="refund", reason="not_received", **open_kwargs):
        """A dispute of acme with shenzhen brought to `status` through the services."""
        if status == DisputeStatus.AWAITING_EVIDENCE:
            return self.open(kind=kind, reason="damaged", **open_kwargs)
        if status == DisputeStatus.CANCELLED:
            dispute = self.open(kind=kind, reason="damaged", **open_kwargs)
            with cross_tenant_scope(reason="test"):
                services.dispute_cancel_for_missing_evidence(
                    actor=Actor.system(), dispute=self.refresh(dispute)
                )
            return self.refresh(dispute)
        dispute = self.open(kind=kind, reason=reason, **open_kwargs)
        if status == DisputeStatus.AWAITING_SUPPLIER:
            return self.refresh(dispute)
        if status == DisputeStatus.AWAITING_MERCHANT:
            self.call("shenzhen_agent", services.dispute_message_post, dispute, body="Checking.")
            return self.refresh(dispute)
        if status == DisputeStatus.IN_ARBITRATION:
            self.call("acme_agent", services.dispute_escalate, dispute, to="arbitration")
            return self.refresh(dispute)
        if status == MERCHANT_PROPOSED:
            self.call("acme_agent", services.proposal_create, dispute, resolution="reship")
            return self.refresh(dispute)
        self.call(
            "shenzhen_agent", services.proposal_create, dispute, resolution="refund", note="Sorry."
        )
        if status == DisputeStatus.RESOLUTION_PROPOSED:
            return self.refresh(dispute)
        proposal = self.refresh(dispute).open_proposal
        self.call("acme_agent", services.proposal_accept, dispute, proposal=proposal)
        if status == DisputeStatus.RESOLUTION_ACCEPTED:
            return self.refresh(dispute)
        self.call("shenzhen_agent", services.dispute_fulfil, dispute, refund_reference="PAY-1")
        if status == DisputeStatus.RESOLVED:
            return self.refresh(dispute)
        self.call("acme_agent", services.dispute_close, dispute)
        if status == DisputeStatus.CLOSED:
            return self.refresh(dispute)
        raise ValueError(status)


@pytest.fixture
def disputes(world) -> Disputes:
    return Disputes(world)
