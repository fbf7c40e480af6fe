"""Turns an order as clients send it (JSON body, bulk item, CSV rows) into checked values.

One parser for every entry point, so the API, the bulk upsert and the CSV import accept and
refuse exactly the same orders with the same messages. Errors come back in the shape of the
input (`{"customer": {"email": [...]}, "lines": [{}, {"quantity": [...]}]}`), as DRF clients
expect. Rules that need the database (is the supplier linked?) are checked by the services.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import pycountry
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core.errors import ValidationFailed

COUNTRY_CODES = frozenset(country.alpha_2 for country in pycountry.countries)
# ISO 4217 codes that are not money a shop takes: precious metals, IMF units, test codes.
_NOT_SHOP_CURRENCIES = frozenset(
    {"XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XDR", "XPD", "XPT", "XSU", "XTS", "XUA", "XXX"}
)
CURRENCY_CODES = frozenset(c.alpha_3 for c in pycountry.currencies) - _NOT_SHOP_CURRENCIES

MAX_LINES_PER_ORDER = 500
MAX_QUANTITY = 1_000_000
# OrderLine.unit_price is DECIMAL(12, 2) and Order.total DECIMAL(14, 2).
MAX_UNIT_PRICE = Decimal("9999999999.99")
MAX_TOTAL = Decimal("999999999999.99")
# Clocks of shops and of Redress differ, and time zones are easy to get wrong by a day.
FUTURE_TOLERANCE = timedelta(days=1)
# No shop order predates online shops; an earlier time is a mistake (a zero date, a default),
# and times near year 1 cannot even be converted to every time zone.
EARLIEST_TIME = datetime(2000, 1, 1, tzinfo=UTC)

TEXT_LIMITS = {
    "external_id": 100,
    "customer.name": 200,
    "shipping_address.line1": 200,
    "shipping_address.line2": 200,
    "shipping_address.city": 100,
    "shipping_address.region": 100,
    "shipping_address.postal_code": 20,
    "lines.sku": 100,
    "lines.title": 300,
    "lines.variant": 200,
    "lines.supplier": 64,
}


@dataclass
class LineData:
    sku: str
    title: str
    variant: str
    quantity: int
    unit_price: Decimal
    supplier_slug: str

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass
class OrderData:
    external_id: str
    placed_at: datetime
    currency: str
    customer_name: str
    customer_email: str
    ship_line1: str
    ship_line2: str
    ship_city: str
    ship_region: str
    ship_postal_code: str
    ship_country: str
    lines: list[LineData] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))


class _Errors:
    """Collects field errors in the nested shape of the input."""

    def __init__(self) -> None:
        self.tree: dict[str, Any] = {}
        self.count = 0

    def add(self, path: tuple, message: str) -> None:
        self.count += 1
        node = self.tree
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node.setdefault(path[-1], []).append(str(message))

    def __bool__(self) -> bool:
        return bool(self.tree)


# Unicode's control characters (category Cc) are exactly these two ranges.
_CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f]")


def _has_control_characters(value: str) -> bool:
    # NUL cannot be stored by PostgreSQL; other control characters only hide mistakes.
    return _CONTROL_CHARACTERS.search(value) is not None


def _text(errors: _Errors, path: tuple, value, limit_key: str, *, required: bool) -> str:
    if value is None:
        value = ""
    if isinstance(value, int) and not isinstance(value, bool) and path[-1] == "external_id":
        value = str(value)  # shops often number their orders
    if not isinstance(value, str):
        errors.add(path, _("Must be a string."))
        return ""
    value = value.strip()
    if required and not value:
        errors.add(path, _("This field is required."))
        return ""
    limit = TEXT_LIMITS[limit_key]
    if len(value) > limit:
        errors.add(path, _("At most %(limit)d characters.") % {"limit": limit})
        return ""
    if _has_control_characters(value):
        errors.add(path, _("Contains control characters."))
        return ""
    return value


def parse_aware_datetime(value, *, now: datetime | None = None) -> datetime:
    """An ISO 8601 time with a UTC offset, from 2000 on and not more than a day ahead.

    Raises ValueError.
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value.strip():
        try:
            moment = parse_datetime(value.strip())
        except ValueError:
            moment = None
        if moment is None:
            raise ValueError(_("Enter an ISO 8601 date and time, e.g. 2025-05-01T14:30:00+02:00."))
    else:
        raise ValueError(_("Enter an ISO 8601 date and time, e.g. 2025-05-01T14:30:00+02:00."))
    if timezone.is_naive(moment):
        raise ValueError(_("Add the UTC offset to the time, e.g. +00:00 or Z."))
    if moment < EARLIEST_TIME:
        raise ValueError(_("Enter a time from the year 2000 on."))
    now = now or timezone.now()
    if moment > now + FUTURE_TOLERANCE:
        raise ValueError(_("This time is in the future."))
    return moment


def _placed_at(errors: _Errors, value, now) -> datetime | None:
    try:
        return parse_aware_datetime(value, now=now)
    except ValueError as error:
        errors.add(("placed_at",), str(error))
        return None


def _currency(errors: _Errors, value) -> str:
    if not isinstance(value, str) or not value.strip():
        errors.add(("currency",), _("This field is required."))
        return ""
    code = value.strip().upper()
    if code not in CURRENCY_CODES:
        message = _("“%(code)s” is not an ISO 4217 currency code.") % {"code": value}
        errors.add(("currency",), message)
        return ""
    return code


def _country(errors: _Errors, value) -> str:
    path = ("shipping_address", "country")
    if not isinstance(value, str) or not value.strip():
        errors.add(path, _("This field is required."))
        return ""
    code = value.strip().upper()
    if code not in COUNTRY_CODES:
        errors.add(path, _("“%(code)s” is not an ISO 3166 alpha-2 country code.") % {"code": value})
        return ""
    return code


def _email(errors: _Errors, value) -> str:
    path = ("customer", "email")
    if value is None or value == "":
        return ""
    if not isinstance(value, str):
        errors.add(path, _("Must be a string."))
        return ""
    # Stored in lower case so that a search finds the customer whatever the shop's spelling.
    value = value.strip().lower()
    try:
        validate_email(value)
    except DjangoValidationError:
        errors.add(path, _("Enter a valid e-mail address."))
        return ""
    return value


def _quantity(errors: _Errors, path: tuple, value) -> int:
    if isinstance(value, bool):
        value = None
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        errors.add(path, _("Enter a whole number."))
        return 0
    if value < 1:
        errors.add(path, _("The quantity must be at least 1."))
        return 0
    if value > MAX_QUANTITY:
        errors.add(path, _("The quantity must be at most %(max)d.") % {"max": MAX_QUANTITY})
        return 0
    return value


def parse_money(value) -> Decimal:
    """A non-negative amount with at most two decimals. Raises ValueError."""
    if isinstance(value, bool) or value is None:
        raise ValueError(_("Enter an amount, e.g. 12.50."))
    try:
        amount = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except InvalidOperation as error:
        raise ValueError(_("Enter an amount, e.g. 12.50.")) from error
    if not amount.is_finite():
        raise ValueError(_("Enter an amount, e.g. 12.50."))
    if amount < 0:
        raise ValueError(_("The amount cannot be negative."))
    # Before rounding: 1E+400 has more digits than a decimal context can round.
    if amount > MAX_UNIT_PRICE:
        raise ValueError(_("This amount is too large."))
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(_("At most two decimal places."))
    return amount.quantize(Decimal("0.01"))


def _line(errors: _Errors, index: int, value) -> LineData | None:
    path = ("lines", index)
    if not isinstance(value, dict):
        errors.add((*path, "non_field_errors"), _("Each line must be an object."))
        return None
    before = errors.count
    try:
        unit_price = parse_money(value.get("unit_price"))
    except ValueError as error:
        errors.add((*path, "unit_price"), str(error))
        unit_price = Decimal("0")
    line = LineData(
        sku=_text(errors, (*path, "sku"), value.get("sku"), "lines.sku", required=True),
        title=_text(errors, (*path, "title"), value.get("title"), "lines.title", required=True),
        variant=_text(
            errors, (*path, "variant"), value.get("variant"), "lines.variant", required=False
        ),
        quantity=_quantity(errors, (*path, "quantity"), value.get("quantity")),
        unit_price=unit_price,
        supplier_slug=_text(
            errors, (*path, "supplier"), value.get("supplier"), "lines.supplier", required=True
        ),
    )
    return line if errors.count == before else None


def parse_order(data, *, now: datetime | None = None) -> OrderData:
    """Check one order body; raise ValidationFailed with every field error at once."""
    errors = _Errors()
    if not isinstance(data, dict):
        message = _("An order must be an object.")
        raise ValidationFailed(field_errors={"non_field_errors": [message]})
    customer = data.get("customer")
    if not isinstance(customer, dict):
        errors.add(("customer",), _("This field is required and must be an object."))
    address = data.get("shipping_address")
    if not isinstance(address, dict):
        errors.add(("shipping_address",), _("This field is required and must be an object."))
    # A missing object is one error, not one per field inside it.
    customer_errors = errors if isinstance(customer, dict) else _Errors()
    address_errors = errors if isinstance(address, dict) else _Errors()
    customer = customer if isinstance(customer, dict) else {}
    address = address if isinstance(address, dict) else {}

    def address_text(key: str, *, required: bool) -> str:
        return _text(
            address_errors,
            ("shipping_address", key),
            address.get(key),
            f"shipping_address.{key}",
            required=required,
        )

    order = OrderData(
        external_id=_text(
            errors, ("external_id",), data.get("external_id"), "external_id", required=True
        ),
        placed_at=_placed_at(errors, data.get("placed_at"), now),
        currency=_currency(errors, data.get("currency")),
        customer_name=_text(
            customer_errors,
            ("customer", "name"),
            customer.get("name"),
            "customer.name",
            required=True,
        ),
        customer_email=_email(customer_errors, customer.get("email")),
        ship_line1=address_text("line1", required=True),
        ship_line2=address_text("line2", required=False),
        ship_city=address_text("city", required=True),
        ship_region=address_text("region", required=False),
        ship_postal_code=address_text("postal_code", required=False),
        ship_country=_country(address_errors, address.get("country")),
    )
    lines = data.get("lines")
    if not isinstance(lines, list) or not lines:
        errors.add(("lines",), _("An order needs at least one line."))
    elif len(lines) > MAX_LINES_PER_ORDER:
        errors.add(("lines",), _("At most %(max)d lines per order.") % {"max": MAX_LINES_PER_ORDER})
    else:
        order.lines = [_line(errors, index, line) for index, line in enumerate(lines)]
        if any(line is None for line in order.lines):
            _align_line_errors(errors, len(lines))
        elif order.total > MAX_TOTAL:
            errors.add(("lines",), _("The order total is too large."))
    if errors:
        raise ValidationFailed(field_errors=errors.tree)
    return order


def _align_line_errors(errors: _Errors, count: int) -> None:
    """DRF's shape for list errors: one entry per line, {} for the lines that are fine."""
    by_index = errors.tree.get("lines", {})
    errors.tree["lines"] = [by_index.get(index, {}) for index in range(count)]


def parse_shipping_address(data) -> dict:
    """Check a shipping address alone (a corrected one): {order field: value}, or raise."""
    if not isinstance(data, dict):
        message = _("This field is required and must be an object.")
        raise ValidationFailed(field_errors={"shipping_address": [message]})
    errors = _Errors()

    def text(key: str, *, required: bool) -> str:
        path = ("shipping_address", key)
        return _text(errors, path, data.get(key), f"shipping_address.{key}", required=required)

    address = {
        "ship_line1": text("line1", required=True),
        "ship_line2": text("line2", required=False),
        "ship_city": text("city", required=True),
        "ship_region": text("region", required=False),
        "ship_postal_code": text("postal_code", required=False),
        "ship_country": _country(errors, data.get("country")),
    }
    if errors:
        raise ValidationFailed(field_errors=errors.tree)
    return address
