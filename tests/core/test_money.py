from __future__ import annotations

from decimal import Decimal

import pytest

from storeteam.core.money import CurrencyMismatchError, Money, MoneyError, quantize


def test_money_rounds_half_up_to_the_minor_unit_once() -> None:
    assert Money("10.005", "SEK").amount == Decimal("10.01")
    assert Money("199", "JPY").amount == Decimal("199")
    assert (Money("0.10", "EUR") * 3).amount == Decimal("0.30")
    assert (Money("19.99", "EUR") * Decimal("0.25")).amount == Decimal("5.00")
    assert quantize(Decimal("2.345"), "EUR", bankers=True) == Decimal("2.34")


def test_money_refuses_floats_mixed_currencies_and_unknown_codes() -> None:
    with pytest.raises(MoneyError):
        Money(0.1, "EUR")  # type: ignore[arg-type]
    with pytest.raises(CurrencyMismatchError):
        Money("1", "EUR") + Money("1", "SEK")
    with pytest.raises(MoneyError):
        Money("1", "XYZ")
    with pytest.raises(MoneyError):
        Money("NaN", "EUR")


def test_minor_units_round_trip() -> None:
    assert Money("12.34", "SEK").minor == 1234
    assert Money.from_minor(1234, "sek") == Money("12.34", "SEK")


def test_allocation_never_loses_a_minor_unit() -> None:
    parts = Money("100.00", "EUR").allocate([1, 1, 1])
    assert [p.amount for p in parts] == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert sum((p for p in parts), Money.zero("EUR")) == Money("100.00", "EUR")
    refund = Money("-10.00", "SEK").allocate([2, 1])
    assert sum((p for p in refund), Money.zero("SEK")) == Money("-10.00", "SEK")
