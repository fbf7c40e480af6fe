"""Money and addresses as the reader writes them (core.formats and its template tags)."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import translation

from core.formats import country_name, money, postal_address_lines


@pytest.mark.parametrize(
    ("language", "amount", "currency", "expected"),
    [
        ("en", "30", "USD", "$30.00"),
        ("es", "30", "USD", "30,00\xa0US$"),
        ("en", Decimal("1234.5"), "EUR", "€1,234.50"),
        ("es", Decimal("1234.5"), "EUR", "1.234,50\xa0€"),
        ("it", "1234.5", "EUR", "1.234,50\xa0€"),
        # The yen has no minor unit: no ".00".
        ("en", "1234", "JPY", "¥1,234"),
        ("es", "1234", "JPY", "1.234\xa0JPY"),
        ("zh-hans", "30", "USD", "US$30.00"),
    ],
)
def test_money_in_the_readers_locale_with_the_currencys_own_minor_units(
    language, amount, currency, expected
):
    with translation.override(language):
        assert money(amount, currency) == expected


def test_no_amount_is_nothing_and_a_strange_one_is_shown_as_given():
    assert money(None, "USD") == ""
    assert money("", "USD") == ""
    assert money("abc", "USD") == "abc USD"


def test_the_money_filter_is_the_same_formatter():
    template = Template("{% load formats %}{{ amount|money:currency }}")
    with translation.override("es"):
        assert template.render(Context({"amount": "12.5", "currency": "EUR"})) == "12,50\xa0€"


@pytest.mark.parametrize(
    ("country", "region", "postal_code", "city", "expected_line"),
    [
        ("US", "MA", "02110", "Boston", "Boston, MA 02110"),
        ("DE", "", "10115", "Berlin", "10115 Berlin"),
        ("JP", "Tokyo", "100-0001", "Chiyoda", "Chiyoda"),
    ],
)
def test_addresses_follow_their_countrys_order(country, region, postal_code, city, expected_line):
    lines = postal_address_lines(
        country=country, street="1 Main St", city=city, region=region, postal_code=postal_code
    )
    assert expected_line in lines


def test_a_us_address_reads_as_americans_write_it():
    with translation.override("en"):
        lines = postal_address_lines(
            country="US",
            street="1 Main St\nSuite 2",
            city="Boston",
            region="MA",
            postal_code="02110",
        )
    assert lines == ["1 Main St", "Suite 2", "Boston, MA 02110", "United States"]


def test_the_country_is_named_in_the_readers_language():
    with translation.override("es"):
        assert country_name("US") == "Estados Unidos"
        assert postal_address_lines(country="DE", city="Berlin", postal_code="10115")[-1] == (
            "Alemania"
        )


def test_an_unknown_country_still_shows_every_part():
    lines = postal_address_lines(country="QQ", street="1 Main St", city="Town", postal_code="99")
    assert "1 Main St" in lines
    assert "99 Town" in lines


def test_the_shipping_address_tag_escapes_and_breaks_lines():
    order = SimpleNamespace(
        ship_country="US",
        ship_line1="1 <b>Main</b> St",
        ship_line2="",
        ship_city="Boston",
        ship_region="MA",
        ship_postal_code="02110",
        customer_name="Ann",
    )
    template = Template("{% load formats %}{% shipping_address order with_name=True %}")
    with translation.override("en"):
        html = template.render(Context({"order": order}))
    assert html == (
        "<address>Ann<br>1 &lt;b&gt;Main&lt;/b&gt; St<br>"
        "Boston, MA 02110<br>United States</address>"
    )
