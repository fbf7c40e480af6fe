"""What Shopify and WooCommerce send, read into one shape (pure Python, no database).

Shopify: the REST order and fulfillment resources its webhooks carry (`orders/*`,
`fulfillments/*`). WooCommerce: the v3 REST order resource its `order.*` webhooks carry, and
the Shipment Tracking extension's `_wc_shipment_tracking_items` order meta for parcels.
Anything missing or of the wrong type becomes an empty value here; the orders parser then
refuses the order with field errors, which the event log shows.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import pycountry

SHOPIFY_ORDER_TOPICS = frozenset({"orders/create", "orders/updated", "orders/cancelled"})
SHOPIFY_FULFILMENT_TOPICS = frozenset({"fulfillments/create", "fulfillments/update"})
WOOCOMMERCE_ORDER_TOPICS = frozenset({"order.created", "order.updated"})
# "Send test notification" in the Shopify admin always sends its documented sample order
# (and fulfilments of it): recognised by the sample's id, it proves the connection works
# and must not become an order.
SHOPIFY_SAMPLE_ORDER_ID = 820982911946154508
# Orders a WooCommerce checkout has not placed yet (the block checkout saves drafts).
WOOCOMMERCE_NOT_PLACED = frozenset({"checkout-draft", "trash"})

# Carrier names as Shopify writes them (its "supported tracking companies" list) that the
# tracking checker does not already know by name; the others (UPS, USPS, FedEx, DHL Express,
# China Post, 4PX, YunExpress, SF Express, Cainiao, Yanwen...) resolve as they are.
SHOPIFY_CARRIERS = {
    "dhl ecommerce": "dhl",
    "dhl ecommerce asia": "dhl",
    "dhl global mail asia": "dhl",
    "dhl parcel": "dhl",
    "fedex uk": "fedex",
    "china ems (epacket)": "ems_china",
    "china post ems": "ems_china",
    "epacket": "ems_china",
    "yun express": "yunexpress",
    "cainiao network": "cainiao",
    "aliexpress standard shipping": "cainiao",
    "sf international": "sf_express",
    "j&t express": "jt_express",
    "yto express": "yto",
    "zto express": "zto",
    "sto express": "sto",
    "yunda express": "yunda",
    "ups mail innovations": "ups",
    "usps (united states postal service)": "usps",
}
# "Other" and friends say nothing: the checker detects the carrier from the number.
UNNAMED_CARRIERS = frozenset({"", "other", "others", "custom"})


@dataclass
class ShopLine:
    sku: str
    title: str
    variant: str
    quantity: object
    unit_price: object
    vendor: str = ""


@dataclass
class ShopOrder:
    shop_order_id: str
    external_id: str
    placed_at: str
    currency: str
    customer_name: str
    customer_email: str
    address: dict
    lines: list[ShopLine] = field(default_factory=list)
    cancelled: bool = False
    # Parcels a WooCommerce order carries in its meta (Shipment Tracking extension).
    parcels: list["ShopParcel"] = field(default_factory=list)

    def body(self, suppliers: list[str]) -> dict:
        """The order body of Redress's API, with one supplier slug per line."""
        return {
            "external_id": self.external_id,
            "placed_at": self.placed_at,
            "currency": self.currency,
            "customer": {"name": self.customer_name, "email": self.customer_email},
            "shipping_address": self.address,
            "lines": [
                {
                    "sku": line.sku,
                    "title": line.title,
                    "variant": line.variant,
                    "quantity": line.quantity,
                    "unit_price": line.unit_price,
                    "supplier": supplier,
                }
                for line, supplier in zip(self.lines, suppliers, strict=True)
            ],
        }


@dataclass
class ShopParcel:
    shop_order_id: str
    # The fulfilment's own name ("#1001.1"), whose part before the dot is the order's.
    name: str
    tracking_numbers: list[str]
    company: str
    shipped_at: str
    # (sku, variant) of the lines it carries; empty means every line of the order.
    lines: list[tuple[str, str]] = field(default_factory=list)


def _text(value) -> str:
    if value is None or isinstance(value, (dict, list, bool)):
        return ""
    return str(value).strip()


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []


def country_code(value) -> str:
    """An ISO 3166 alpha-2 code from a code or a country name as the shops write them."""
    text = _text(value)
    if not text:
        return ""
    if len(text) == 2:
        return text.upper()
    try:
        return pycountry.countries.lookup(text).alpha_2
    except LookupError:
        return text  # the orders parser reports it as an unknown country


def carrier_code(company) -> str | None:
    """Redress's carrier for a carrier name as Shopify writes it; None lets the number decide."""
    name = _text(company)
    if name.lower() in UNNAMED_CARRIERS:
        return None
    return SHOPIFY_CARRIERS.get(name.lower(), name)


def _person(address: dict) -> str:
    name = _text(address.get("name"))
    if name:
        return name
    return " ".join(
        part for part in (_text(address.get("first_name")), _text(address.get("last_name"))) if part
    )


# ---------------------------------------------------------------------------------------
# Shopify


def _shopify_address(payload: dict) -> dict:
    # A pickup or digital order has no shipping address: the billing one is the customer's.
    address = _dict(payload.get("shipping_address")) or _dict(payload.get("billing_address"))
    if not address:
        address = _dict(_dict(payload.get("customer")).get("default_address"))
    return address


def _shopify_sku(line: dict) -> str:
    # Shopify lets a variant have no SKU; its variant id then names the product line.
    sku = _text(line.get("sku"))
    if sku:
        return sku
    variant_id = _text(line.get("variant_id")) or _text(line.get("product_id"))
    return f"shopify-{variant_id}" if variant_id else ""


def is_shopify_test_notification(topic: str, payload: dict) -> bool:
    key = "order_id" if topic in SHOPIFY_FULFILMENT_TOPICS else "id"
    return payload.get(key) == SHOPIFY_SAMPLE_ORDER_ID


def shopify_order(payload: dict) -> ShopOrder:
    address = _shopify_address(payload)
    customer = _dict(payload.get("customer"))
    customer_name = _person(address) or _person(customer)
    lines = [
        ShopLine(
            sku=_shopify_sku(line),
            title=_text(line.get("title")) or _text(line.get("name")),
            variant=_text(line.get("variant_title")),
            quantity=line.get("quantity"),
            unit_price=_text(line.get("price")),
            vendor=_text(line.get("vendor")),
        )
        for line in map(_dict, _list(payload.get("line_items")))
        # A removed line stays in the payload with nothing left to fulfil.
        if line.get("current_quantity", 1) != 0
    ]
    return ShopOrder(
        shop_order_id=_text(payload.get("id")),
        external_id=_text(payload.get("name")),
        placed_at=_text(payload.get("created_at")),
        currency=_text(payload.get("currency")),
        customer_name=customer_name,
        customer_email=_text(payload.get("email"))
        or _text(payload.get("contact_email"))
        or _text(customer.get("email")),
        address={
            "line1": _text(address.get("address1")),
            "line2": _text(address.get("address2")),
            "city": _text(address.get("city")),
            "region": _text(address.get("province_code")) or _text(address.get("province")),
            "postal_code": _text(address.get("zip")),
            "country": country_code(address.get("country_code") or address.get("country")),
        },
        lines=lines,
        cancelled=bool(payload.get("cancelled_at")),
    )


def shopify_parcel(payload: dict) -> ShopParcel:
    numbers = [_text(number) for number in _list(payload.get("tracking_numbers"))]
    if not any(numbers) and _text(payload.get("tracking_number")):
        numbers = [_text(payload.get("tracking_number"))]
    return ShopParcel(
        shop_order_id=_text(payload.get("order_id")),
        name=_text(payload.get("name")),
        tracking_numbers=[number for number in numbers if number],
        company=_text(payload.get("tracking_company")),
        shipped_at=_text(payload.get("created_at")),
        lines=[
            (_shopify_sku(line), _text(line.get("variant_title")))
            for line in map(_dict, _list(payload.get("line_items")))
        ],
    )


# ---------------------------------------------------------------------------------------
# WooCommerce


def _woo_time(payload: dict) -> str:
    # `date_created` is the site's wall clock without an offset; the GMT twin is exact.
    gmt = _text(payload.get("date_created_gmt"))
    if gmt:
        return gmt if gmt.endswith("Z") or "+" in gmt[10:] else gmt + "+00:00"
    return _text(payload.get("date_created"))


def _woo_unit_price(line: dict) -> str:
    # `price` is a float (3.5999999); the line's subtotal before discounts is an exact string.
    try:
        subtotal = Decimal(_text(line.get("subtotal")))
        quantity = Decimal(int(line.get("quantity")))
        return str((subtotal / quantity).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    except (InvalidOperation, TypeError, ValueError, ZeroDivisionError):
        return _text(line.get("price"))


def _woo_variant(line: dict) -> str:
    # Variation attributes are the line's visible meta ("Color: Blue"); keys starting with
    # an underscore are the extensions' private data.
    parts = []
    for meta in map(_dict, _list(line.get("meta_data"))):
        key = _text(meta.get("key"))
        if not key or key.startswith("_"):
            continue
        label = _text(meta.get("display_key")) or key
        value = _text(meta.get("display_value")) or _text(meta.get("value"))
        if value:
            parts.append(f"{label}: {value}")
    return ", ".join(parts)


def _woo_meta(payload: dict, key: str):
    for meta in map(_dict, _list(payload.get("meta_data"))):
        if meta.get("key") == key:
            return meta.get("value")
    return None


def _woo_parcels(payload: dict, shop_order_id: str) -> list[ShopParcel]:
    parcels = []
    for item in map(_dict, _list(_woo_meta(payload, "_wc_shipment_tracking_items"))):
        number = _text(item.get("tracking_number"))
        if not number:
            continue
        shipped = _text(item.get("date_shipped"))
        if shipped.isdigit():
            shipped = datetime.fromtimestamp(int(shipped), tz=UTC).isoformat()
        parcels.append(
            ShopParcel(
                shop_order_id=shop_order_id,
                name=_text(item.get("tracking_id")),
                tracking_numbers=[number],
                company=_text(item.get("custom_tracking_provider"))
                or _text(item.get("tracking_provider")),
                shipped_at=shipped,
            )
        )
    return parcels


def woocommerce_order(payload: dict) -> ShopOrder:
    billing = _dict(payload.get("billing"))
    shipping = _dict(payload.get("shipping"))
    if not _text(shipping.get("address_1")):
        shipping = billing
    shop_order_id = _text(payload.get("id"))
    return ShopOrder(
        shop_order_id=shop_order_id,
        external_id=_text(payload.get("number")) or shop_order_id,
        placed_at=_woo_time(payload),
        currency=_text(payload.get("currency")),
        customer_name=_person(shipping) or _person(billing),
        customer_email=_text(billing.get("email")),
        address={
            "line1": _text(shipping.get("address_1")),
            "line2": _text(shipping.get("address_2")),
            "city": _text(shipping.get("city")),
            "region": _text(shipping.get("state")),
            "postal_code": _text(shipping.get("postcode")),
            "country": country_code(shipping.get("country")),
        },
        lines=[
            ShopLine(
                sku=_text(line.get("sku"))
                or (f"woo-{_text(line.get('product_id'))}" if line.get("product_id") else ""),
                title=_text(line.get("name")),
                variant=_woo_variant(line),
                quantity=line.get("quantity"),
                unit_price=_woo_unit_price(line),
            )
            for line in map(_dict, _list(payload.get("line_items")))
        ],
        cancelled=_text(payload.get("status")) == "cancelled",
        parcels=_woo_parcels(payload, shop_order_id),
    )
