"""Cells safe to open in a spreadsheet, for every CSV or XLSX file Redress writes.

A cell that starts with = + - @ (or their fullwidth forms, which spreadsheets also read as
formulas), a tab or a carriage return is prefixed with an apostrophe, so a sku or a title
typed by someone else can never run as a formula. Numbers stay numbers.
"""

from decimal import Decimal, InvalidOperation

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralised(value):
    """A cell value that a spreadsheet shows as typed and never evaluates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    if is_number(text):
        return text
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def is_number(text: str) -> bool:
    try:
        Decimal(text)
    except (InvalidOperation, ValueError):
        return False
    # Decimal also reads "NaN", "Infinity" and "-inf": those are words, not numbers here.
    return text.strip().lstrip("+-").replace(".", "", 1).isdigit()
