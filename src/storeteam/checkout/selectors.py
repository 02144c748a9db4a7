"""Reads of carts on the checkout's hot path: each cart shown, changed or checked out is priced
again from the price lists, so its reads are ``core.statements``: SQL the ORM writes once per
process, then only runs (three statements to price a cart, whatever its size)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from storeteam.catalog.models import ProductTranslation, Variant, VariantValue
from storeteam.checkout.models import Cart, CartLine, CheckoutAttempt, ShippingMethod
from storeteam.core.money import quantize
from storeteam.core.statements import Statement, decimal_from
from storeteam.inventory.selectors import variant_salable
from storeteam.pricing.models import PriceList, TaxRate, VariantPrice

RATE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class PricedLine:
    """A cart line priced now: names in the language, the default price list's price (None when
    no longer for sale), the VAT rate at the destination, the salable stock there."""

    variant_id: int
    sku: str
    product_id: int
    name: str
    variant_label: str
    slug: str
    quantity: int
    unit_price: Decimal | None
    tax_rate: Decimal
    available: int

    @property
    def line_total(self) -> Decimal:
        return (self.unit_price or Decimal(0)) * self.quantity

    @property
    def problem(self) -> str:
        if self.unit_price is None:
            return _("No longer for sale.")
        if self.available <= 0:
            return _("Sold out.")
        if self.quantity > self.available:
            return ngettext("Only %(n)d is left.", "Only %(n)d are left.", self.available) % {
                "n": self.available
            }
        return ""


@dataclass(frozen=True)
class ShippingRateFacts:
    code: str
    names: dict[str, str]
    countries: list[str]
    days_min: int
    days_max: int
    price: Decimal
    free_above: Decimal | None

    def name_in(self, language: str) -> str:
        return ShippingMethod(code=self.code, names=self.names).name_in(language)


def _lines_of(
    *, cart_id: int, language: str, currency: str, country: str | None
) -> QuerySet[CartLine, tuple[Any, ...]]:
    product = OuterRef("variant__product_id")
    price = VariantPrice.objects.filter(
        variant_id=OuterRef("variant_id"),
        price_list__currency=currency,
        price_list__is_default=True,
        variant__product__is_published=True,
    )
    text = ProductTranslation.objects.filter(product_id=product, language=language)
    rate = TaxRate.objects.filter(
        country=country, tax_class=OuterRef("variant__product__tax_class")
    )
    return (
        CartLine.objects.filter(cart_id=cart_id)
        .annotate(
            text_name=Subquery(text.values("name")[:1]),
            text_slug=Subquery(text.values("slug")[:1]),
            price=Subquery(price.values("amount")[:1]),
            rate=Subquery(rate.values("rate")[:1]),
            available=variant_salable(country=country, variant="variant_id"),
        )
        .order_by("added_at", "id")
        .values_list(
            "variant_id",
            "quantity",
            "variant__sku",
            "variant__product_id",
            "text_name",
            "text_slug",
            "price",
            "rate",
            "available",
        )
    )


def _labels_of(*, cart_id: int, language: str) -> QuerySet[VariantValue, tuple[int, str]]:
    return (
        VariantValue.objects.filter(
            variant_id__in=CartLine.objects.filter(cart_id=cart_id).values("variant_id"),
            value__translations__language=language,
        )
        .order_by("value__attribute__position", "value__position")
        .values_list("variant_id", "value__translations__name")
    )


def _rates_of(*, currency: str) -> QuerySet[ShippingMethod, tuple[Any, ...]]:
    return (
        ShippingMethod.objects.filter(is_active=True, rates__currency=currency)
        .order_by("position", "code")
        .values_list(
            "code",
            "names",
            "countries",
            "days_min",
            "days_max",
            "rates__price",
            "rates__free_above",
        )
    )


# The stand-ins are an id, a language, a currency and a country no cart has (the country in
# capitals, as inventory compares countries). A cart whose country is not known yet counts the
# stock of every warehouse: a statement of its own.
_LINES = Statement(
    _lines_of, cart_id=-7_000_003, language="?stand-in language", currency="?ZZ", country="?Q"
)


def _lines_anywhere_of(
    *, cart_id: int, language: str, currency: str
) -> QuerySet[CartLine, tuple[Any, ...]]:
    return _lines_of(cart_id=cart_id, language=language, currency=currency, country=None)


_LINES_ANYWHERE = Statement(
    _lines_anywhere_of,
    cart_id=-7_000_003,
    language="?stand-in language",
    currency="?ZZ",
)
_LABELS = Statement(_labels_of, cart_id=-7_000_003, language="?stand-in language")
_RATES = Statement(_rates_of, currency="?ZZ")


def _for_sale_of(
    *, variant_id: int, currency: str, country: str | None
) -> QuerySet[Variant, tuple[Any, Any]]:
    price = VariantPrice.objects.filter(
        variant_id=OuterRef("pk"), price_list__currency=currency, price_list__is_default=True
    )
    return (
        Variant.objects.filter(pk=variant_id, product__is_published=True)
        .annotate(has_price=Exists(price), salable=variant_salable(country=country))
        .values_list("has_price", "salable")
    )


def _for_sale_anywhere_of(*, variant_id: int, currency: str) -> QuerySet[Variant, tuple[Any, Any]]:
    return _for_sale_of(variant_id=variant_id, currency=currency, country=None)


# Read by every change of a cart line.
_FOR_SALE = Statement(_for_sale_of, variant_id=-7_000_005, currency="?ZZ", country="?Q")
_FOR_SALE_ANYWHERE = Statement(_for_sale_anywhere_of, variant_id=-7_000_005, currency="?ZZ")


def variant_for_sale(
    *, variant_id: int, currency: str, country: str | None
) -> tuple[bool, int] | None:
    """Whether the published variant has a price in ``currency``'s default price list, and its
    salable stock for ``country`` (every warehouse's without one); None when it is not published
    or does not exist. One statement."""
    if country:
        rows = _FOR_SALE.rows(variant_id=variant_id, currency=currency, country=country)
    else:
        rows = _FOR_SALE_ANYWHERE.rows(variant_id=variant_id, currency=currency)
    if not rows:
        return None
    has_price, salable = rows[0]
    return bool(has_price), int(salable or 0)


def _currencies_of() -> QuerySet[PriceList, tuple[str]]:
    return PriceList.objects.filter(is_default=True).values_list("currency").order_by().distinct()


# Read by every cart created.
_CURRENCIES = Statement(_currencies_of)


def currencies_sold() -> list[str]:
    """The currencies with a default price list, sorted: those a cart can be in (one
    statement)."""
    return sorted(str(currency) for (currency,) in _CURRENCIES.rows())


@dataclass(frozen=True)
class CartAtCheckout:
    """A cart as its checkout finds it, and the attempt already made with the key, if any."""

    status: str
    checkout_key: str
    currency: str
    customer_id: int | None
    attempt_id: int | None


def _at_checkout_of(*, cart_id: int, key: str) -> QuerySet[Cart, tuple[Any, ...]]:
    attempt = CheckoutAttempt.objects.filter(key=key).values("id")[:1]
    return (
        Cart.objects.filter(pk=cart_id)
        .annotate(attempt_id=Subquery(attempt))
        .values_list("status", "checkout_key", "currency", "customer_id", "attempt_id")
    )


# Read by every checkout placed.
_AT_CHECKOUT = Statement(_at_checkout_of, cart_id=-7_000_007, key="?stand-in checkout key")


def cart_at_checkout(*, cart_id: int, key: str) -> CartAtCheckout | None:
    """The cart's state now and the id of the checkout attempt with ``key`` (one statement);
    None when there is no such cart."""
    rows = _AT_CHECKOUT.rows(cart_id=cart_id, key=key)
    return CartAtCheckout(*rows[0]) if rows else None


def _json(raw: Any) -> Any:
    return json.loads(raw) if isinstance(raw, str | bytes) else raw


def cart_lines_priced(
    *, cart_id: int, language: str, currency: str, country: str | None
) -> list[PricedLine]:
    """The cart's lines in the order they were added, priced now (two statements). Without
    ``country`` the VAT rate is 0 and the stock is every warehouse's."""
    if country:
        rows = _LINES.rows(cart_id=cart_id, language=language, currency=currency, country=country)
    else:
        rows = _LINES_ANYWHERE.rows(cart_id=cart_id, language=language, currency=currency)
    if not rows:
        return []
    labels: dict[int, list[str]] = {}
    for variant_id, label in _LABELS.rows(cart_id=cart_id, language=language):
        labels.setdefault(variant_id, []).append(label)
    return [
        PricedLine(
            variant_id=variant_id,
            sku=sku,
            product_id=product_id,
            name=name if name is not None else sku,
            variant_label=" / ".join(labels.get(variant_id, ())),
            slug=slug or "",
            quantity=quantity,
            unit_price=quantize(decimal_from(price), currency) if price is not None else None,
            tax_rate=decimal_from(rate).quantize(RATE_PLACES) if rate is not None else Decimal(0),
            available=int(available or 0),
        )
        for variant_id, quantity, sku, product_id, name, slug, price, rate, available in rows
    ]


def shipping_rates(*, currency: str) -> list[ShippingRateFacts]:
    """The active shipping methods with a rate in ``currency``, in their order (one statement)."""
    return [
        ShippingRateFacts(
            code=code,
            names=_json(names) or {},
            countries=_json(countries) or [],
            days_min=days_min,
            days_max=days_max,
            price=quantize(decimal_from(price), currency),
            free_above=quantize(decimal_from(free), currency) if free is not None else None,
        )
        for code, names, countries, days_min, days_max, price, free in _RATES.rows(
            currency=currency
        )
    ]
