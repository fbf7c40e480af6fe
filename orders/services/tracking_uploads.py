"""Tracking numbers in bulk: rows of order number, sku, tracking number and carrier, from a
CSV file (the portal, the API) or JSON (the API), each row answered on its own.

Rows of one order with one tracking number are one parcel. Every parcel goes through
`shipment_lines_record`, in its own transaction: a row that cannot be recorded is answered
with the reason and never stops the others, and uploading the same file again changes
nothing. An order the caller does not see (another supplier's, another merchant's, or none)
is "not found", in the same words.
"""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field

import magic
from django.db.models.functions import Upper
from django.utils.translation import gettext as _

from accounts.actors import Actor
from core.errors import DomainError, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from orders.csv_format import safe_cell
from orders.models import Order, OrderLine
from orders.services.shipments import ParcelOutcome, shipment_lines_record
from orders.tracking import normalise_tracking_number, problem_in_words

# A row is some 60 bytes: a file of the most rows is far below this.
MAX_UPLOAD_BYTES = 1024 * 1024
# Each parcel is written in its own transaction while the caller waits for the answer.
MAX_ROWS = 1000
UTF8_BOM = "\ufeff"
REQUIRED_COLUMNS = ("order_number", "sku", "tracking_number")
OPTIONAL_COLUMNS = ("carrier", "merchant")
# How people head these columns in their own spreadsheets, once lower-cased and with
# spaces and hyphens as underscores.
COLUMN_ALIASES = {
    "order": "order_number",
    "order_no": "order_number",
    "order_id": "order_number",
    "external_id": "order_number",
    "name": "order_number",
    "tracking": "tracking_number",
    "tracking_no": "tracking_number",
    "tracking_code": "tracking_number",
    "courier": "carrier",
    "shop": "merchant",
}


class RowStatus:
    RECORDED = "recorded"  # a new parcel carries the row's line
    ADDED = "added"  # the order's parcel with that number carries it too now
    UNCHANGED = "unchanged"  # already so: nothing changed
    FAILED = "failed"  # refused; `message` says why


OUTCOME_STATUS = {
    ParcelOutcome.CREATED: RowStatus.RECORDED,
    ParcelOutcome.ADDED: RowStatus.ADDED,
    ParcelOutcome.UNCHANGED: RowStatus.UNCHANGED,
}


@dataclass
class TrackingRow:
    row: int  # the file's row number (the header is row 1), or the JSON row's position from 1
    order_number: str = ""
    sku: str = ""
    tracking_number: str = ""
    carrier: str = ""
    merchant: str = ""


@dataclass
class RowResult:
    row: int
    order_number: str
    sku: str
    tracking_number: str
    status: str = RowStatus.FAILED
    message: str = ""
    shipment_id: str | None = None
    carrier: str = ""
    tracking_valid: bool | None = None

    @property
    def ok(self) -> bool:
        return self.status != RowStatus.FAILED


@dataclass
class UploadResult:
    results: list[RowResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for result in self.results if result.status == status)

    @property
    def failed(self) -> int:
        return self.count(RowStatus.FAILED)


def tracking_rows_from_csv(file) -> list[TrackingRow]:
    """The rows of an uploaded CSV; a file that is not one is refused as a whole."""
    size = getattr(file, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise _too_large()
    file.seek(0)
    raw = file.read(MAX_UPLOAD_BYTES + 1)
    if len(raw) > MAX_UPLOAD_BYTES:
        raise _too_large()
    if not raw.strip():
        raise ValidationFailed(field_errors={"file": [_("The file is empty.")]})
    if b"\x00" in raw or not magic.from_buffer(raw[:65536], mime=True).startswith(
        ("text/", "application/csv")
    ):
        raise UnsupportedMediaType(_("Upload a CSV file (UTF-8 text, comma-separated)."))
    try:
        text = raw.decode("utf-8").removeprefix(UTF8_BOM)
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ValidationFailed(
            field_errors={
                "file": [
                    _(
                        "The file is not UTF-8 text (line %(line)d). Save it as “CSV UTF-8” "
                        "and upload it again."
                    )
                    % {"line": line}
                ]
            }
        ) from error
    first_line = text.split("\n", 1)[0]
    # Spreadsheets set to a European locale separate with semicolons.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = _read_rows(reader)
    except csv.Error as error:
        # A cell past the csv module's size limit, or a broken quote: not a tracking file.
        raise ValidationFailed(
            field_errors={
                "file": [_("Row %(row)d cannot be read as CSV.") % {"row": reader.line_num}]
            }
        ) from error
    if not rows:
        raise ValidationFailed(field_errors={"file": [_("The file has no rows under its header.")]})
    return rows


def _read_rows(reader) -> list[TrackingRow]:
    header = [_column_name(name) for name in next(reader, [])]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise ValidationFailed(
            field_errors={
                "file": [
                    _("The header row lacks the columns: %(missing)s.")
                    % {"missing": ", ".join(missing)}
                ]
            }
        )
    known = {
        name: header.index(name) if name in header else -1
        for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
    }
    rows = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) == MAX_ROWS:
            raise _too_many_rows()
        values = {
            name: cells[index].strip() if 0 <= index < len(cells) else ""
            for name, index in known.items()
        }
        rows.append(TrackingRow(row=reader.line_num, **values))
    return rows


def tracking_rows_from_json(rows) -> list[TrackingRow]:
    """The rows of a JSON body's `rows`: a list of objects with the CSV's column names."""
    if not isinstance(rows, list) or not rows:
        raise ValidationFailed(field_errors={"rows": [_("Send a list of at least one row.")]})
    if len(rows) > MAX_ROWS:
        raise _too_many_rows()
    parsed = []
    for position, item in enumerate(rows, start=1):
        values = item if isinstance(item, dict) else {}
        text = {name: values.get(name) for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)}
        parsed.append(
            TrackingRow(
                row=position,
                **{
                    name: value.strip() if isinstance(value, str) else ""
                    for name, value in text.items()
                },
            )
        )
    return parsed


def tracking_upload_apply(*, actor: Actor, rows: list[TrackingRow]) -> UploadResult:
    """Record the parcels the rows describe, as `actor` may; one answer per row, in order."""
    results = {
        row.row: RowResult(
            row=row.row,
            order_number=row.order_number,
            sku=row.sku,
            tracking_number=row.tracking_number,
        )
        for row in rows
    }
    orders = _orders_by_number(row.order_number for row in rows if row.order_number)
    lines = _lines_by_order_and_sku(order for found in orders.values() for order in found)
    parcels: dict[tuple, list[tuple[TrackingRow, list[OrderLine]]]] = defaultdict(list)
    for row in rows:
        try:
            order, row_lines = _resolve(row, orders, lines)
        except DomainError as error:
            results[row.row].message = error_text(error)
            continue
        number = normalise_tracking_number(row.tracking_number)
        parcels[(order.pk, number)].append((row, row_lines))
    order_of = {order.pk: order for found in orders.values() for order in found}
    for (order_id, number), members in parcels.items():
        _record(actor, order_of[order_id], number, members, results)
    return UploadResult(results=[results[row.row] for row in rows])


def tracking_results_csv_rows(result: UploadResult):
    """The per-row answers as CSV rows, safe to open in a spreadsheet."""
    yield ["row", "order_number", "sku", "tracking_number", "carrier", "result", "message"]
    for item in result.results:
        yield [
            safe_cell(value)
            for value in (
                item.row,
                item.order_number,
                item.sku,
                item.tracking_number,
                item.carrier,
                item.status,
                item.message,
            )
        ]


def _record(actor, order, number, members, results) -> None:
    carriers = {row.carrier.strip().lower() for row, _lines in members if row.carrier.strip()}
    group = [results[row.row] for row, _lines in members]
    if len(carriers) > 1:
        for result in group:
            result.message = _("The rows of this parcel name different carriers.")
        return
    lines = list({line.pk: line for _row, found in members for line in found}.values())
    carrier = next((row.carrier for row, _lines in members if row.carrier.strip()), None)
    try:
        parcel, outcome = shipment_lines_record(
            actor=actor, order=order, lines=lines, tracking_number=number, carrier=carrier
        )
    except DomainError as error:
        for result in group:
            result.message = error_text(error)
        return
    for result in group:
        result.status = OUTCOME_STATUS[outcome]
        result.shipment_id = str(parcel.pk)
        result.carrier = parcel.carrier
        result.tracking_valid = parcel.tracking_valid
        if parcel.tracking_valid is False:
            result.message = _("The tracking number looks invalid: %(problem)s.") % {
                "problem": problem_in_words(parcel.tracking_problem)
            }


def _resolve(row: TrackingRow, orders, lines) -> tuple[Order, list[OrderLine]]:
    for name, value in (
        ("order_number", row.order_number),
        ("sku", row.sku),
        ("tracking_number", row.tracking_number),
    ):
        if not value:
            raise ValidationFailed(_("The column %(column)s is empty.") % {"column": name})
    candidates = orders.get(row.order_number.upper(), [])
    if row.merchant:
        wanted = row.merchant.lower()
        candidates = [
            order
            for order in candidates
            if wanted in (order.merchant.slug.lower(), order.merchant.name.lower())
        ]
    exact = [order for order in candidates if order.external_id == row.order_number]
    candidates = exact or candidates
    if not candidates:
        raise ValidationFailed(_("Order %(number)s not found.") % {"number": row.order_number})
    if len(candidates) > 1:
        raise ValidationFailed(
            _(
                "Several of your merchants have an order %(number)s: add a merchant column "
                "with the merchant's name."
            )
            % {"number": row.order_number}
        )
    order = candidates[0]
    found = lines.get((order.pk, row.sku.upper()), [])
    if not found:
        raise ValidationFailed(
            _("Order %(number)s has no line with the SKU %(sku)s.")
            % {"number": row.order_number, "sku": row.sku}
        )
    return order, found


def _orders_by_number(numbers) -> dict[str, list[Order]]:
    """The visible orders with these numbers, by upper-cased number (any merchant's)."""
    wanted = {number.upper() for number in numbers}
    found: dict[str, list[Order]] = defaultdict(list)
    if not wanted:
        return found
    # Upper(external_id) is indexed: the order search compares ids the same way.
    matches = (
        Order.objects.annotate(number_upper=Upper("external_id"))
        .filter(number_upper__in=wanted)
        .select_related("merchant")
        .order_by("id")
    )
    for order in matches:
        found[order.number_upper].append(order)
    return found


def _lines_by_order_and_sku(orders) -> dict[tuple, list[OrderLine]]:
    """The visible lines of these orders (a supplier's scope: only its own) by sku."""
    by_key: dict[tuple, list[OrderLine]] = defaultdict(list)
    for line in OrderLine.objects.filter(order__in=[order.pk for order in orders]).order_by("id"):
        by_key[(line.order_id, line.sku.upper())].append(line)
    return by_key


def _column_name(name: str) -> str:
    key = name.strip().lstrip(UTF8_BOM).strip().lower().replace(" ", "_").replace("-", "_")
    return COLUMN_ALIASES.get(key, key)


def error_text(error: DomainError) -> str:
    messages = [
        str(message)
        for value in error.field_errors.values()
        if isinstance(value, list)
        for message in value
        if isinstance(message, str)
    ]
    return " ".join(messages) if messages else str(error.message)


def _too_large() -> PayloadTooLarge:
    return PayloadTooLarge(
        _("The file is larger than %(size)d KB.") % {"size": MAX_UPLOAD_BYTES // 1024}
    )


def _too_many_rows() -> ValidationFailed:
    return ValidationFailed(
        _("At most %(limit)d rows at a time: split the file.") % {"limit": MAX_ROWS}
    )
