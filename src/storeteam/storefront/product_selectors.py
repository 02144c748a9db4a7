"""Reads for product pages (S7, S8, and I1 on the shopper's side).

A product page has two parts. Its content (texts, variants with their labels and prices,
pictures, breadcrumb, the slugs in other languages) is the same for every shopper of one language
and currency until the catalog or the prices change, so it is computed once and cached under the
listing's version, which the storefront raises on every ProductsChanged, PricesChanged,
ProductImagesChanged and AttributesChanged it handles (``product_content``). Its stock is read for
every page rendered, with what pages last showed of it (``VariantStockShown``), in one query.

Cold, a page is 7 queries: its cache key's versions, 5 for the content, 1 for the stock; with the
content cached, 2 (pinned by tests/storefront/test_pages.py). A whole page is cached too
(storefront.page_cache), under the listing's version and the product's own page version, which
``services.stock_shown_refresh`` raises when the stock a page shows changes.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import OuterRef, QuerySet, Subquery

from storeteam.catalog.models import (
    ProductImage,
    ProductTranslation,
    Variant,
    VariantValue,
)
from storeteam.core.money import quantize
from storeteam.core.statements import Statement, decimal_from
from storeteam.inventory.selectors import variant_salable
from storeteam.pricing.models import VariantPrice
from storeteam.storefront.models import ListingState, ProductPageState, VariantStockShown
from storeteam.storefront.selectors import Crumb, category_trail_cached, listing_version

LOW_STOCK_SHOWN = 5  # from this many salable units down, a page says "only N left"
PRODUCT_CACHE_SECONDS = 600


def stock_level(salable: int) -> int:
    """What a page shows of ``salable`` units: 0 (out of stock), 1 to LOW_STOCK_SHOWN (that many
    left), or LOW_STOCK_SHOWN + 1 (in stock). A page changes only when this does."""
    return max(0, min(salable, LOW_STOCK_SHOWN + 1))


@dataclass(frozen=True)
class VariantContent:
    variant_id: int
    sku: str
    label: str
    price: Decimal | None
    compare_at: Decimal | None


@dataclass(frozen=True)
class ProductContent:
    """What a product page shows besides the stock, for one language and currency."""

    product_id: int
    name: str
    slug: str
    description: str
    currency: str
    variants: list[VariantContent]
    images: list[ProductImage]
    trail: list[Crumb]  # the product's category and its ancestors, root first
    alternates: dict[str, str]  # language -> slug


@dataclass(frozen=True)
class VariantOption:
    variant_id: int
    sku: str
    label: str
    price: Decimal | None
    compare_at: Decimal | None
    stock: int = 0  # stock_level: 0 out, 1..LOW_STOCK_SHOWN left, LOW_STOCK_SHOWN + 1 plenty

    @property
    def is_available(self) -> bool:
        """Priced in the shopper's currency and in stock for the shopper's country."""
        return self.price is not None and self.stock > 0

    @property
    def is_low(self) -> bool:
        return 0 < self.stock <= LOW_STOCK_SHOWN


@dataclass(frozen=True)
class ProductPage:
    product_id: int
    name: str
    slug: str
    description: str
    currency: str
    price: Decimal | None
    compare_at: Decimal | None
    is_available: bool
    variants: list[VariantOption]
    images: list[ProductImage]
    alternates: dict[str, str]  # language -> slug
    trail: list[Crumb]  # the product's category and its ancestors, root first
    # Whether every variant's stock level is the one recorded from StockLevelsChanged
    # (VariantStockShown), whose next change drops a cached copy of this page; False while a
    # change is on its way, when the page must not be kept.
    stock_settled: bool = True

    @property
    def stock(self) -> int:
        """The stock level the page states for the product: its only variant's; with several,
        in stock while any can be bought (each variant states its own)."""
        if not self.is_available:
            return 0
        return self.variants[0].stock if len(self.variants) == 1 else LOW_STOCK_SHOWN + 1

    @property
    def is_low(self) -> bool:
        return 0 < self.stock <= LOW_STOCK_SHOWN

    @property
    def first_available(self) -> VariantOption | None:
        """The variant chosen when the page opens: the first a shopper can buy."""
        return next((v for v in self.variants if v.is_available), None)


def product_page(
    *, slug: str, language: str, currency: str, country: str, version: int | None = None
) -> ProductPage | None:
    """A published product by its slug in ``language``, with variants priced in ``currency`` and
    their salable stock for shoppers in ``country`` (``inventory.selectors.variant_salable``),
    or None. ``version`` is the listing's, when the caller has read it already.

    The price is the lowest of the variants a shopper can buy (of those priced when none can)."""
    content = product_content(slug=slug, language=language, currency=currency, version=version)
    if content is None:
        return None
    stock = _product_stock(content.product_id, country)
    options = []
    settled = True
    for v in content.variants:
        salable, shown = stock.get(v.variant_id, (0, None))
        level = stock_level(salable)
        # A level not yet recorded is settled too: its first StockLevelsChanged raises the
        # page's version.
        settled = settled and (shown is None or shown == level)
        options.append(
            VariantOption(
                variant_id=v.variant_id,
                sku=v.sku,
                label=v.label,
                price=v.price,
                compare_at=v.compare_at,
                stock=level,
            )
        )
    buyable = [o for o in options if o.is_available] or [o for o in options if o.price is not None]
    cheapest = min(buyable, key=lambda o: o.price or Decimal(0)) if buyable else None
    return ProductPage(
        product_id=content.product_id,
        name=content.name,
        slug=content.slug,
        description=content.description,
        currency=currency,
        price=cheapest.price if cheapest else None,
        compare_at=cheapest.compare_at if cheapest else None,
        is_available=any(o.is_available for o in options),
        variants=options,
        images=content.images,
        alternates=content.alternates,
        trail=content.trail,
        stock_settled=settled,
    )


def product_content(
    *, slug: str, language: str, currency: str, version: int | None = None
) -> ProductContent | None:
    """The content of the published product at ``slug`` in ``language`` priced in ``currency``
    (None when there is none), from the cache while the listing's version holds: every change to
    a product, its category, its prices, its pictures or the attributes raises that version, so
    the content is never older than the last change handled."""
    version = version if version is not None else listing_version()
    raw = f"{language}|{currency}|{slug}"
    key = f"storefront:product:{version}:{hashlib.sha256(raw.encode()).hexdigest()}"
    found: tuple[ProductContent | None] | None = cache.get(key)
    if found is None:
        found = (
            _product_content(slug=slug, language=language, currency=currency, version=version),
        )
        cache.set(key, found, PRODUCT_CACHE_SECONDS)
    return found[0]


def _texts_of(
    *, slug: str, language: str
) -> QuerySet[ProductTranslation, tuple[str, str, str, str, int, str]]:
    owner = ProductTranslation.objects.filter(
        slug=slug, language=language, product__is_published=True
    ).values("product_id")[:1]
    return ProductTranslation.objects.filter(product_id=Subquery(owner)).values_list(
        "language", "slug", "name", "description", "product_id", "product__category__path"
    )


def _variants_of(*, product_id: int, currency: str) -> QuerySet[Variant, tuple[int, str, Any, Any]]:
    price = VariantPrice.objects.filter(
        variant_id=OuterRef("pk"), price_list__currency=currency, price_list__is_default=True
    )
    return (
        Variant.objects.filter(product_id=product_id)
        .annotate(
            price=Subquery(price.values("amount")[:1]),
            compare_at=Subquery(price.values("compare_at")[:1]),
        )
        .order_by("position", "id")
        .values_list("pk", "sku", "price", "compare_at")
    )


def _labels_of(*, product_id: int, language: str) -> QuerySet[VariantValue, tuple[int, str]]:
    return (
        VariantValue.objects.filter(
            variant__product_id=product_id, value__translations__language=language
        )
        .order_by("value__attribute__position", "value__position")
        .values_list("variant_id", "value__translations__name")
    )


# A cold product page reads these three; the stand-ins are values no product, language or
# currency has.
_TEXTS = Statement(_texts_of, slug="?stand-in slug", language="?stand-in language")
_VARIANTS = Statement(_variants_of, product_id=987_654_321_987, currency="?ZZ")
_LABELS = Statement(_labels_of, product_id=987_654_321_987, language="?stand-in language")


def _amount(raw: Any, currency: str) -> Decimal | None:
    """A price as the driver gave it (SQLite: an int or a float, as stored; PostgreSQL: a
    Decimal) as the store's Decimal."""
    if raw is None:
        return None
    return quantize(decimal_from(raw), currency)


def _product_content(
    *, slug: str, language: str, currency: str, version: int
) -> ProductContent | None:
    # Every translation of the product in one query: this language's text and the others' slugs.
    texts = _TEXTS.rows(slug=slug, language=language)
    text = next((t for t in texts if t[0] == language and t[1] == slug), None)
    if text is None:
        return None
    _language, _slug, name, description, product_id, category_path = text
    labels: dict[int, list[str]] = defaultdict(list)
    for variant_id, label in _LABELS.rows(product_id=product_id, language=language):
        labels[variant_id].append(label)
    return ProductContent(
        product_id=product_id,
        name=name,
        slug=slug,
        description=description,
        currency=currency,
        variants=[
            VariantContent(
                variant_id=pk,
                sku=sku,
                label=" / ".join(labels.get(pk, [])) or sku,
                price=_amount(amount, currency),
                compare_at=_amount(compare_at, currency),
            )
            for pk, sku, amount, compare_at in _VARIANTS.rows(
                product_id=product_id, currency=currency
            )
        ],
        images=list(ProductImage.objects.filter(product_id=product_id).order_by("position", "id")),
        trail=category_trail_cached(category_path, language, version),
        alternates={t[0]: t[1] for t in texts},
    )


def _stock_of(*, product_id: int, country: str) -> QuerySet[Variant, tuple[int, int, int | None]]:
    shown = VariantStockShown.objects.filter(variant_id=OuterRef("pk"), country=country)
    return (
        Variant.objects.filter(product_id=product_id)
        .annotate(
            salable=variant_salable(country=country),
            shown=Subquery(shown.values("level")[:1]),
        )
        .values_list("pk", "salable", "shown")
    )


# Read for every product page rendered; its stand-ins are an id and a country no one has (in
# capitals, as inventory compares countries).
_STOCK = Statement(_stock_of, product_id=-7_000_001, country="?ZZ")


def _product_stock(product_id: int, country: str) -> dict[int, tuple[int, int | None]]:
    """variant id -> (salable units for ``country``, the level pages last showed or None), for
    every variant of the product, in one query."""
    return {
        pk: (int(salable), shown)
        for pk, salable, shown in _STOCK.rows(product_id=product_id, country=country)
    }


def _versions_of(*, slug: str, language: str) -> QuerySet[ListingState, tuple[int, int | None]]:
    owner = ProductTranslation.objects.filter(slug=slug, language=language).values("product_id")
    page = ProductPageState.objects.filter(product_id=Subquery(owner[:1]))
    return (
        ListingState.objects.filter(pk=1)
        .annotate(page=Subquery(page.values("version")[:1]))
        .values_list("version", "page")
    )


# Read for every product page shown, cached or not.
_VERSIONS = Statement(_versions_of, slug="?stand-in slug", language="?stand-in language")


def _versions_by_id(*, product_id: int) -> QuerySet[ListingState, tuple[int, int | None]]:
    page = ProductPageState.objects.filter(product_id=product_id)
    return (
        ListingState.objects.filter(pk=1)
        .annotate(page=Subquery(page.values("version")[:1]))
        .values_list("version", "page")
    )


_VERSIONS_BY_ID = Statement(_versions_by_id, product_id=987_654_321_987)


def product_versions_by_id(*, product_id: int) -> tuple[int, int]:
    """``product_page_versions`` of the product ``product_id``, in one query."""
    rows = _VERSIONS_BY_ID.rows(product_id=product_id)
    if not rows:  # nothing listed yet: the listing is at its first version
        version = (
            ProductPageState.objects.filter(product_id=product_id)
            .values_list("version", flat=True)
            .first()
        )
        return 1, int(version or 0)
    return int(rows[0][0]), int(rows[0][1] or 0)


def product_page_versions(*, slug: str, language: str) -> tuple[int, int]:
    """The listing's version and the version of the page of the product at ``slug`` in
    ``language`` (0 before its stock first changed), in one query: the key of its cached page."""
    rows = _VERSIONS.rows(slug=slug, language=language)
    if not rows:  # nothing listed yet: the listing is at its first version
        owner = ProductTranslation.objects.filter(slug=slug, language=language)
        version = (
            ProductPageState.objects.filter(product_id__in=owner.values("product_id"))
            .values_list("version", flat=True)
            .first()
        )
        return 1, int(version or 0)
    return int(rows[0][0]), int(rows[0][1] or 0)
