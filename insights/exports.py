"""CSV and XLSX files of the figures, safe to open in a spreadsheet (every cell passes
through core.spreadsheet_cells.neutralised)."""

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook

from core.spreadsheet_cells import is_number, neutralised

# A file holds every row of the period, up to this many (an API page is at most 100).
MAX_FILE_ROWS = 100_000
CSV_TYPE = "text/csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Table:
    """What a file holds: a name, a header row and rows of plain values."""

    name: str
    header: list[str]
    rows: list[list] = field(default_factory=list)


def csv_bytes(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralised(cell) for cell in table.header])
    for row in table.rows:
        writer.writerow([neutralised(cell) for cell in row])
    # The byte-order mark makes spreadsheet programs read the file as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode()


def xlsx_bytes(table: Table) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.name[:31])
    sheet.append([neutralised(cell) for cell in table.header])
    for row in table.rows:
        sheet.append([_xlsx_cell(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(value):
    value = neutralised(value)
    if isinstance(value, str) and is_number(value):
        # Decimal strings (money, rates) become numbers the spreadsheet can add up.
        return Decimal(value)
    return value


MONEY_COLUMNS = ("refunded_to_customers", "recovered_from_suppliers", "net_loss")


def supplier_table(rows: list[dict]) -> Table:
    """One line per supplier; money in columns per currency (never added across)."""
    currencies = sorted({money["currency"] for row in rows for money in row.get("money", [])})
    header = [
        "supplier",
        "supplier_name",
        "orders",
        "disputes",
        "dispute_rate",
        "median_first_response_hours",
        "on_time_ship_rate",
        "arbitration_rate",
        *[f"{column}_{currency}" for currency in currencies for column in MONEY_COLUMNS],
    ]
    table = Table(name="suppliers", header=header)
    for row in rows:
        money = {item["currency"]: item for item in row.get("money", [])}
        table.rows.append(
            [
                row["supplier"]["slug"],
                row["supplier"]["name"],
                row["orders"],
                row["disputes"],
                row["dispute_rate"],
                row["median_first_response_hours"],
                row["on_time_ship_rate"],
                row["arbitration_rate"],
                *[
                    money[currency][column] if currency in money else None
                    for currency in currencies
                    for column in MONEY_COLUMNS
                ],
            ]
        )
    return table


def product_table(rows) -> Table:
    header = ["sku", "title", "orders", "disputes", "dispute_rate", "top_reason"]
    return Table(
        name="products", header=header, rows=[[row[name] for name in header] for row in rows]
    )


LEDGER_HEADER = ["dispute", "supplier", "side", "kind", "amount", "currency", "note", "recorded_at"]


def ledger_table(rows) -> Table:
    return Table(
        name="ledger",
        header=LEDGER_HEADER,
        rows=[[row[name] for name in LEDGER_HEADER] for row in rows],
    )


def ledger_row(entry, zone) -> dict:
    return {
        "dispute": entry.dispute.number,
        "supplier": entry.dispute.supplier.slug,
        "side": entry.side,
        "kind": entry.kind,
        "amount": str(entry.amount),
        "currency": entry.currency,
        "note": entry.note,
        "recorded_at": timezone.localtime(entry.recorded_at, zone).isoformat(),
    }
