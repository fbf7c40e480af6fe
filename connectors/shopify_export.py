"""Shopify's "Export orders" CSV, read by the order import (orders.hooks.import_formats).

One row per line item. The first row of an order carries the order's columns; the next rows
of the same order repeat only `Name` and the `Lineitem …` columns (and the line's `Vendor`).
Times are written "2024-03-05 10:12:45 -0500", postal codes may carry a leading apostrophe
(Shopify keeps their leading zeros that way), countries are ISO codes.

The file names no supplier. Each line's supplier is, in order: a `Supplier` column if the
merchant added one (a linked supplier's slug); the mappings of the merchant's Shopify
connectors (SKU, SKU prefix, vendor), then their default supplier; else, when the merchant
works with exactly one supplier, that one. A line with none is a row error naming the SKU,
like any other, and its order is not imported.
"""

import re

from django.utils.translation import gettext as _

from connectors.models import Connector, Platform
from connectors.services.processing import SupplierResolver
from core.errors import ValidationFailed
from orders import hooks
from suppliers.selectors import supplier_list_for_merchant

# Present in every Shopify order export, and together in no other file.
SIGNATURE_COLUMNS = frozenset(
    {"name", "created at", "lineitem quantity", "lineitem name", "lineitem price", "lineitem sku"}
)
REQUIRED_COLUMNS = (
    "name",
    "created at",
    "currency",
    "lineitem quantity",
    "lineitem name",
    "lineitem price",
    "lineitem sku",
    "shipping name",
    "shipping address1",
    "shipping city",
    "shipping country",
)
_SHOPIFY_TIME = re.compile(r"(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}(?::\d{2})?) ?([+-]\d{2}):?(\d{2})")


def shopify_time(value: str) -> str:
    """ISO 8601 for Shopify's "2024-03-05 10:12:45 -0500"; anything else as it is."""
    match = _SHOPIFY_TIME.fullmatch(value.strip())
    if match is None:
        return value
    day, clock, hours, minutes = match.groups()
    return f"{day}T{clock}{hours}:{minutes}"


class ShopifyExportFormat(hooks.ImportFormat):
    name = "shopify"
    key_column = "name"
    error_columns = {
        "external_id": "Name",
        "placed_at": "Created at",
        "currency": "Currency",
        "customer_name": "Shipping Name",
        "customer_email": "Email",
        "ship_line1": "Shipping Address1",
        "ship_line2": "Shipping Address2",
        "ship_city": "Shipping City",
        "ship_region": "Shipping Province",
        "ship_postal_code": "Shipping Zip",
        "ship_country": "Shipping Country",
        "sku": "Lineitem sku",
        "title": "Lineitem name",
        "variant": "Lineitem name",
        "quantity": "Lineitem quantity",
        "unit_price": "Lineitem price",
        "supplier": "Vendor",
    }

    def recognises(self, header: list[str]) -> bool:
        return set(header) >= SIGNATURE_COLUMNS

    def header_problem(self, header: list[str]) -> str | None:
        missing = [column for column in REQUIRED_COLUMNS if column not in header]
        if missing:
            return _("This Shopify export lacks the columns: %(missing)s.") % {
                "missing": ", ".join(missing)
            }
        return None

    def converter(self, merchant):
        resolvers = [
            SupplierResolver.for_connector(connector)
            for connector in Connector.objects.filter(
                merchant=merchant, platform=Platform.SHOPIFY
            ).order_by("created_at")
        ]
        linked = list(supplier_list_for_merchant()[:2])
        only_supplier = linked[0] if len(linked) == 1 else None

        def supplier_for(row: dict) -> str:
            if row.get("supplier", "").strip():
                return row["supplier"].strip()
            sku, vendor = row.get("lineitem sku", "").strip(), row.get("vendor", "").strip()
            for resolver in resolvers:
                supplier = resolver.supplier_for(sku, vendor)
                if supplier is not None:
                    return supplier.slug
            return only_supplier.slug if only_supplier is not None else ""

        def to_body(rows: list[dict]) -> dict:
            suppliers = [supplier_for(row) for row in rows]
            if not all(suppliers):
                message = _(
                    "No supplier for this line: add a supplier mapping (SKU, prefix or vendor) "
                    "to your Shopify connector, or a Supplier column."
                )
                raise ValidationFailed(
                    field_errors={
                        "lines": [{} if slug else {"supplier": [message]} for slug in suppliers]
                    }
                )
            return _body(rows, suppliers)

        return to_body


def _body(rows: list[dict], suppliers: list[str]) -> dict:
    first = rows[0]
    return {
        "external_id": first.get("name", ""),
        "placed_at": shopify_time(first.get("created at", "")),
        "currency": first.get("currency", ""),
        "customer": {
            "name": first.get("shipping name", "") or first.get("billing name", ""),
            "email": first.get("email", ""),
        },
        "shipping_address": {
            "line1": first.get("shipping address1", "") or first.get("shipping street", ""),
            "line2": first.get("shipping address2", ""),
            "city": first.get("shipping city", ""),
            "region": first.get("shipping province", ""),
            "postal_code": first.get("shipping zip", "").strip().lstrip("'"),
            "country": first.get("shipping country", ""),
        },
        "lines": [
            {
                "sku": row.get("lineitem sku", ""),
                "title": row.get("lineitem name", ""),
                "variant": "",
                "quantity": row.get("lineitem quantity", ""),
                "unit_price": row.get("lineitem price", ""),
                "supplier": supplier,
            }
            for row, supplier in zip(rows, suppliers, strict=True)
        ],
    }
