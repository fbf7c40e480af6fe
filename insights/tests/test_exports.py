"""Formula injection is neutralised in every cell a spreadsheet could evaluate."""

from decimal import Decimal

import pytest

from insights.exports import Table, csv_bytes, neutralised


@pytest.mark.parametrize(
    "value",
    [
        "=1+1",
        "+1+1",
        "-1+cmd",
        "@SUM(A1)",
        "\tx",
        "\rx",
        "\uff1d1",
        "\uff0b1",
        "\uff0d1",
        "\uff20x",
        "-inf",
        "-NaN",
    ],
)
def test_formula_starts_get_an_apostrophe(value):
    assert neutralised(value) == "'" + value


@pytest.mark.parametrize("value", ["12.50", "-5.00", "0", "100.00", "plain", "SKU-1", "a=b"])
def test_plain_values_and_numbers_stay(value):
    assert neutralised(value) == value


def test_none_and_numbers():
    assert neutralised(None) == ""
    assert neutralised(3) == 3
    assert neutralised(Decimal("1.50")) == Decimal("1.50")


def test_csv_is_utf8_with_bom_and_neutralised():
    data = csv_bytes(Table(name="t", header=["a"], rows=[["=cmd"], ["ok"]]))
    assert data.startswith("\ufeff".encode())
    assert data.decode("utf-8-sig").splitlines() == ["a", "'=cmd", "ok"]
