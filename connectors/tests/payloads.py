"""The shops' documented example payloads (trimmed of fields Redress never reads, same shapes).

Shopify: the "orders/create" and "fulfillments/create" example payloads of its webhook
reference (REST Order and Fulfillment resources). WooCommerce: the v3 REST order as its
"order.created" webhook delivers it, with the Shipment Tracking extension's order meta.
"""

import base64
import copy
import hashlib
import hmac
import json

SHOPIFY_ORDER = {
    "id": 820982911946154508,
    "admin_graphql_api_id": "gid://shopify/Order/820982911946154508",
    "app_id": None,
    "browser_ip": None,
    "buyer_accepts_marketing": True,
    "cancel_reason": None,
    "cancelled_at": None,
    "cart_token": None,
    "checkout_id": None,
    "checkout_token": None,
    "confirmed": False,
    "contact_email": "jon@example.com",
    "created_at": "2021-12-31T19:00:00-05:00",
    "currency": "USD",
    "current_subtotal_price": "398.00",
    "current_total_price": "403.00",
    "email": "jon@example.com",
    "financial_status": "voided",
    "fulfillment_status": "pending",
    "name": "#9999",
    "number": 234,
    "order_number": 1234,
    "phone": None,
    "presentment_currency": "USD",
    "processed_at": "2021-12-31T19:00:00-05:00",
    "subtotal_price": "388.00",
    "tags": "tag1, tag2",
    "test": True,
    "total_price": "403.00",
    "updated_at": "2021-12-31T19:00:00-05:00",
    "billing_address": {
        "first_name": "Steve",
        "address1": "123 Shipping Street",
        "phone": "555-555-SHIP",
        "city": "Shippington",
        "zip": "40003",
        "province": "Kentucky",
        "country": "United States",
        "last_name": "Shipper",
        "address2": None,
        "company": "Shipping Company",
        "latitude": None,
        "longitude": None,
        "name": "Steve Shipper",
        "country_code": "US",
        "province_code": "KY",
    },
    "customer": {
        "id": 115310627314723954,
        "email": "john@example.com",
        "created_at": None,
        "updated_at": None,
        "first_name": "John",
        "last_name": "Smith",
        "state": "disabled",
        "note": None,
        "verified_email": True,
        "phone": None,
        "currency": "USD",
        "default_address": {
            "id": 715243470612851245,
            "customer_id": 115310627314723954,
            "first_name": None,
            "last_name": None,
            "company": None,
            "address1": "123 Elm St.",
            "address2": None,
            "city": "Ottawa",
            "province": "Ontario",
            "country": "Canada",
            "zip": "K2H7A8",
            "phone": "123-123-1234",
            "name": "",
            "province_code": "ON",
            "country_code": "CA",
            "country_name": "Canada",
            "default": True,
        },
    },
    "discount_applications": [],
    "fulfillments": [],
    "line_items": [
        {
            "id": 866550311766439020,
            "admin_graphql_api_id": "gid://shopify/LineItem/866550311766439020",
            "current_quantity": 1,
            "fulfillable_quantity": 1,
            "fulfillment_service": "manual",
            "fulfillment_status": None,
            "gift_card": False,
            "grams": 567,
            "name": "IPod Nano - 8GB",
            "price": "199.00",
            "price_set": {
                "shop_money": {"amount": "199.00", "currency_code": "USD"},
                "presentment_money": {"amount": "199.00", "currency_code": "USD"},
            },
            "product_exists": True,
            "product_id": 632910392,
            "properties": [],
            "quantity": 1,
            "requires_shipping": True,
            "sku": "IPOD2008PINK",
            "taxable": True,
            "title": "IPod Nano - 8GB",
            "total_discount": "0.00",
            "variant_id": 808950810,
            "variant_inventory_management": "shopify",
            "variant_title": None,
            "vendor": None,
            "tax_lines": [],
            "duties": [],
            "discount_allocations": [],
        },
        {
            "id": 141249953214522974,
            "admin_graphql_api_id": "gid://shopify/LineItem/141249953214522974",
            "current_quantity": 1,
            "fulfillable_quantity": 1,
            "fulfillment_service": "manual",
            "fulfillment_status": None,
            "gift_card": False,
            "grams": 567,
            "name": "IPod Nano - 8GB",
            "price": "199.00",
            "price_set": {
                "shop_money": {"amount": "199.00", "currency_code": "USD"},
                "presentment_money": {"amount": "199.00", "currency_code": "USD"},
            },
            "product_exists": True,
            "product_id": 632910392,
            "properties": [],
            "quantity": 1,
            "requires_shipping": True,
            "sku": "IPOD2008PINK",
            "taxable": True,
            "title": "IPod Nano - 8GB",
            "total_discount": "0.00",
            "variant_id": 808950810,
            "variant_inventory_management": "shopify",
            "variant_title": None,
            "vendor": None,
            "tax_lines": [],
            "duties": [],
            "discount_allocations": [],
        },
    ],
    "payment_terms": None,
    "refunds": [],
    "shipping_address": {
        "first_name": "Steve",
        "address1": "123 Shipping Street",
        "phone": "555-555-SHIP",
        "city": "Shippington",
        "zip": "40003",
        "province": "Kentucky",
        "country": "United States",
        "last_name": "Shipper",
        "address2": None,
        "company": "Shipping Company",
        "latitude": None,
        "longitude": None,
        "name": "Steve Shipper",
        "country_code": "US",
        "province_code": "KY",
    },
    "shipping_lines": [
        {
            "id": 271878346596884015,
            "carrier_identifier": None,
            "code": None,
            "discounted_price": "10.00",
            "phone": None,
            "price": "10.00",
            "source": "shopify",
            "title": "Generic Shipping",
            "tax_lines": [],
            "discount_allocations": [],
        }
    ],
}

SHOPIFY_FULFILLMENT = {
    "id": 123456,
    "order_id": 820982911946154508,
    "status": "pending",
    "created_at": "2021-12-31T19:00:00-05:00",
    "service": None,
    "updated_at": "2021-12-31T19:00:00-05:00",
    "tracking_company": "UPS",
    "shipment_status": None,
    "location_id": None,
    "origin_address": None,
    "email": "jon@example.com",
    "destination": {
        "first_name": "Steve",
        "address1": "123 Shipping Street",
        "phone": "555-555-SHIP",
        "city": "Shippington",
        "zip": "40003",
        "province": "Kentucky",
        "country": "United States",
        "last_name": "Shipper",
        "address2": None,
        "company": "Shipping Company",
        "latitude": None,
        "longitude": None,
        "name": "Steve Shipper",
        "country_code": "US",
        "province_code": "KY",
    },
    "line_items": [
        {
            "id": 866550311766439020,
            "variant_id": 808950810,
            "title": "IPod Nano - 8GB",
            "quantity": 1,
            "sku": "IPOD2008PINK",
            "variant_title": None,
            "vendor": None,
            "fulfillment_service": "manual",
            "product_id": 632910392,
            "requires_shipping": True,
            "taxable": True,
            "gift_card": False,
            "name": "IPod Nano - 8GB",
            "variant_inventory_management": "shopify",
            "properties": [],
            "product_exists": True,
            "fulfillable_quantity": 1,
            "grams": 567,
            "price": "199.00",
            "total_discount": "0.00",
            "fulfillment_status": None,
        }
    ],
    # Shopify's example number; 1Z + 16 with a valid UPS check digit here, so that the
    # tracking check has something real to accept.
    "tracking_number": "1Z999AA10123456784",
    "tracking_numbers": ["1Z999AA10123456784"],
    "tracking_url": "https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums=1Z999AA10123456784",
    "tracking_urls": [
        "https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums=1Z999AA10123456784"
    ],
    "receipt": {},
    "name": "#9999.1",
    "admin_graphql_api_id": "gid://shopify/Fulfillment/123456",
}

WOOCOMMERCE_ORDER = {
    "id": 727,
    "parent_id": 0,
    "number": "727",
    "order_key": "wc_order_58d2d042d1d",
    "created_via": "rest-api",
    "version": "3.0.0",
    "status": "processing",
    "currency": "USD",
    "date_created": "2017-03-22T16:28:02",
    "date_created_gmt": "2017-03-22T19:28:02",
    "date_modified": "2017-03-22T16:28:08",
    "date_modified_gmt": "2017-03-22T19:28:08",
    "discount_total": "0.00",
    "discount_tax": "0.00",
    "shipping_total": "10.00",
    "shipping_tax": "0.00",
    "cart_tax": "1.35",
    "total": "29.35",
    "total_tax": "1.35",
    "prices_include_tax": False,
    "customer_id": 0,
    "customer_ip_address": "",
    "customer_user_agent": "",
    "customer_note": "",
    "billing": {
        "first_name": "John",
        "last_name": "Doe",
        "company": "",
        "address_1": "969 Market",
        "address_2": "",
        "city": "San Francisco",
        "state": "CA",
        "postcode": "94103",
        "country": "US",
        "email": "john.doe@example.com",
        "phone": "(555) 555-5555",
    },
    "shipping": {
        "first_name": "John",
        "last_name": "Doe",
        "company": "",
        "address_1": "969 Market",
        "address_2": "",
        "city": "San Francisco",
        "state": "CA",
        "postcode": "94103",
        "country": "US",
    },
    "payment_method": "bacs",
    "payment_method_title": "Direct Bank Transfer",
    "transaction_id": "",
    "date_paid": "2017-03-22T16:28:08",
    "date_paid_gmt": "2017-03-22T19:28:08",
    "date_completed": None,
    "date_completed_gmt": None,
    "cart_hash": "",
    "meta_data": [{"id": 13106, "key": "_download_permissions_granted", "value": "yes"}],
    "line_items": [
        {
            "id": 315,
            "name": "Woo Single #1",
            "product_id": 93,
            "variation_id": 0,
            "quantity": 2,
            "tax_class": "",
            "subtotal": "6.00",
            "subtotal_tax": "0.45",
            "total": "6.00",
            "total_tax": "0.45",
            "taxes": [{"id": 75, "total": "0.45", "subtotal": "0.45"}],
            "meta_data": [],
            "sku": "",
            "price": 3,
        },
        {
            "id": 316,
            "name": "Ship Your Idea &ndash; Color: Black, Size: M Test",
            "product_id": 22,
            "variation_id": 23,
            "quantity": 1,
            "tax_class": "",
            "subtotal": "12.00",
            "subtotal_tax": "0.90",
            "total": "12.00",
            "total_tax": "0.90",
            "taxes": [{"id": 75, "total": "0.9", "subtotal": "0.9"}],
            "meta_data": [
                {
                    "id": 2095,
                    "key": "pa_color",
                    "value": "black",
                    "display_key": "Color",
                    "display_value": "Black",
                },
                {
                    "id": 2096,
                    "key": "size",
                    "value": "M Test",
                    "display_key": "Size",
                    "display_value": "M Test",
                },
            ],
            "sku": "Bar3",
            "price": 12,
        },
    ],
    "tax_lines": [],
    "shipping_lines": [
        {
            "id": 318,
            "method_title": "Flat Rate",
            "method_id": "flat_rate",
            "total": "10.00",
            "total_tax": "0.00",
            "taxes": [],
            "meta_data": [],
        }
    ],
    "fee_lines": [],
    "coupon_lines": [],
    "refunds": [],
}

# What the WooCommerce Shipment Tracking extension adds to the order's meta.
WOOCOMMERCE_TRACKING_META = {
    "id": 13200,
    "key": "_wc_shipment_tracking_items",
    "value": [
        {
            "tracking_provider": "usps",
            "custom_tracking_provider": "",
            "custom_tracking_link": "",
            "tracking_number": "9400111899223197428497",
            "date_shipped": "1490227200",
            "tracking_id": "8d3f0ab0b8a3c1f2d6e0a2f2c1b3a4d5",
        }
    ],
}


# A shop's own order id: the documented sample's id is what "Send test notification" sends.
SHOP_ORDER_ID = 5940139491234


def shopify_order(**changes) -> dict:
    payload = copy.deepcopy(SHOPIFY_ORDER)
    payload["id"] = SHOP_ORDER_ID
    payload.update(changes)
    return payload


def woocommerce_order(**changes) -> dict:
    payload = copy.deepcopy(WOOCOMMERCE_ORDER)
    payload.update(changes)
    return payload


def shopify_fulfillment(**changes) -> dict:
    payload = copy.deepcopy(SHOPIFY_FULFILLMENT)
    payload["order_id"] = SHOP_ORDER_ID
    payload.update(changes)
    return payload


def body_of(payload) -> bytes:
    # The shops send compact JSON; the signature covers these exact bytes.
    return json.dumps(payload, separators=(",", ":")).encode()


def shop_signature(secret: str, body: bytes) -> str:
    """As Shopify and WooCommerce compute it: base64 of the HMAC-SHA256 digest of the body."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
