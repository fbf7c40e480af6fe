"""Opening a dispute: the rules a ticket must pass before a supplier ever sees it."""

from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.actors import Actor
from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.tenancy import owner_scope
from disputes import policies
from disputes.models import (
    REASONS_BY_KIND,
    Dispute,
    DisputeCounter,
    DisputeKind,
    DisputeLine,
    DisputeStatus,
    EventType,
    Party,
    Reason,
)
from disputes.selectors import dispute_line_list_open
from disputes.services.transition_machinery import NOTICE, Change, locked
from orders.models import Order, OrderLine
from orders.selectors import MOVING_STATUSES, parcel_list_for_order

# Reasons that only make sense before the parcel leaves (DESIGN.md, "request a refund").
PRE_SHIPMENT_REASONS = frozenset(
    {
        Reason.OUT_OF_STOCK,
        Reason.OVERSIZED,
        Reason.SHIPPING_DELAYED,
        Reason.SUPPLIER_UNRESPONSIVE,
        Reason.CUSTOMER_CANCELLED,
        Reason.WRONG_ADDRESS,
    }
)
# Of those, the ones a carrier can still act on after shipping, inside one country.
INTERCEPTABLE_REASONS = frozenset({Reason.CUSTOMER_CANCELLED, Reason.WRONG_ADDRESS})


def dispute_open(
    *,
    actor: Actor,
    order: Order,
    lines: list[OrderLine],
    kind: str,
    reason: str,
    description: str = "",
    requested_amount: Decimal | None = None,
    evidence_follows: bool = False,
) -> Dispute:
    """Open a dispute. `evidence_follows`: the caller attaches files right after (the open
    form's photos), and calls `dispute_evidence_notice_post` if they held no evidence; the
    notice asking for a photo is then not posted while the photo is on its way."""
    # The system opens one on the merchant's behalf when a rule says so (ship-overdue).
    on_behalf = actor.party == Party.SYSTEM
    if not on_behalf and not (actor.is_merchant and actor.can_work):
        raise PermissionDenied(_("Only the merchant's staff can open a dispute."))
    if not on_behalf and actor.organization.pk != order.merchant_id:
        raise ValidationFailed(field_errors={"order": [_("Unknown order.")]})
    lines = _check_lines(order, lines)
    supplier = lines[0].supplier
    _check_reason(kind, reason)
    _check_before_shipment_reason(order, lines, kind, reason)
    if requested_amount is not None:
        policies.check_amount(requested_amount, lines, field="requested_amount")
    elif kind == DisputeKind.REFUND:
        requested_amount = policies.lines_total(lines)

    needs_evidence = policies.evidence_required(merchant_id=order.merchant_id, reason=reason)
    status = DisputeStatus.AWAITING_EVIDENCE if needs_evidence else DisputeStatus.AWAITING_SUPPLIER
    with transaction.atomic():
        # The counter row is the merchant's lock for opening: numbers never collide, and
        # two agents opening on the same line one after the other see each other's dispute.
        number = _next_number(order.merchant_id)
        _check_lines_not_disputed(lines)
        dispute = Dispute(
            # The opener's organization is the order's merchant (checked above): no read.
            merchant=(
                actor.organization
                if getattr(actor.organization, "pk", None) == order.merchant_id
                else order.merchant
            ),
            number=number,
            order=order,
            supplier=supplier,
            kind=kind,
            reason=reason,
            status=status,
            description=description.strip(),
            requested_amount=requested_amount,
            currency=order.currency,
            evidence_required=needs_evidence,
            opened_by=actor.user,
            opened_at=timezone.now(),
        )
        change = Change(dispute, actor=actor, action=None)
        change.save()
        try:
            with transaction.atomic():
                DisputeLine.objects.bulk_create(
                    DisputeLine(
                        merchant_id=order.merchant_id,
                        dispute=dispute,
                        order_line=line,
                        supplier=supplier,
                    )
                    for line in lines
                )
        except IntegrityError as error:
            raise Conflict(_("One of these lines already has an open dispute.")) from error
        change.record(EventType.STATUS, code="opened", to=status, kind=kind, reason=reason)
        if needs_evidence and not evidence_follows:
            change.record(EventType.SYSTEM, code="evidence_needed", actor=Actor.system())
        if reason == Reason.NOT_RECEIVED:
            _note_parcels_still_moving(change, order)
        change.save()
    return dispute


def dispute_evidence_notice_post(*, dispute: Dispute) -> None:
    """The notice asking for a photo or video, for a dispute opened with files attached at
    once: posted only if none of them was the evidence its reason needs."""
    with transaction.atomic():
        dispute = locked(dispute)
        if dispute.status != DisputeStatus.AWAITING_EVIDENCE:
            return
        change = Change(dispute, actor=Actor.system(), action=NOTICE)
        change.record(EventType.SYSTEM, code="evidence_needed")
        change.save()


def _note_parcels_still_moving(change: Change, order: Order) -> None:
    """An order shipped in several parcels, one still on its way: the rest may yet arrive.

    The customer may be missing only what that parcel carries, so the notice tells the
    merchant to check with the customer before pressing the supplier.
    """
    parcels = parcel_list_for_order(order=order)
    moving = [parcel for parcel in parcels if parcel.status in MOVING_STATUSES]
    if len(parcels) > 1 and moving:
        change.record(
            EventType.SYSTEM,
            code="parcels_still_in_transit",
            actor=Actor.system(),
            tracking_numbers=[parcel.tracking_number for parcel in moving],
            parcels=len(parcels),
        )


def _check_lines(order: Order, lines: list[OrderLine]) -> list[OrderLine]:
    unique = list({line.pk: line for line in lines}.values())
    if not unique:
        raise ValidationFailed(field_errors={"lines": [_("Pick at least one line of the order.")]})
    if any(line.order_id != order.pk for line in unique):
        raise ValidationFailed(
            field_errors={"lines": [_("Every line must belong to the disputed order.")]}
        )
    if len({line.supplier_id for line in unique}) > 1:
        raise ValidationFailed(
            field_errors={
                "lines": [
                    _(
                        "These lines are fulfilled by different suppliers; open one dispute "
                        "per supplier."
                    )
                ]
            }
        )
    supplier = unique[0].supplier
    if not supplier.verified:
        raise ValidationFailed(
            _(
                "%(supplier)s is not a verified supplier, so disputes with it are not handled "
                "in Redress: open the dispute on %(supplier)s's own platform."
            )
            % {"supplier": supplier.name},
            field_errors={
                "lines": [
                    _("%(supplier)s is not verified: dispute on its own platform.")
                    % {"supplier": supplier.name}
                ]
            },
        )
    return unique


def _check_reason(kind: str, reason: str) -> None:
    if kind not in REASONS_BY_KIND:
        raise ValidationFailed(field_errors={"kind": [_('Choose "problem" or "refund".')]})
    if reason not in REASONS_BY_KIND[kind]:
        raise ValidationFailed(
            field_errors={
                "reason": [
                    _("%(reason)s is not a reason for a %(kind)s. Choose one of: %(choices)s.")
                    % {
                        "reason": reason,
                        "kind": DisputeKind(kind).label,
                        "choices": ", ".join(REASONS_BY_KIND[kind]),
                    }
                ]
            }
        )


def _check_before_shipment_reason(order: Order, lines: list[OrderLine], kind: str, reason: str):
    """Reasons that only make sense before the parcel leaves are refused once it has left.

    A cancelled order or a wrong address can still be acted on after shipping when the
    parcel travels inside one country (the carrier can intercept and redirect it); an
    international parcel cannot be stopped, so those reasons too end at shipping.
    """
    if reason not in PRE_SHIPMENT_REASONS or not any(line.shipped_at for line in lines):
        return
    domestic = parcel_is_domestic(order, lines[0].supplier)
    if reason in INTERCEPTABLE_REASONS and domestic:
        return
    fitting = [
        choice
        for choice in REASONS_BY_KIND[kind]
        if choice not in PRE_SHIPMENT_REASONS or (domestic and choice in INTERCEPTABLE_REASONS)
    ]
    choices = ", ".join(fitting)
    if reason in INTERCEPTABLE_REASONS:
        message = _(
            "This order travels from %(origin)s to %(destination)s: an international parcel "
            "cannot be intercepted once it has shipped, so %(reason)s no longer applies. "
            "Reasons that fit a shipped line: %(choices)s."
        ) % {
            "origin": lines[0].supplier.country or _("another country"),
            "destination": order.ship_country,
            "reason": reason,
            "choices": choices,
        }
    else:
        message = _(
            "%(reason)s applies only before shipment, and this line has shipped. "
            "Reasons that fit a shipped line: %(choices)s."
        ) % {"reason": reason, "choices": choices}
    raise ValidationFailed(message, field_errors={"reason": [message]})


def parcel_is_domestic(order: Order, supplier) -> bool:
    """Whether the parcel stays in one country: from the supplier to the customer.

    The supplier ships (dropshipping), so the route is the supplier's country to the
    shipping address, whatever the merchant's own country; a supplier without a country
    falls back to the order's own flag (merchant's country against the destination).
    """
    if supplier.country:
        return supplier.country.upper() == order.ship_country.upper()
    return not order.is_international


def _next_number(merchant_id) -> int:
    """The merchant's next dispute number, in one statement: the counter row is created at
    the merchant's first dispute, and the UPDATE's row lock is held to the end of the
    transaction (the merchant's lock for opening)."""
    table = DisputeCounter._meta.db_table
    with owner_scope(merchant_id), connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (merchant_id, last_number) VALUES (%s, 1)
            ON CONFLICT (merchant_id) DO UPDATE SET last_number = {table}.last_number + 1
            RETURNING last_number
            """,  # noqa: S608 — the table name is the model's, the value a parameter
            [DisputeCounter._meta.get_field("merchant").get_db_prep_value(merchant_id, connection)],
        )
        return cursor.fetchone()[0]


def _check_lines_not_disputed(lines: list[OrderLine]) -> None:
    taken = dispute_line_list_open(order_lines=[line.pk for line in lines]).first()
    if taken is not None:
        raise Conflict(
            _("This order line already has an open dispute: #%(number)s.")
            % {"number": taken.dispute.number},
            field_errors={"dispute": {"id": str(taken.dispute.pk), "number": taken.dispute.number}},
        )


def dispute_open_for_overdue_shipping(*, order: Order, lines: list[OrderLine]) -> Dispute | None:
    """The ship-overdue rule opens a "shipping delayed" refund request, once per line.

    Lines already under an open dispute are left alone, so a second overdue deadline on
    the same lines opens nothing; an unverified supplier is disputed on its own platform.
    """
    taken = set(
        dispute_line_list_open(order_lines=[line.pk for line in lines]).values_list(
            "order_line_id", flat=True
        )
    )
    free = [line for line in lines if line.pk not in taken]
    if not free or not free[0].supplier.verified:
        return None
    return dispute_open(
        actor=Actor.system(),
        order=order,
        lines=free,
        kind=DisputeKind.REFUND,
        reason=Reason.SHIPPING_DELAYED,
    )
