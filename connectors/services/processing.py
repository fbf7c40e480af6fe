"""A stored delivery becomes orders, cancellations and parcels, through the orders services.

Processing is idempotent: the event row is locked while it is processed and carries its
result, so a duplicated or retried task finds the result and stops; processing the same
shop order again (a retry, a new mapping) is an upsert by the shop's order name. A delivery
that cannot be applied is recorded as failed with the reason, and can be processed again.
Errors of the database connection are not recorded: they propagate, and the task retries.
"""

import json
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.actors import Actor
from connectors import shops
from connectors.models import (
    Connector,
    ConnectorEvent,
    EventResult,
    MatchKind,
    Platform,
    SupplierMapping,
)
from core.errors import DomainError
from core.tenancy import organization_scope
from orders import services as order_services
from orders.models import Order, OrderStatus

logger = logging.getLogger(__name__)

DETAIL_MAX_LENGTH = 2000


@dataclass
class Outcome:
    result: str
    detail: str = ""
    order: Order | None = None
    shop_order_id: str = ""
    waiting_for_mapping: bool = False


class SupplierResolver:
    """Which supplier fulfils a shop's line: SKU exactly, then the longest SKU prefix, then
    the product's vendor (any case), else the connector's default supplier, else None."""

    def __init__(self, mappings: list[SupplierMapping], default=None):
        self.by_sku = {}
        self.prefixes = []
        self.by_vendor = {}
        for mapping in mappings:
            if mapping.match == MatchKind.SKU:
                self.by_sku[mapping.value] = mapping.supplier
            elif mapping.match == MatchKind.SKU_PREFIX:
                self.prefixes.append((mapping.value, mapping.supplier))
            else:
                self.by_vendor[mapping.value.casefold()] = mapping.supplier
        self.prefixes.sort(key=lambda pair: len(pair[0]), reverse=True)
        self.default = default

    @classmethod
    def for_connector(cls, connector: Connector | None) -> "SupplierResolver":
        if connector is None:
            return cls([])
        mappings = list(
            SupplierMapping.objects.filter(connector=connector).select_related("supplier")
        )
        return cls(mappings, connector.default_supplier)

    def supplier_for(self, sku: str, vendor: str = ""):
        if sku in self.by_sku:
            return self.by_sku[sku]
        for prefix, supplier in self.prefixes:
            if sku.startswith(prefix):
                return supplier
        if vendor and vendor.casefold() in self.by_vendor:
            return self.by_vendor[vendor.casefold()]
        return self.default


def split_by_supplier(shop_order: shops.ShopOrder, resolver: SupplierResolver):
    """(order body with the lines a supplier is known for, the other lines as dicts)."""
    assigned, suppliers, unassigned = [], [], []
    for line in shop_order.lines:
        supplier = resolver.supplier_for(line.sku, line.vendor)
        if supplier is None:
            unassigned.append(
                {
                    "sku": line.sku,
                    "title": line.title,
                    "variant": line.variant,
                    "quantity": line.quantity,
                    "vendor": line.vendor,
                }
            )
        else:
            assigned.append(line)
            suppliers.append(supplier.slug)
    kept = shops.ShopOrder(**{**shop_order.__dict__, "lines": assigned})
    return kept.body(suppliers), unassigned


def connector_event_process(*, event_id, force: bool = False) -> ConnectorEvent | None:
    """Process one delivery (again, with `force`); None if it is gone."""
    event = (
        ConnectorEvent.cross_tenant_objects.select_related("connector", "merchant")
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return None
    with organization_scope(event.merchant), transaction.atomic():
        event = (
            ConnectorEvent.objects.select_for_update(of=("self",))
            .select_related("connector__default_supplier", "merchant")
            .get(pk=event_id)
        )
        if event.result and not force:
            return event  # a duplicated task: already done
        try:
            with transaction.atomic():
                outcome = _apply(event)
        except (OperationalError, InterfaceError):
            raise
        except DomainError as error:
            outcome = Outcome(EventResult.FAILED, _describe(error))
        except Exception as error:
            logger.exception("Connector event %s could not be processed", event.pk)
            outcome = Outcome(
                EventResult.FAILED,
                _("Unexpected error: %(error)s") % {"error": f"{type(error).__name__}: {error}"},
            )
        _record(event, outcome)
    return event


def connector_event_fail(*, event_id, message: str) -> None:
    """A delivery that kept failing on transient errors: recorded as failed, to retry later."""
    ConnectorEvent.cross_tenant_objects.filter(pk=event_id, result="").update(
        result=EventResult.FAILED, detail=message[:DETAIL_MAX_LENGTH], processed_at=timezone.now()
    )


def connector_events_waiting(*, connector_id) -> list[str]:
    """The deliveries waiting for a supplier mapping: the latest of each shop order only, so
    that an older version of an order, processed in parallel, never overwrites a newer one."""
    latest: dict[str, str] = {}
    waiting = (
        ConnectorEvent.cross_tenant_objects.filter(
            connector_id=connector_id, waiting_for_mapping=True
        )
        .order_by("received_at", "id")
        .values_list("pk", "shop_order_id")
    )
    for pk, shop_order_id in waiting:
        latest[shop_order_id or str(pk)] = str(pk)
    return list(latest.values())


def _record(event: ConnectorEvent, outcome: Outcome) -> None:
    event.result = outcome.result
    event.detail = outcome.detail[:DETAIL_MAX_LENGTH]
    if outcome.order is not None:
        event.order = outcome.order
    if outcome.shop_order_id:
        event.shop_order_id = outcome.shop_order_id[:64]
    event.waiting_for_mapping = outcome.waiting_for_mapping
    event.attempts += 1
    event.processed_at = timezone.now()
    event.save(
        update_fields=[
            "result",
            "detail",
            "order",
            "shop_order_id",
            "waiting_for_mapping",
            "attempts",
            "processed_at",
        ]
    )


def _describe(error: DomainError) -> str:
    message = str(error.message)
    if error.field_errors:
        return f"{message} {json.dumps(error.field_errors, ensure_ascii=False)}"
    return message


def _apply(event: ConnectorEvent) -> Outcome:
    try:
        payload = json.loads(event.body)
    except ValueError:
        return Outcome(EventResult.FAILED, _("The body is not JSON."))
    if not isinstance(payload, dict):
        return Outcome(EventResult.FAILED, _("The body is not a JSON object."))
    connector = event.connector
    topic = event.topic
    if connector.platform == Platform.SHOPIFY:
        if shops.is_shopify_test_notification(topic, payload):
            return Outcome(
                EventResult.IGNORED, _("Shopify's test notification: the connection works.")
            )
        if topic in shops.SHOPIFY_ORDER_TOPICS:
            shop_order = shops.shopify_order(payload)
            if topic == "orders/cancelled":
                shop_order.cancelled = True
            return _import_order(connector, shop_order)
        if topic in shops.SHOPIFY_FULFILMENT_TOPICS:
            return _record_parcels(connector, [shops.shopify_parcel(payload)])
    elif topic in shops.WOOCOMMERCE_ORDER_TOPICS:
        if payload.get("status") in shops.WOOCOMMERCE_NOT_PLACED:
            return Outcome(EventResult.IGNORED, _("The order is not placed yet."))
        shop_order = shops.woocommerce_order(payload)
        outcome = _import_order(connector, shop_order)
        if shop_order.parcels and outcome.order is not None:
            try:
                parcels = _record_parcels(connector, shop_order.parcels, order=outcome.order)
            except DomainError as error:
                # The order stays imported; the parcel's problem is told in the event log.
                parcels = Outcome(EventResult.FAILED, _describe(error))
            return _combine(outcome, parcels)
        return outcome
    return Outcome(
        EventResult.IGNORED, _("Redress does not act on “%(topic)s”.") % {"topic": topic}
    )


def _combine(order_outcome: Outcome, parcel_outcome: Outcome) -> Outcome:
    if parcel_outcome.result == EventResult.IMPORTED:
        order_outcome.result = EventResult.IMPORTED
    details = [order_outcome.detail, parcel_outcome.detail]
    order_outcome.detail = " ".join(detail for detail in details if detail)
    return order_outcome


def _snapshot(merchant, external_id: str):
    """What an upsert may change, to tell an import from a repeat of what Redress has."""
    order = (
        Order.objects.filter(merchant=merchant, external_id=external_id)
        .prefetch_related("lines")
        .first()
    )
    if order is None:
        return None
    lines = sorted(
        (line.supplier_id, line.sku, line.variant, line.title, line.quantity, line.unit_price)
        for line in order.lines.all()
    )
    return (
        order.placed_at,
        order.currency,
        order.customer_name,
        order.customer_email,
        order.ship_line1,
        order.ship_line2,
        order.ship_city,
        order.ship_region,
        order.ship_postal_code,
        order.ship_country,
        order.status,
        order.unassigned_lines,
        tuple(lines),
    )


def _unassigned_text(unassigned: list[dict]) -> str:
    skus = ", ".join(line["sku"] or line["title"] for line in unassigned)
    return _(
        "No supplier for the lines %(skus)s: add a supplier mapping (or a default supplier); "
        "the order is completed then."
    ) % {"skus": skus}


def _import_order(connector: Connector, shop_order: shops.ShopOrder) -> Outcome:
    merchant = connector.merchant
    body, unassigned = split_by_supplier(shop_order, SupplierResolver.for_connector(connector))
    outcome = Outcome(
        EventResult.IMPORTED,
        shop_order_id=shop_order.shop_order_id,
        waiting_for_mapping=bool(unassigned),
    )
    existing = Order.objects.filter(merchant=merchant, external_id=shop_order.external_id).first()
    if not body["lines"]:
        if shop_order.cancelled and existing is None:
            outcome.result = EventResult.IGNORED
            outcome.detail = _("Cancelled before Redress had the order.")
            outcome.waiting_for_mapping = False
            return outcome
        if existing is None:
            outcome.result = EventResult.FAILED
            outcome.detail = _unassigned_text(unassigned)
            return outcome
        # Every line lost its supplier: the order keeps the lines it has.
        body = None

    before = _snapshot(merchant, shop_order.external_id)
    if body is not None:
        result = order_services.order_upsert_many(merchant=merchant, bodies={0: body})
        if result.errors:
            outcome.result = EventResult.FAILED
            outcome.detail = _("The shop's order was refused: %(errors)s") % {
                "errors": json.dumps(result.errors[0]["errors"], ensure_ascii=False)
            }
            outcome.waiting_for_mapping = False
            return outcome
    order_services.order_unassigned_lines_set(
        merchant=merchant, external_id=shop_order.external_id, lines=unassigned
    )
    order = Order.objects.get(merchant=merchant, external_id=shop_order.external_id)
    outcome.order = order
    details = []
    if unassigned:
        details.append(_unassigned_text(unassigned))
    if shop_order.cancelled and order.status != OrderStatus.CANCELLED:
        order_services.order_cancel(actor=Actor.system(), order=order)
        details.append(_("Cancelled by the shop."))
    elif _snapshot(merchant, shop_order.external_id) == before:
        outcome.result = EventResult.DUPLICATE
        details.append(_("Redress already had this version of the order."))
    outcome.detail = " ".join(details)
    return outcome


def _find_order(connector: Connector, parcel: shops.ShopParcel) -> Order | None:
    order_id = None
    if parcel.shop_order_id:
        order_id = (
            ConnectorEvent.objects.filter(
                connector=connector, shop_order_id=parcel.shop_order_id, order__isnull=False
            )
            .order_by("-received_at")
            .values_list("order_id", flat=True)
            .first()
        )
    if order_id is not None:
        return Order.objects.filter(pk=order_id).first()
    # A Shopify fulfilment is named after its order ("#1001.1"): found even when the order
    # came from an export file rather than a webhook.
    name = parcel.name.rsplit(".", 1)[0] if "." in parcel.name else ""
    if name:
        return Order.objects.filter(merchant=connector.merchant, external_id=name).first()
    return None


def _parcel_lines(order: Order, parcel: shops.ShopParcel):
    """The order's lines a parcel carries, grouped by supplier (a parcel is one supplier's)."""
    lines = list(order.lines.all().order_by("id"))
    if parcel.lines:
        wanted: list = []
        for sku, variant in parcel.lines:
            # Each of the fulfilment's lines takes the first order line it fits not yet taken
            # (an order may hold the same product twice).
            match = next(
                (
                    line
                    for line in lines
                    if line not in wanted
                    and line.sku == sku
                    and (not variant or line.variant == variant)
                ),
                None,
            )
            if match is not None:
                wanted.append(match)
        lines = wanted
    groups: dict = {}
    for line in lines:
        groups.setdefault(line.supplier_id, []).append(line)
    return list(groups.values())


def _record_parcels(
    connector: Connector, parcels: list[shops.ShopParcel], order: Order | None = None
) -> Outcome:
    outcome = Outcome(EventResult.DUPLICATE)
    details = []
    for parcel in parcels:
        outcome.shop_order_id = parcel.shop_order_id
        target = order or _find_order(connector, parcel)
        if target is None:
            return Outcome(
                EventResult.FAILED,
                _("Redress does not have this parcel's order yet; process it again later."),
                shop_order_id=parcel.shop_order_id,
            )
        outcome.order = target
        if not parcel.tracking_numbers:
            outcome.result = EventResult.IGNORED
            details.append(_("The fulfilment has no tracking number."))
            continue
        groups = _parcel_lines(target, parcel)
        if not groups:
            return Outcome(
                EventResult.FAILED,
                _("None of the fulfilment's lines is a line of the order in Redress."),
                order=target,
                shop_order_id=parcel.shop_order_id,
            )
        if len(groups) > 1:
            skipped = ", ".join(line.sku for group in groups[1:] for line in group)
            details.append(
                _(
                    "A parcel carries the lines of one supplier: recorded for %(sku)s; "
                    "not for %(skipped)s."
                )
                % {"sku": groups[0][0].sku, "skipped": skipped}
            )
        for number in parcel.tracking_numbers:
            try:
                order_services.shipment_create(
                    actor=Actor.system(),
                    order=target,
                    lines=groups[0],
                    tracking_number=number,
                    carrier=shops.carrier_code(parcel.company),
                    shipped_at=parcel.shipped_at or None,
                )
            except DomainError as error:
                if error.field_errors.get("tracking_number") and error.status_code == 409:
                    continue  # the same parcel again (fulfillments/update repeats it)
                raise
            outcome.result = EventResult.IMPORTED
    outcome.detail = " ".join(details)
    return outcome


# Processing takes well under a second; an event older than this with no result was never
# queued (or its task was lost), and the sweep queues it again.
UNPROCESSED_AFTER = timedelta(minutes=2)
SWEEP_BATCH = 500


def connector_events_unprocessed() -> list[str]:
    """Deliveries with no result that should have one by now, oldest first."""
    cutoff = timezone.now() - UNPROCESSED_AFTER
    return [
        str(pk)
        for pk in ConnectorEvent.cross_tenant_objects.filter(result="", received_at__lt=cutoff)
        .order_by("received_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    ]
