"""Reads for the shopper's pages. Each page is a fixed, small number of indexed queries
(pinned by tests/storefront/test_queries.py), whatever the size of the catalog."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet

from storeteam.catalog.models import (
    Attribute,
    AttributeTranslation,
    AttributeValueTranslation,
    Category,
    CategoryTranslation,
    ProductImage,
    ProductTranslation,
)
from storeteam.storefront.models import ListingEntry, ListingValue

PER_PAGE = 24
SORTS = ("relevance", "price_asc", "price_desc", "newest", "bestselling")
ORDERING = {
    "relevance": ("-sales_count", "-created_at", "product_id"),
    "bestselling": ("-sales_count", "product_id"),
    "price_asc": ("price", "product_id"),
    "price_desc": ("-price", "product_id"),
    "newest": ("-created_at", "product_id"),
}


@dataclass(frozen=True)
class ListingQuery:
    category_path: str
    currency: str
    language: str
    selected: dict[int, frozenset[int]] = field(default_factory=dict)  # attribute id -> value ids
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    available_only: bool = False
    sort: str = "relevance"
    page: int = 1


@dataclass(frozen=True)
class ProductCard:
    product_id: int
    name: str
    slug: str
    price: Decimal
    compare_at: Decimal | None
    currency: str
    is_available: bool
    image: ProductImage | None


@dataclass(frozen=True)
class FacetValue:
    value_id: int
    name: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Facet:
    attribute_id: int
    code: str
    name: str
    values: list[FacetValue]


@dataclass(frozen=True)
class ListingPage:
    cards: list[ProductCard]
    total: int
    page: int
    pages: int
    facets: list[Facet]


def _filtered(query: ListingQuery, *, without: int | None = None) -> QuerySet[ListingEntry]:
    entries = ListingEntry.objects.filter(
        currency=query.currency, category_path__startswith=query.category_path
    )
    if query.available_only:
        entries = entries.filter(is_available=True)
    if query.price_min is not None:
        entries = entries.filter(price__gte=query.price_min)
    if query.price_max is not None:
        entries = entries.filter(price__lte=query.price_max)
    # AND across attributes, OR within one attribute's values.
    for attribute_id, value_ids in sorted(query.selected.items()):
        if attribute_id == without or not value_ids:
            continue
        entries = entries.filter(
            product_id__in=ListingValue.objects.filter(value_id__in=sorted(value_ids)).values(
                "product_id"
            )
        )
    return entries


def facet_attributes(language: str) -> list[tuple[Attribute, str]]:
    """The facet attributes with their names in ``language``."""
    attributes = list(Attribute.objects.filter(is_facet=True).order_by("position", "code"))
    names = dict(
        AttributeTranslation.objects.filter(
            attribute__in=attributes, language=language
        ).values_list("attribute_id", "name")
    )
    return [(a, names.get(a.pk, a.code)) for a in attributes]


def listing_page(query: ListingQuery) -> ListingPage:
    """One page of a category's products with facet counts.

    A facet's counts apply every filter except its own, so a shopper sees how many products each
    further value would add (disjunctive faceting).
    """
    entries = _filtered(query)
    total = entries.count()
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(query.page, 1), pages)
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in entries.order_by(*ORDERING.get(query.sort, ORDERING["relevance"])).values(
            "product_id", "price", "compare_at", "is_available"
        )[(page - 1) * PER_PAGE : page * PER_PAGE]
    ]
    cards = _cards(rows, query.language, query.currency)
    return ListingPage(cards=cards, total=total, page=page, pages=pages, facets=_facets(query))


def _cards(rows: list[dict[str, Any]], language: str, currency: str) -> list[ProductCard]:
    ids = [r["product_id"] for r in rows]
    texts: dict[int, tuple[str, str]] = {
        product_id: (name, slug)
        for product_id, name, slug in ProductTranslation.objects.filter(
            product_id__in=ids, language=language
        ).values_list("product_id", "name", "slug")
    }
    images: dict[int, ProductImage] = {}
    for image in ProductImage.objects.filter(product_id__in=ids).order_by(
        "product_id", "position", "id"
    ):
        images.setdefault(image.product_id, image)
    return [
        ProductCard(
            product_id=r["product_id"],
            name=texts.get(r["product_id"], ("", ""))[0],
            slug=texts.get(r["product_id"], ("", ""))[1],
            price=r["price"],
            compare_at=r["compare_at"],
            currency=currency,
            is_available=r["is_available"],
            image=images.get(r["product_id"]),
        )
        for r in rows
    ]


def _facets(query: ListingQuery) -> list[Facet]:
    attributes = facet_attributes(query.language)
    if not attributes:
        return []
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    unselected = [a.pk for a, _name in attributes if not query.selected.get(a.pk)]
    if unselected:
        base = _filtered(query).values("product_id")
        for row in (
            ListingValue.objects.filter(attribute_id__in=unselected, product_id__in=base)
            .values("attribute_id", "value_id")
            .annotate(n=Count("product_id"))
            .order_by()
        ):
            counts[row["attribute_id"]][row["value_id"]] = row["n"]
    for attribute, _name in attributes:
        if query.selected.get(attribute.pk):
            base = _filtered(query, without=attribute.pk).values("product_id")
            for value_id, n in (
                ListingValue.objects.filter(attribute_id=attribute.pk, product_id__in=base)
                .values("value_id")
                .annotate(n=Count("product_id"))
                .order_by()
                .values_list("value_id", "n")
            ):
                counts[attribute.pk][value_id] = n
    value_ids = [v for per in counts.values() for v in per] + [
        v for values in query.selected.values() for v in values
    ]
    names: dict[int, str] = {}
    positions: dict[int, int] = {}
    for value_id, value_name, position in AttributeValueTranslation.objects.filter(
        value_id__in=set(value_ids), language=query.language
    ).values_list("value_id", "name", "value__position"):
        names[value_id] = value_name
        positions[value_id] = position
    facets = []
    for attribute, name in attributes:
        per = counts.get(attribute.pk, {})
        chosen = query.selected.get(attribute.pk, frozenset())
        ids = set(per) | set(chosen)
        if not ids:
            continue
        values = [
            FacetValue(
                value_id=v, name=names.get(v, str(v)), count=per.get(v, 0), selected=v in chosen
            )
            for v in sorted(ids, key=lambda v: (positions.get(v, 0), names.get(v, "")))
        ]
        facets.append(
            Facet(attribute_id=attribute.pk, code=attribute.code, name=name, values=values)
        )
    return facets


def category_by_slug(*, slug: str, language: str) -> CategoryTranslation | None:
    return (
        CategoryTranslation.objects.select_related("category")
        .filter(slug=slug, language=language, category__is_published=True)
        .first()
    )


def category_trail(category: Category, language: str) -> list[CategoryTranslation]:
    """The category's ancestors and itself, root first (for breadcrumbs)."""
    parts = category.path.split(".")[:-1]
    prefixes = [".".join(parts[: i + 1]) + "." for i in range(len(parts))]
    return list(
        CategoryTranslation.objects.filter(category__path__in=prefixes, language=language)
        .select_related("category")
        .order_by("category__depth")
    )


def category_children(category: Category | None, language: str) -> list[CategoryTranslation]:
    return list(
        CategoryTranslation.objects.filter(
            category__parent=category, category__is_published=True, language=language
        )
        .select_related("category")
        .order_by("category__position")
    )
