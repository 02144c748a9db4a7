"""Reads for headless fronts (the catalog API, storefront/api.py) that the shopper's pages do not
need: the whole category tree, and a product with every variant's attribute values and price.
Listings, facets and search are the pages' own selectors (storefront.selectors), reused as they
are. Each read here is a fixed number of queries (pinned by tests/storefront/test_api.py)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db.models import OuterRef, Subquery

from storeteam.catalog.models import (
    CategoryTranslation,
    ProductImage,
    ProductTranslation,
    ProductValue,
    Variant,
    VariantValue,
)
from storeteam.core.money import quantize
from storeteam.inventory.selectors import variant_salable
from storeteam.storefront.markets import store_country, store_currency
from storeteam.storefront.product_selectors import product_page_versions, product_versions_by_id
from storeteam.storefront.selectors import LISTING_CACHE_SECONDS


@dataclass
class CategoryNode:
    category_id: int
    name: str
    slug: str
    depth: int
    children: list[CategoryNode]


def category_tree(language: str) -> list[CategoryNode]:
    """Every published category reachable from a published department, in tree order, named in
    ``language``: one query, however deep the tree."""
    nodes: dict[str, CategoryNode] = {}
    roots: list[CategoryNode] = []
    rows = (
        CategoryTranslation.objects.filter(language=language, category__is_published=True)
        .order_by("category__path")
        .values_list("category_id", "category__path", "category__depth", "name", "slug")
    )
    for category_id, path, depth, name, slug in rows:
        node = CategoryNode(category_id, name, slug, depth, [])
        nodes[path] = node
        parent_path = path[: path.rstrip(".").rfind(".") + 1]
        if not parent_path:
            roots.append(node)
        elif parent_path in nodes:  # under an unpublished category: not reachable, left out
            nodes[parent_path].children.append(node)
    return roots


@dataclass(frozen=True)
class ValueLabel:
    attribute: str
    attribute_name: str
    value: str
    name: str


@dataclass(frozen=True)
class VariantDetail:
    variant_id: int
    sku: str
    values: list[ValueLabel]
    price: Decimal | None
    compare_at: Decimal | None


@dataclass(frozen=True)
class ImageDetail:
    url: str
    width: int
    height: int
    alt: str


@dataclass(frozen=True)
class ProductDetail:
    product_id: int
    name: str
    slug: str
    description: str
    currency: str
    price: Decimal | None  # the cheapest variant in stock's (of the priced ones when none is)
    compare_at: Decimal | None
    is_available: bool  # some variant priced and in stock for the language's country
    category: tuple[int, str, str] | None  # id, name, slug
    attributes: list[ValueLabel]
    variants: list[VariantDetail]
    images: list[ImageDetail]
    slugs: dict[str, str]  # language -> slug


PRODUCT_CACHE_SECONDS = LISTING_CACHE_SECONDS


def product_detail(
    *, language: str, slug: str | None = None, product_id: int | None = None
) -> ProductDetail | None:
    """A published product by its slug in ``language`` or by id, priced in the language's
    currency and in stock or not for its country, or None. Cached under the listing's version,
    which every change to a product, its category, its prices or the attributes raises, and the
    product page's, which a change of the stock pages show raises (so a cached product is never
    older than the last change handled)."""
    listing, page = (
        product_page_versions(slug=slug, language=language)
        if slug is not None
        else product_versions_by_id(product_id=product_id or 0)
    )
    raw = f"{language}|{slug}|{product_id}"
    digest = hashlib.sha256(raw.encode()).hexdigest()
    key = f"storefront:api:product:{listing}:{page}:{digest}"
    found: tuple[ProductDetail | None] | None = cache.get(key)
    if found is None:
        found = (_product_detail(language=language, slug=slug, product_id=product_id),)
        cache.set(key, found, PRODUCT_CACHE_SECONDS)
    return found[0]


def _labels(rows: object) -> dict[int, list[ValueLabel]]:
    labels: dict[int, list[ValueLabel]] = defaultdict(list)
    for owner, attribute, attribute_name, value, name in rows:  # type: ignore[attr-defined]
        labels[owner].append(ValueLabel(attribute, attribute_name, value, name))
    return labels


def _product_detail(
    *, language: str, slug: str | None, product_id: int | None
) -> ProductDetail | None:
    from storeteam.pricing.models import VariantPrice

    texts = ProductTranslation.objects.select_related("product").filter(
        language=language, product__is_published=True
    )
    text = (
        texts.filter(slug=slug).first()
        if slug is not None
        else texts.filter(product_id=product_id or 0).first()
    )
    if text is None:
        return None
    product = text.product
    currency = store_currency(language)
    ordering = ("value__attribute__position", "value__attribute__code", "value__position")
    named = {
        "value__translations__language": language,
        "value__attribute__translations__language": language,
    }
    columns = (
        "value__attribute__code",
        "value__attribute__translations__name",
        "value__code",
        "value__translations__name",
    )
    attributes = _labels(
        ProductValue.objects.filter(product=product, **named)
        .order_by(*ordering)
        .values_list("product_id", *columns)
    ).get(product.pk, [])
    # Each variant with its price in the currency and its salable stock for the country.
    price = VariantPrice.objects.filter(
        variant_id=OuterRef("pk"), price_list__currency=currency, price_list__is_default=True
    )
    variants = list(
        Variant.objects.filter(product=product)
        .annotate(
            price=Subquery(price.values("amount")[:1]),
            compare_at=Subquery(price.values("compare_at")[:1]),
            salable=variant_salable(country=store_country(language)),
        )
        .order_by("position", "id")
        .values_list("pk", "sku", "price", "compare_at", "salable")
    )
    variant_values = _labels(
        VariantValue.objects.filter(variant__product=product, **named)
        .order_by(*ordering)
        .values_list("variant_id", *columns)
    )
    details = [
        VariantDetail(
            variant_id=pk,
            sku=sku,
            values=variant_values.get(pk, []),
            price=None if amount is None else quantize(amount, currency),
            compare_at=None if compare_at is None else quantize(compare_at, currency),
        )
        for pk, sku, amount, compare_at, _salable in variants
    ]
    in_stock = {
        pk for pk, _sku, amount, _compare, salable in variants if amount is not None and salable > 0
    }
    priced = [d for d in details if d.price is not None]
    buyable = [d for d in priced if d.variant_id in in_stock]
    cheapest = min(buyable or priced, key=lambda d: d.price or Decimal(0)) if priced else None
    category = (
        CategoryTranslation.objects.filter(
            category_id=product.category_id, language=language, category__is_published=True
        )
        .values_list("category_id", "name", "slug")
        .first()
    )
    return ProductDetail(
        product_id=product.pk,
        name=text.name,
        slug=text.slug,
        description=text.description,
        currency=currency,
        price=cheapest.price if cheapest else None,
        compare_at=cheapest.compare_at if cheapest else None,
        is_available=bool(buyable),
        category=category,
        attributes=attributes,
        variants=details,
        images=[
            ImageDetail(url=i.src(1200), width=i.width, height=i.height, alt=i.alt_in(language))
            for i in ProductImage.objects.filter(product=product).order_by("position", "id")
        ],
        slugs=dict(
            ProductTranslation.objects.filter(product=product)
            .order_by("language")
            .values_list("language", "slug")
        ),
    )
