"""Bulk writes through COPY (core.bulk): the rows are the ones Django's own paths write."""

import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection

from core.bulk import InstanceMaker, copy_insert_values, copy_rows, copy_text
from core.tenancy import organization_scope
from orders.models import Order

PLACED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def order_values(merchant_id) -> dict:
    return {
        "merchant_id": merchant_id,
        "external_id": "A-1",
        "placed_at": PLACED,
        "currency": "EUR",
        "customer_name": "Ada",
        "ship_line1": "1 Main Street",
        "ship_city": "Springfield",
        "ship_country": "DE",
    }


def test_a_made_instance_is_the_one_the_keyword_constructor_makes():
    values = order_values("01a22c4c-aa32-788c-97a6-8f962d620b42")
    made, expected = InstanceMaker(Order)(**values), Order(**values)
    fields = [
        f.attname for f in Order._meta.concrete_fields if f.attname not in ("id", "created_at")
    ]
    assert [getattr(made, name) for name in fields] == [getattr(expected, name) for name in fields]
    other = InstanceMaker(Order)(**values)
    assert made.pk is not None
    assert made.pk != other.pk
    assert made._state.adding
    # A callable default is called for each instance: no list shared between two orders.
    assert made.unassigned_lines == []
    assert made.unassigned_lines is not other.unassigned_lines


def test_a_misspelt_field_is_refused():
    with pytest.raises(TypeError, match="merchant"):
        InstanceMaker(Order)(merchant="acme")


def test_copy_text_escapes_what_copy_reads_as_separators():
    assert copy_text("a\tb\\c\nd\re") == "a\\tb\\\\c\\nd\\re"
    assert copy_text(None) == r"\N"
    assert copy_text(True) == "t"
    assert copy_text(Decimal("12.50")) == "12.50"
    assert copy_text(PLACED) == "2026-01-02T03:04:05+00:00"
    assert copy_text({"a": "x\ty"}) == '{"a": "x\\\\ty"}'


@pytest.mark.django_db
def test_plain_rows_are_written_with_the_defaults_of_the_fields_they_leave_out(world):
    with organization_scope(world.acme):
        copy_insert_values(Order, [order_values(world.acme.pk)])
        order = Order.objects.get(external_id="A-1")
    assert (order.total, order.unassigned_lines, order.status) == (Decimal("0.00"), [], "unshipped")
    assert order.placed_at == PLACED
    assert order.created_at is not None


@pytest.mark.django_db(transaction=True)  # autocommit: no test transaction around the copy
def test_rows_copied_outside_a_transaction_are_written():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bulk_probe (id integer, name text)")
        try:
            copy_rows(cursor.cursor, "bulk_probe", ["id", "name"], io.StringIO("1\tone\n2\ttwo\n"))
            cursor.execute("SELECT id, name FROM bulk_probe ORDER BY id")
            assert cursor.fetchall() == [(1, "one"), (2, "two")]
        finally:
            cursor.execute("DROP TABLE bulk_probe")
