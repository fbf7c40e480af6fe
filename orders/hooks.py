"""Extension points for the apps above `orders` (layering: disputes -> orders, never back).

`orders` must not import `disputes`, yet its list filters ("has a dispute") and its order
detail ("the disputes of this order") depend on disputes. The disputes app fills these slots
from its AppConfig.ready():

    from orders import hooks

    hooks.order_filters.register("has_dispute", lambda queryset, value: ...)
    hooks.dispute_summaries.register(lambda *, orders: {order.pk: [...], ...})

Both callables run inside the caller's tenant scope, so a supplier only gets what is
addressed to it.

The ship-overdue deadline (DESIGN.md) may open a "shipping delayed" refund request, which is
the disputes app's to do; it registers a handler that the deadline calls:

    hooks.ship_overdue_handlers.register(open_shipping_delayed_refund)

    def open_shipping_delayed_refund(*, order, supplier, lines, options):
        if options.get("open_refund_request"): ...

A handler runs inside the deadline's transaction, in the merchant's scope, with the order
row locked; `lines` are that supplier's lines still not shipped, and `options` the
merchant's ship-overdue options as they were when the deadline was scheduled. It must be
idempotent (the same lines may come again if a new deadline fires for them later); an
exception rolls back the whole deadline action, which the sweep retries later.

A parcel's number corrected, the parcel voided or returned to its sender concerns the
disputes on its lines (their timelines record it); the disputes app registers a handler:

    hooks.shipment_change_handlers.register(record_parcel_change)

    def record_parcel_change(*, actor, shipment, change, previous):
        # change: "corrected" | "voided" | "returned"; previous: {"carrier",
        # "tracking_number", "tracking_valid", "status"} before the change
        ...

It runs inside the parcel service's transaction, in the merchant's scope, with the order
row locked; an exception rolls the parcel change back.

The CSV import reads Redress's own columns; the shop connectors teach it a shop's own export
file (Shopify's "Export orders") by registering an `ImportFormat`:

    hooks.import_formats.register(ShopifyExportFormat())
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import QuerySet

OrderFilter = Callable[[QuerySet, Any], QuerySet]
DisputeSummaries = Callable[..., dict[Any, list[dict]]]
ShipOverdueHandler = Callable[..., None]
ShipmentChangeHandler = Callable[..., None]


class OrderFilterRegistry:
    """Named queryset filters that another app contributes to the order list."""

    def __init__(self) -> None:
        self._filters: dict[str, OrderFilter] = {}

    def register(self, name: str, function: OrderFilter) -> None:
        self._filters[name] = function

    def unregister(self, name: str) -> None:
        self._filters.pop(name, None)

    def is_registered(self, name: str) -> bool:
        return name in self._filters

    def apply(self, name: str, queryset: QuerySet, value: Any, *, default: OrderFilter):
        """Apply the registered filter, or `default` while no app has registered one."""
        return self._filters.get(name, default)(queryset, value)


class DisputeSummaryHook:
    """One provider of `{order id: [{"id", "number", "status"}, ...]}` for a batch of orders."""

    def __init__(self) -> None:
        self._provider: DisputeSummaries | None = None

    def register(self, provider: DisputeSummaries) -> None:
        self._provider = provider

    def unregister(self) -> None:
        self._provider = None

    def for_orders(self, orders: Iterable) -> dict[Any, list[dict]]:
        orders = list(orders)
        if self._provider is None or not orders:
            return {}
        return self._provider(orders=orders)


class ShipOverdueHandlers:
    """Callables run when a supplier's lines of an order are still not shipped, overdue."""

    def __init__(self) -> None:
        self._handlers: list[ShipOverdueHandler] = []

    def register(self, handler: ShipOverdueHandler) -> None:
        # ready() may run twice in one process (tests, runserver): register once.
        if handler not in self._handlers:
            self._handlers.append(handler)

    def unregister(self, handler: ShipOverdueHandler) -> None:
        if handler in self._handlers:
            self._handlers.remove(handler)

    def run(self, *, order, supplier, lines: list, options: dict) -> None:
        for handler in list(self._handlers):
            handler(order=order, supplier=supplier, lines=lines, options=options)


class ShipmentChangeHandlers:
    """Callables run when a parcel's number is corrected, or it is voided or returned."""

    def __init__(self) -> None:
        self._handlers: list[ShipmentChangeHandler] = []

    def register(self, handler: ShipmentChangeHandler) -> None:
        if handler not in self._handlers:
            self._handlers.append(handler)

    def unregister(self, handler: ShipmentChangeHandler) -> None:
        if handler in self._handlers:
            self._handlers.remove(handler)

    def run(self, *, actor, shipment, change: str, previous: dict) -> None:
        for handler in list(self._handlers):
            handler(actor=actor, shipment=shipment, change=change, previous=previous)


order_filters = OrderFilterRegistry()
dispute_summaries = DisputeSummaryHook()
ship_overdue_handlers = ShipOverdueHandlers()
shipment_change_handlers = ShipmentChangeHandlers()


class ImportFormat:
    """A CSV layout the order import reads besides Redress's own (orders.csv_format).

    An app above `orders` (the shop connectors) describes a shop's own export file: how to
    recognise its header row, which column groups rows into one order, how a group of rows
    becomes an order body for a merchant, and the file's names for the body's fields (so
    that row errors name the file's columns).
    """

    name = ""
    # The column (normalised: stripped, lower case) whose value groups rows into one order.
    key_column = ""
    # Redress's field names (as orders.csv_format.COLUMNS) → the file's column titles.
    error_columns: dict[str, str] = {}

    def recognises(self, header: list[str]) -> bool:
        raise NotImplementedError

    def header_problem(self, header: list[str]) -> str | None:
        raise NotImplementedError

    def converter(self, merchant) -> Callable[[list[dict]], dict]:
        """rows (dicts by normalised column) of one order → its order body; runs in the
        merchant's scope, once per import run."""
        raise NotImplementedError


class ImportFormatRegistry:
    def __init__(self) -> None:
        self._formats: list[ImportFormat] = []

    def register(self, import_format: ImportFormat) -> None:
        if all(type(known) is not type(import_format) for known in self._formats):
            self._formats.append(import_format)

    def unregister(self, import_format: ImportFormat) -> None:
        self._formats = [known for known in self._formats if known is not import_format]

    def recognise(self, header: list[str]) -> ImportFormat | None:
        return next((known for known in self._formats if known.recognises(header)), None)


import_formats = ImportFormatRegistry()
