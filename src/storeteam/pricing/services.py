"""Writes to prices. Amounts are validated as exact money before anything is written."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from storeteam.catalog.models import Variant
from storeteam.core.errors import DomainError
from storeteam.core.events import event_publish
from storeteam.core.money import Money, MoneyError
from storeteam.pricing.events import PricesChanged
from storeteam.pricing.models import PriceList, TaxRate, VariantPrice

CHUNK = 2000
EVENT_CHUNK = 1000
# VariantPrice.amount holds 12 digits, two of them decimals.
MAX_AMOUNT = Decimal("10000000000")


class PriceImportError(DomainError):
    """The prices have problems; nothing was written."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems[:20]))
        self.problems = problems


@dataclass(frozen=True)
class PriceRow:
    sku: str
    amount: Decimal | str
    compare_at: Decimal | str | None = None


def price_list_ensure(*, code: str, name: str, currency: str, is_default: bool = True) -> PriceList:
    """The price list with this code, created if missing."""
    Money.zero(currency)  # refuses an unknown currency
    price_list, _ = PriceList.objects.get_or_create(
        code=code, defaults={"name": name, "currency": currency.upper(), "is_default": is_default}
    )
    return price_list


def prices_import(*, price_list: PriceList, rows: Sequence[PriceRow]) -> int:
    """Set the price of each SKU in ``price_list`` (create or replace); all or nothing.

    Publishes ``PricesChanged`` for the products concerned. Returns how many prices were set.
    """
    problems: list[str] = []
    parsed: list[tuple[str, Decimal, Decimal | None]] = []
    seen: set[str] = set()
    for n, row in enumerate(rows, start=1):
        try:
            amount = Money(row.amount, price_list.currency).amount
            compare_at = (
                Money(row.compare_at, price_list.currency).amount
                if row.compare_at not in (None, "")
                else None
            )
        except MoneyError as exc:
            problems.append(f"row {n} ({row.sku}): {exc.message}")
            continue
        if amount < 0:
            problems.append(f"row {n} ({row.sku}): a price cannot be negative")
        if max(amount, compare_at or 0) >= MAX_AMOUNT:
            problems.append(f"row {n} ({row.sku}): a price must be below {MAX_AMOUNT}")
        if row.sku in seen:
            problems.append(f"row {n} ({row.sku}): the SKU has a price in an earlier row")
        seen.add(row.sku)
        if compare_at is not None and compare_at <= amount:
            problems.append(f"row {n} ({row.sku}): the compare-at price must be above the price")
        parsed.append((row.sku, amount, compare_at))
    variants: dict[str, tuple[int, int]] = {}
    skus = [sku for sku, _a, _c in parsed]
    for start in range(0, len(skus), 5000):
        for pk, sku, product_id in Variant.objects.filter(
            sku__in=skus[start : start + 5000]
        ).values_list("pk", "sku", "product_id"):
            variants[sku] = (pk, product_id)
    problems.extend(f"unknown SKU {sku}" for sku in skus if sku not in variants)
    if problems:
        raise PriceImportError(problems)

    with transaction.atomic():
        objects = [
            VariantPrice(
                price_list=price_list,
                variant_id=variants[sku][0],
                amount=amount,
                compare_at=compare_at,
            )
            for sku, amount, compare_at in parsed
        ]
        VariantPrice.objects.bulk_create(
            objects,
            batch_size=CHUNK,
            update_conflicts=True,
            unique_fields=["price_list", "variant"],
            update_fields=["amount", "compare_at"],
        )
        product_ids = sorted({variants[sku][1] for sku in skus})
        for start in range(0, len(product_ids), EVENT_CHUNK):
            event_publish(PricesChanged(product_ids=product_ids[start : start + EVENT_CHUNK]))
    return len(parsed)


def tax_rates_set(*, rates: dict[tuple[str, str], Decimal]) -> None:
    """Set VAT rates by (country, tax class)."""
    with transaction.atomic():
        for (country, tax_class), rate in rates.items():
            TaxRate.objects.update_or_create(
                country=country.upper(), tax_class=tax_class, defaults={"rate": rate}
            )
