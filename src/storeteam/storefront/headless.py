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

from storeteam.catalog.models import (
    CategoryTranslation,
    ProductImage,
    ProductTranslation,
    ProductValue,
    Variant,
    VariantValue,
)
from storeteam.storefront.markets import store_currency
from storeteam.storefront.selectors import LISTING_CACHE_SECONDS, listing_version


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
    price: Decimal | None  # the cheapest variant's
    compare_at: Decimal | None
    is_available: bool
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
    currency, or None. Cached under the listing's version, which every change to a product, its
    category, its prices or the attributes raises (so a cached product is never stale)."""
    version = listing_version()
    raw = f"{language}|{slug}|{product_id}"
    key = f"storefront:api:product:{version}:{hashlib.sha256(raw.encode()).hexdigest()}"
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
    variants = list(Variant.objects.filter(product=product).order_by("position", "id"))
    variant_values = _labels(
        VariantValue.objects.filter(variant__in=variants, **named)
        .order_by(*ordering)
        .values_list("variant_id", *columns)
    )
    prices = {
        p.variant_id: p
        for p in VariantPrice.objects.filter(
            variant__in=variants, price_list__currency=currency, price_list__is_default=True
        )
    }
    details = [
        VariantDetail(
            variant_id=v.pk,
            sku=v.sku,
            values=variant_values.get(v.pk, []),
            price=prices[v.pk].amount if v.pk in prices else None,
            compare_at=prices[v.pk].compare_at if v.pk in prices else None,
        )
        for v in variants
    ]
    priced = [d for d in details if d.price is not None]
    cheapest = min(priced, key=lambda d: d.price or Decimal(0)) if priced else None
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
        is_available=bool(priced),
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
