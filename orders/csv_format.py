"""The order CSV format (API.md, "CSV import columns"), shared by the import and the export."""

from collections.abc import Iterable, Iterator

# One row per order line; rows with the same external_id form one order.
COLUMNS = (
    "external_id",
    "placed_at",
    "currency",
    "customer_name",
    "customer_email",
    "ship_line1",
    "ship_line2",
    "ship_city",
    "ship_region",
    "ship_postal_code",
    "ship_country",
    "sku",
    "title",
    "variant",
    "quantity",
    "unit_price",
    "supplier",
)
# Columns whose values every order needs; the others may be left out of the header.
REQUIRED_COLUMNS = frozenset(
    {
        "external_id",
        "placed_at",
        "currency",
        "customer_name",
        "ship_line1",
        "ship_city",
        "ship_country",
        "sku",
        "title",
        "quantity",
        "unit_price",
        "supplier",
    }
)

# Spreadsheets run a cell that starts with one of these as a formula (OWASP "CSV injection").
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def normalise_header(names: Iterable[str]) -> list[str]:
    return [name.strip().lstrip("\ufeff").strip().lower() for name in names]


def safe_cell(value) -> str:
    """A cell a spreadsheet shows as text: formula-like values get a leading quote."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_TRIGGERS):
        return "'" + text
    return text


def rows_to_body(rows: list[dict[str, str]]) -> dict:
    """The order body (as the JSON API takes it) for the CSV rows of one order.

    The order's own columns are read from its first row; each row adds one line.
    """
    first = rows[0]
    return {
        "external_id": first.get("external_id", ""),
        "placed_at": first.get("placed_at", ""),
        "currency": first.get("currency", ""),
        "customer": {"name": first.get("customer_name", ""), "email": first.get("customer_email")},
        "shipping_address": {
            "line1": first.get("ship_line1", ""),
            "line2": first.get("ship_line2", ""),
            "city": first.get("ship_city", ""),
            "region": first.get("ship_region", ""),
            "postal_code": first.get("ship_postal_code", ""),
            "country": first.get("ship_country", ""),
        },
        "lines": [
            {
                "sku": row.get("sku", ""),
                "title": row.get("title", ""),
                "variant": row.get("variant", ""),
                "quantity": row.get("quantity", ""),
                "unit_price": row.get("unit_price", ""),
                "supplier": row.get("supplier", ""),
            }
            for row in rows
        ],
    }


def body_errors_to_columns(field_errors: dict, line_count: int) -> list[tuple[int, dict]]:
    """Map an order body's field errors back to (row position in the order, {column: errors})."""
    by_row: dict[int, dict[str, list]] = {}

    def add(position: int, column: str, messages) -> None:
        if isinstance(messages, str):
            messages = [messages]
        by_row.setdefault(position, {}).setdefault(column, []).extend(
            str(message) for message in messages
        )

    for key, value in field_errors.items():
        if key == "lines" and isinstance(value, list) and all(isinstance(v, dict) for v in value):
            for position, line_errors in enumerate(value[:line_count]):
                for column, messages in line_errors.items():
                    add(position, column, messages)
        elif key in ("customer", "shipping_address") and isinstance(value, dict):
            prefix = "customer_" if key == "customer" else "ship_"
            for sub, messages in value.items():
                add(0, prefix + sub, messages)
        else:
            add(0, key, value)
    return sorted(by_row.items())


def export_rows(lines: Iterable) -> Iterator[list[str]]:
    """The CSV rows (header first) for order lines with their orders and suppliers loaded."""
    yield [*COLUMNS, "status"]
    for line in lines:
        order = line.order
        values = [
            order.external_id,
            order.placed_at.isoformat(),
            order.currency,
            order.customer_name,
            order.customer_email,
            order.ship_line1,
            order.ship_line2,
            order.ship_city,
            order.ship_region,
            order.ship_postal_code,
            order.ship_country,
            line.sku,
            line.title,
            line.variant,
            line.quantity,
            line.unit_price,
            line.supplier.slug,
            order.status,
        ]
        yield [safe_cell(value) for value in values]
