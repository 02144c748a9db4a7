"""Reads for the shopper's pages. Each page is a fixed, small number of indexed queries
(pinned by tests/storefront/test_queries.py), whatever the size of the catalog."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Count, QuerySet

from storeteam.catalog.models import (
    Attribute,
    AttributeTranslation,
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
    code: str
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


@dataclass(frozen=True)
class FacetVocabulary:
    """The facet attributes and their values in one language: names, codes, order. Rarely
    changes, so it is cached (see facet_vocabulary)."""

    attributes: list[tuple[int, str, str]]  # (id, code, name) in display order
    value_ids: dict[str, dict[str, int]]  # attribute code -> value code -> value id
    values: dict[int, tuple[str, str, int]]  # value id -> (code, name, position)

    @property
    def attribute_ids(self) -> dict[str, int]:
        return {code: pk for pk, code, _name in self.attributes}


VOCABULARY_SECONDS = 300


def facet_vocabulary(language: str, version: int | None = None) -> FacetVocabulary:
    """The facet vocabulary for ``language``, from the cache while the listing version holds
    (attribute changes raise it, through AttributesChanged)."""
    key = f"storefront:facets:{language}:{version if version is not None else listing_version()}"
    vocabulary: FacetVocabulary | None = cache.get(key)
    if vocabulary is None:
        vocabulary = _load_vocabulary(language)
        cache.set(key, vocabulary, VOCABULARY_SECONDS)
    return vocabulary


def _load_vocabulary(language: str) -> FacetVocabulary:
    from storeteam.catalog.models import AttributeValue

    attributes = list(Attribute.objects.filter(is_facet=True).order_by("position", "code"))
    names = dict(
        AttributeTranslation.objects.filter(
            attribute__in=attributes, language=language
        ).values_list("attribute_id", "name")
    )
    value_ids: dict[str, dict[str, int]] = defaultdict(dict)
    values: dict[int, tuple[str, str, int]] = {}
    for pk, code, position, attribute_code, name in AttributeValue.objects.filter(
        attribute__is_facet=True, translations__language=language
    ).values_list("pk", "code", "position", "attribute__code", "translations__name"):
        value_ids[attribute_code][code] = pk
        values[pk] = (code, name, position)
    return FacetVocabulary(
        attributes=[(a.pk, a.code, names.get(a.pk, a.code)) for a in attributes],
        value_ids=dict(value_ids),
        values=values,
    )


LISTING_CACHE_SECONDS = 600


def listing_version() -> int:
    """The listing's current version (one indexed row; see storefront.models.ListingState)."""
    from storeteam.storefront.models import ListingState

    version = ListingState.objects.filter(pk=1).values_list("version", flat=True).first()
    return int(version or 1)


def _listing_key(query: ListingQuery, version: int) -> str:
    selected = ";".join(
        f"{a}:{','.join(map(str, sorted(v)))}" for a, v in sorted(query.selected.items())
    )
    raw = "|".join(
        map(
            str,
            (
                query.category_path,
                query.currency,
                query.language,
                selected,
                query.price_min,
                query.price_max,
                query.available_only,
                query.sort,
                query.page,
            ),
        )
    )
    return f"storefront:listing:{version}:{hashlib.sha256(raw.encode()).hexdigest()}"


def listing_page(query: ListingQuery, version: int | None = None) -> ListingPage:
    """One page of a category's products with facet counts, from the cache when the listing has
    not changed since it was computed (the key carries the listing version).

    A facet's counts apply every filter except its own, so a shopper sees how many products each
    further value would add (disjunctive faceting).
    """
    version = version if version is not None else listing_version()
    key = _listing_key(query, version)
    page: ListingPage | None = cache.get(key)
    if page is None:
        page = _listing_page(query, version)
        cache.set(key, page, LISTING_CACHE_SECONDS)
    return page


def _listing_page(query: ListingQuery, version: int) -> ListingPage:
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
    return ListingPage(
        cards=cards, total=total, page=page, pages=pages, facets=_facets(query, version)
    )


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


def _facets(query: ListingQuery, version: int) -> list[Facet]:
    vocabulary = facet_vocabulary(query.language, version)
    if not vocabulary.attributes:
        return []
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    unselected = [pk for pk, _code, _name in vocabulary.attributes if not query.selected.get(pk)]
    if unselected:
        base = _filtered(query).values("product_id")
        for attribute_id, value_id, n in (
            ListingValue.objects.filter(attribute_id__in=unselected, product_id__in=base)
            .values("attribute_id", "value_id")
            .annotate(n=Count("product_id"))
            .order_by()
            .values_list("attribute_id", "value_id", "n")
        ):
            counts[attribute_id][value_id] = n
    for attribute_id, _code, _name in vocabulary.attributes:
        if query.selected.get(attribute_id):
            base = _filtered(query, without=attribute_id).values("product_id")
            for value_id, n in (
                ListingValue.objects.filter(attribute_id=attribute_id, product_id__in=base)
                .values("value_id")
                .annotate(n=Count("product_id"))
                .order_by()
                .values_list("value_id", "n")
            ):
                counts[attribute_id][value_id] = n
    facets = []
    for attribute_id, code, name in vocabulary.attributes:
        per = counts.get(attribute_id, {})
        chosen = query.selected.get(attribute_id, frozenset())
        ids = (set(per) | set(chosen)) & set(vocabulary.values)
        if not ids:
            continue
        ordered = sorted(ids, key=lambda v: (vocabulary.values[v][2], vocabulary.values[v][1]))
        values = [
            FacetValue(
                value_id=v,
                code=vocabulary.values[v][0],
                name=vocabulary.values[v][1],
                count=per.get(v, 0),
                selected=v in chosen,
            )
            for v in ordered
        ]
        facets.append(Facet(attribute_id=attribute_id, code=code, name=name, values=values))
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


@dataclass(frozen=True)
class VariantOption:
    variant_id: int
    sku: str
    label: str
    price: Decimal | None
    compare_at: Decimal | None


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
    category: CategoryTranslation | None
    alternates: dict[str, str]  # language -> slug


def product_page(*, slug: str, language: str, currency: str) -> ProductPage | None:
    """A published product by its slug in ``language``, with variants priced in ``currency``."""
    from storeteam.catalog.models import Variant, VariantValue
    from storeteam.pricing.models import VariantPrice

    text = (
        ProductTranslation.objects.select_related("product")
        .filter(slug=slug, language=language, product__is_published=True)
        .first()
    )
    if text is None:
        return None
    product = text.product
    variants = list(Variant.objects.filter(product=product).order_by("position", "id"))
    prices = {
        p.variant_id: p
        for p in VariantPrice.objects.filter(
            variant__in=variants, price_list__currency=currency, price_list__is_default=True
        )
    }
    labels: dict[int, list[str]] = defaultdict(list)
    for variant_id, name in (
        VariantValue.objects.filter(variant__in=variants)
        .filter(value__translations__language=language)
        .order_by("value__attribute__position", "value__position")
        .values_list("variant_id", "value__translations__name")
    ):
        labels[variant_id].append(name)
    options = [
        VariantOption(
            variant_id=v.pk,
            sku=v.sku,
            label=" / ".join(labels.get(v.pk, [])) or v.sku,
            price=prices[v.pk].amount if v.pk in prices else None,
            compare_at=prices[v.pk].compare_at if v.pk in prices else None,
        )
        for v in variants
    ]
    priced = [o for o in options if o.price is not None]
    cheapest = min(priced, key=lambda o: o.price or Decimal(0)) if priced else None
    alternates = dict(
        ProductTranslation.objects.filter(product=product).values_list("language", "slug")
    )
    category = (
        CategoryTranslation.objects.filter(category_id=product.category_id, language=language)
        .select_related("category")
        .first()
    )
    return ProductPage(
        product_id=product.pk,
        name=text.name,
        slug=text.slug,
        description=text.description,
        currency=currency,
        price=cheapest.price if cheapest else None,
        compare_at=cheapest.compare_at if cheapest else None,
        is_available=bool(priced),
        variants=options,
        images=list(ProductImage.objects.filter(product=product).order_by("position", "id")),
        category=category,
        alternates=alternates,
    )


def translated_slug(*, kind: str, slug: str, language: str) -> str | None:
    """The slug in ``language`` of the product or category whose slug in another language is
    ``slug`` (a shared link, or the language switch on a page), or None."""
    model: Any = ProductTranslation if kind == "product" else CategoryTranslation
    owner = "product_id" if kind == "product" else "category_id"
    found = model.objects.filter(slug=slug).values_list(owner, flat=True).first()
    if found is None:
        return None
    slug_in_language: str | None = (
        model.objects.filter(**{owner: found, "language": language})
        .values_list("slug", flat=True)
        .first()
    )
    return slug_in_language


@dataclass(frozen=True)
class SearchPage:
    text: str
    searched_for: str
    corrected: bool
    cards: list[ProductCard]
    total: int
    page: int
    pages: int


SEARCH_CACHE_SECONDS = 600


def search_page(*, text: str, language: str, currency: str, page: int = 1) -> SearchPage:
    """Listed products matching ``text``, best first, a page at a time (S5), from the cache while
    neither the listing nor the search vocabulary has changed since it was computed."""
    from storeteam.catalog.search import normalise, search_version

    versions = f"{listing_version()}:{search_version()}"
    raw = "|".join([normalise(text).strip(), language, currency, str(page)])
    key = f"storefront:search:{versions}:{hashlib.sha256(raw.encode()).hexdigest()}"
    cached: SearchPage | None = cache.get(key)
    if cached is None:
        cached = _search_page(text=text, language=language, currency=currency, page=page)
        cache.set(key, cached, SEARCH_CACHE_SECONDS)
    return cached


def _search_page(*, text: str, language: str, currency: str, page: int) -> SearchPage:
    from storeteam.catalog.search import product_search

    result = product_search(text=text, language=language)
    listed: dict[int, dict[str, Any]] = {
        row["product_id"]: dict(row)
        for row in ListingEntry.objects.filter(
            product_id__in=result.product_ids, currency=currency
        ).values("product_id", "price", "compare_at", "is_available")
    }
    ranked = [listed[i] for i in result.product_ids if i in listed]
    pages = max(1, -(-len(ranked) // PER_PAGE))
    page = min(max(page, 1), pages)
    return SearchPage(
        text=text,
        searched_for=result.query,
        corrected=result.corrected,
        cards=_cards(ranked[(page - 1) * PER_PAGE : page * PER_PAGE], language, currency),
        total=len(ranked),
        page=page,
        pages=pages,
    )


def search_suggestions(*, text: str, language: str, limit: int = 8) -> list[tuple[str, str]]:
    """(name, slug) of the best matches for what the shopper has typed so far."""
    from storeteam.catalog.search import product_search

    ids = product_search(text=text, language=language, limit=limit).product_ids
    texts = {
        pid: (name, slug)
        for pid, name, slug in ProductTranslation.objects.filter(
            product_id__in=ids, language=language
        ).values_list("product_id", "name", "slug")
    }
    return [texts[i] for i in ids if i in texts]
