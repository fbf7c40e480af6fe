from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import ValidationFailed
from orders.tests.factories import order_body
from orders.validation import parse_order


def errors_of(body) -> dict:
    with pytest.raises(ValidationFailed) as caught:
        parse_order(body)
    return caught.value.field_errors


def test_a_valid_body_is_parsed_with_normalised_values():
    order = parse_order(order_body(currency="usd"))
    assert order.currency == "USD"
    assert order.customer_email == "ada@example.test"
    assert order.total == Decimal("184.80")
    assert [line.quantity for line in order.lines] == [2, 1]


def test_missing_fields_are_all_reported_at_once():
    errors = errors_of({"lines": []})
    assert set(errors) == {
        "external_id",
        "placed_at",
        "currency",
        "customer",
        "shipping_address",
        "lines",
    }


def test_line_errors_come_back_one_entry_per_line():
    body = order_body()
    body["lines"][1]["quantity"] = -1
    errors = errors_of(body)
    assert errors["lines"][0] == {}
    assert errors["lines"][1] == {"quantity": ["The quantity must be at least 1."]}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("currency", "EUROS", "is not an ISO 4217 currency code"),
        ("currency", "XXX", "is not an ISO 4217 currency code"),
        ("placed_at", "2025-05-01T10:00:00", "UTC offset"),
        ("placed_at", "yesterday", "ISO 8601"),
        ("placed_at", "2025-13-45T10:00:00Z", "ISO 8601"),
        ("external_id", "A\x00B", "control characters"),
        ("external_id", "x" * 101, "At most 100 characters"),
    ],
)
def test_bad_order_fields_are_refused_with_a_reason(field, value, message):
    errors = errors_of(order_body(**{field: value}))
    assert message in errors[field][0]


def test_a_time_more_than_a_day_ahead_is_refused():
    far = (timezone.now() + timedelta(days=2)).isoformat()
    assert errors_of(order_body(placed_at=far))["placed_at"] == ["This time is in the future."]
    parse_order(order_body(placed_at=(timezone.now() + timedelta(hours=20)).isoformat()))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1.00", "cannot be negative"),
        ("1.005", "two decimal places"),
        ("abc", "Enter an amount"),
        ("NaN", "Enter an amount"),
        (True, "Enter an amount"),
        ("99999999999.00", "too large"),
    ],
)
def test_bad_unit_prices_are_refused(value, message):
    body = order_body()
    body["lines"][0]["unit_price"] = value
    assert message in errors_of(body)["lines"][0]["unit_price"][0]


def test_country_must_be_iso_alpha_2():
    body = order_body()
    body["shipping_address"]["country"] = "USA"
    assert "ISO 3166" in errors_of(body)["shipping_address"]["country"][0]


def test_an_object_where_a_string_belongs_is_an_error_not_a_crash():
    body = order_body(customer="Ada", shipping_address=["x"])
    errors = errors_of(body)
    assert errors["customer"]
    assert errors["shipping_address"]
    body = order_body()
    body["lines"][0]["sku"] = {"a": 1}
    assert errors_of(body)["lines"][0]["sku"] == ["Must be a string."]
