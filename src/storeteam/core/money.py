"""Exact money: a Decimal amount with an ISO 4217 currency. Rounding happens here only."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from storeteam.core.errors import DomainError

# Minor units per currency (ISO 4217). Currencies the store sells in must be listed.
MINOR_UNITS: dict[str, int] = {
    "SEK": 2,
    "EUR": 2,
    "USD": 2,
    "GBP": 2,
    "NOK": 2,
    "DKK": 2,
    "CHF": 2,
    "PLN": 2,
    "JPY": 0,
}


class MoneyError(DomainError):
    """Money was built or combined in a way that would lose or invent value."""


class CurrencyMismatchError(MoneyError):
    """Two amounts in different currencies were combined."""


def _as_decimal(value: Decimal | int | str) -> Decimal:
    if isinstance(value, float):
        raise MoneyError("money is never built from a float; pass a str, int or Decimal")
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError) as exc:
        raise MoneyError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise MoneyError(f"not a finite amount: {value!r}")
    return amount


@dataclass(frozen=True, slots=True, init=False)
class Money:
    """An amount in one currency, always held at the currency's precision.

    Arithmetic between two Money values requires the same currency. Multiplying by a quantity or
    a rate rounds half-up to the minor unit once, at the end (see ``quantize``).
    """

    amount: Decimal
    currency: str

    def __init__(self, amount: Decimal | int | str, currency: str) -> None:
        code = str(currency).upper()
        if code not in MINOR_UNITS:
            raise MoneyError(f"unknown currency: {currency!r}")
        object.__setattr__(self, "currency", code)
        object.__setattr__(self, "amount", quantize(_as_decimal(amount), code))

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> Money:
        """Build from an integer count of minor units (öre, cents), as payment providers send."""
        return cls(Decimal(minor).scaleb(-MINOR_UNITS[currency.upper()]), currency)

    @property
    def minor(self) -> int:
        """The amount as an integer count of minor units."""
        return int(self.amount.scaleb(MINOR_UNITS[self.currency]))

    def _same(self, other: Any) -> Money:
        if not isinstance(other, Money):
            raise MoneyError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatchError(f"{self.currency} and {other.currency} do not mix")
        return other

    def __add__(self, other: Money) -> Money:
        return Money(self.amount + self._same(other).amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.amount - self._same(other).amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: Decimal | int | str) -> Money:
        if isinstance(factor, Money):
            raise MoneyError("money times money has no meaning")
        return Money(self.amount * _as_decimal(factor), self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._same(other).amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._same(other).amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._same(other).amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._same(other).amount

    def __bool__(self) -> bool:
        return bool(self.amount)

    def allocate(self, ratios: list[int]) -> list[Money]:
        """Split into parts by ratio without losing a minor unit (the remainder goes first-come).

        Used to spread an order discount or a refund over lines so the parts add up exactly.
        """
        if not ratios or any(r < 0 for r in ratios) or sum(ratios) == 0:
            raise MoneyError("allocation needs non-negative ratios with a positive sum")
        total = sum(ratios)
        minor = self.minor
        shares = [minor * r // total for r in ratios]
        remainder = minor - sum(shares)
        for i in range(abs(remainder)):
            shares[i % len(shares)] += 1 if remainder > 0 else -1
        return [Money.from_minor(s, self.currency) for s in shares]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


def quantize(amount: Decimal, currency: str, *, bankers: bool = False) -> Decimal:
    """Round an amount to the currency's minor unit: the store's one rounding rule.

    Half-up is what shoppers and tax authorities expect on a receipt; ``bankers`` (half-even) is
    there for accumulations such as tax over many lines where bias matters.
    """
    exponent = Decimal(1).scaleb(-MINOR_UNITS[currency.upper()])
    return amount.quantize(exponent, rounding=ROUND_HALF_EVEN if bankers else ROUND_HALF_UP)
