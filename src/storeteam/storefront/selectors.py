"""Reads for the shopper's pages. Each page is a fixed, small number of indexed queries
(pinned by tests/storefront/test_queries.py), whatever the size of the catalog."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    QuerySet,
)

from storeteam.catalog.models import (
    Attribute,
    AttributeTranslation,
    Category,
    CategoryTranslation,
    ProductImage,
    ProductTranslation,
)
from storeteam.core.money import quantize
from storeteam.core.statements import Statement, decimal_from
from storeteam.storefront.listing_index import Listing, listing_index
from storeteam.storefront.models import ListingEntry, ListingState

PER_PAGE = 24
SORTS = ("relevance", "price_asc", "price_desc", "newest", "bestselling")


@dataclass(frozen=True)
class ListingQuery:
    category_path: str
    currency: str
    language: str
    country: str  # whose warehouses' stock counts (storefront.markets)
    selected: dict[int, frozenset[int]] = field(default_factory=dict)  # attribute id -> value ids
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    available_only: bool = False
    sort: str = "relevance"
    page: int = 1
    category_id: int | None = None  # whose merchandising rules apply


@dataclass(frozen=True)
class Merchandising:
    """A category's sorting rules (S4). Pins, boosts and buries shape the default
    ("recommended") order only: a shopper who sorts by price or newest gets exactly that.
    Products out of stock go last under every sort when ``out_of_stock_last`` is set."""

    pins: tuple[tuple[int, int], ...] = ()  # (product id, position from 1), by position
    boosts: frozenset[int] = frozenset()
    buries: frozenset[int] = frozenset()
    out_of_stock_last: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.pins or self.boosts or self.buries or self.out_of_stock_last)


NO_MERCHANDISING = Merchandising()


def merchandising_of(category_id: int) -> Merchandising:
    """The saved sorting rules of a category (two indexed queries; listing pages cache the
    result with the page, and saving rules raises the listing version)."""
    from storeteam.storefront.models import CategorySorting, MerchandisingAction, MerchandisingRule

    pins: list[tuple[int, int]] = []
    boosts: set[int] = set()
    buries: set[int] = set()
    for product_id, action, position in MerchandisingRule.objects.filter(
        category_id=category_id
    ).values_list("product_id", "action", "position"):
        if action == MerchandisingAction.PIN:
            pins.append((product_id, position or 1))
        elif action == MerchandisingAction.BOOST:
            boosts.add(product_id)
        else:
            buries.add(product_id)
    out_of_stock_last = bool(
        CategorySorting.objects.filter(category_id=category_id)
        .values_list("out_of_stock_last", flat=True)
        .first()
    )
    return Merchandising(
        pins=tuple(sorted(pins, key=lambda pin: pin[1])),
        boosts=frozenset(boosts),
        buries=frozenset(buries),
        out_of_stock_last=out_of_stock_last,
    )


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
    # How many of the products the other filters leave are in stock: the count of the "in
    # stock only" filter, whether it is on or not.
    in_stock: int = 0


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


def _versions_of() -> QuerySet[ListingState, tuple[int, int]]:
    return ListingState.objects.filter(pk=1).values_list("version", "stock_version")


# Read for nearly every shopper's page, cached or not.
_VERSIONS = Statement(_versions_of)


def listing_versions() -> tuple[int, int]:
    """The listing's version and its stock version (see storefront.models.ListingState), in
    one read of one row: the key of every cached listing."""
    rows = _VERSIONS.rows()
    return (int(rows[0][0]), int(rows[0][1])) if rows else (1, 1)


def listing_version() -> int:
    """The listing's current version (one indexed row; see storefront.models.ListingState)."""
    return listing_versions()[0]


def _listing_key(query: ListingQuery, versions: tuple[int, int]) -> str:
    selected = ";".join(
        f"{a}:{','.join(map(str, sorted(v)))}" for a, v in sorted(query.selected.items())
    )
    raw = "|".join(
        map(
            str,
            (
                query.category_path,
                query.currency,
                query.country,
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
    listing, stock = versions
    return f"storefront:listing:{listing}:{stock}:{hashlib.sha256(raw.encode()).hexdigest()}"


def listing_page(query: ListingQuery, versions: tuple[int, int] | None = None) -> ListingPage:
    """One page of a category's products with facet counts, from the cache when the listing has
    not changed since it was computed (the key carries the listing's version and its stock
    version, see ``listing_versions``).

    A facet's counts apply every filter except its own, so a shopper sees how many products each
    further value would add (disjunctive faceting); the stock filter's count likewise.
    """
    versions = versions if versions is not None else listing_versions()
    key = _listing_key(query, versions)
    page: ListingPage | None = cache.get(key)
    if page is None:
        page = _listing_page(query, versions[0])
        cache.set(key, page, LISTING_CACHE_SECONDS)
    return page


def _listing_page(
    query: ListingQuery, version: int, merchandising: Merchandising | None = None
) -> ListingPage:
    if merchandising is None:
        merchandising = (
            merchandising_of(query.category_id)
            if query.category_id is not None
            else NO_MERCHANDISING
        )
    sort = query.sort if query.sort in SORTS else "relevance"
    # Pins, boosts and buries shape the default (recommended) order only; "out of stock last"
    # applies under every sort.
    if sort != "relevance":
        merchandising = Merchandising(out_of_stock_last=merchandising.out_of_stock_last)
    found = listing_index().listing(
        currency=query.currency,
        country=query.country,
        category_path=query.category_path,
        selected=query.selected,
        price_min=query.price_min,
        price_max=query.price_max,
        available_only=query.available_only,
        sort=sort,
        boosts=merchandising.boosts,
        buries=merchandising.buries,
        out_of_stock_last=merchandising.out_of_stock_last,
        about=[p for p, _ in merchandising.pins],
    )
    counted = found.counts
    total = counted.in_stock if query.available_only else counted.every
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(query.page, 1), pages)
    ids = _page_of(found, merchandising, total, page)
    rows = {
        row["product_id"]: row
        for row in ListingEntry.objects.filter(
            currency=query.currency, country=query.country, product_id__in=ids
        ).values(*ROW_FIELDS)
    }
    cards = _cards([rows[i] for i in ids if i in rows], query.language, query.currency)
    return ListingPage(
        cards=cards,
        total=total,
        page=page,
        pages=pages,
        facets=_facets(query, version, counted.values),
        in_stock=counted.in_stock,
    )


ROW_FIELDS = ("product_id", "price", "compare_at", "is_available")


def _page_of(found: Listing, merchandising: Merchandising, total: int, page: int) -> list[int]:
    """The products of one page in the shopper's sort, shaped by the category's pins.

    Pinned products are taken out of the sorted list and put back at their positions; a pin
    past the end of the list lands at the end. Under "out of stock last", a pin never lifts a
    product that is out of stock above those in stock, and pinned positions are among the
    products in stock."""
    start = (page - 1) * PER_PAGE
    pins = [(p, n) for p, n in merchandising.pins if p in found.present]
    if merchandising.out_of_stock_last:
        pins = [(p, n) for p, n in pins if p in found.in_stock]
    order = found.order
    if pins:
        pinned = {p for p, _ in pins}
        order = [p for p in order if p not in pinned]
        pins = _placed(pins, found.counts.in_stock if merchandising.out_of_stock_last else total)
    at = {position: product_id for product_id, position in pins}
    before = sum(1 for position in at if position <= start)
    plain = iter(order[start - before :])
    ids: list[int] = []
    for position in range(start + 1, min(start + PER_PAGE, total) + 1):
        if position in at:
            ids.append(at[position])
        else:
            product_id = next(plain, None)
            if product_id is None:
                break
            ids.append(product_id)
    return ids


def _placed(pins: list[tuple[int, int]], room: int) -> list[tuple[int, int]]:
    """Pins (by position) moved so that none is past ``room`` and no two share a place."""
    placed: list[tuple[int, int]] = []
    limit = max(room, len(pins))
    for product_id, position in reversed(pins):
        position = min(position, limit)
        placed.append((product_id, position))
        limit = position - 1
    return list(reversed(placed))


def listing_preview(query: ListingQuery, merchandising: Merchandising) -> ListingPage:
    """The page ``query`` would show under ``merchandising`` (unsaved rules), never cached:
    the back office's preview of a category's sorting rules."""
    return _listing_page(query, listing_version(), merchandising)


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


def _facets(query: ListingQuery, version: int, counts: dict[int, dict[int, int]]) -> list[Facet]:
    vocabulary = facet_vocabulary(query.language, version)
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
    return _trail_at(category.path, language)


def _trail_paths(path: str) -> list[str]:
    """The materialised paths of the category at ``path``'s ancestors and itself, root first."""
    parts = path.split(".")[:-1]
    return [".".join(parts[: i + 1]) + "." for i in range(len(parts))]


def _trail_at(path: str, language: str) -> list[CategoryTranslation]:
    return list(
        CategoryTranslation.objects.filter(category__path__in=_trail_paths(path), language=language)
        .select_related("category")
        .order_by("category__depth")
    )


class Crumb(NamedTuple):
    """A category in a breadcrumb: its slug and name in one language."""

    slug: str
    name: str


# Each process's categories by path, for one language at one listing version: read whole (one
# query of a few thousand short rows) on the first breadcrumb asked for at that version, so a
# product page built afterwards reads no category at all.
_crumbs: dict[str, tuple[int, dict[str, Crumb]]] = {}


def category_trail_cached(path: str, language: str, version: int) -> list[Crumb]:
    """The breadcrumb of the category at ``path``: its ancestors and itself, root first, from
    this process's copy of the categories' names while the listing's ``version`` holds (a
    category's change relists its products, which raises the version)."""
    held = _crumbs.get(language)
    if held is None or held[0] != version:
        held = (
            version,
            {
                category_path: Crumb(slug, name)
                for category_path, slug, name in CategoryTranslation.objects.filter(
                    language=language
                ).values_list("category__path", "slug", "name")
            },
        )
        _crumbs[language] = held
    names = held[1]
    return [names[prefix] for prefix in _trail_paths(path) if prefix in names]


def category_children(category: Category | None, language: str) -> list[CategoryTranslation]:
    return list(
        CategoryTranslation.objects.filter(
            category__parent=category, category__is_published=True, language=language
        )
        .select_related("category")
        .order_by("category__position")
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


def search_page(
    *, text: str, language: str, currency: str, country: str, page: int = 1
) -> SearchPage:
    """Listed products matching ``text``, best first, a page at a time (S5), from the cache while
    neither the listing nor the search vocabulary has changed since it was computed."""
    from storeteam.catalog.search import normalise, search_versions

    listing, stock = listing_versions()
    searched = search_versions()
    versions = f"{listing}:{stock}:{searched[0]}"
    raw = "|".join([normalise(text).strip(), language, currency, country, str(page)])
    key = f"storefront:search:{versions}:{hashlib.sha256(raw.encode()).hexdigest()}"
    cached: SearchPage | None = cache.get(key)
    if cached is None:
        cached = _search_page(
            text=text,
            language=language,
            currency=currency,
            country=country,
            page=page,
            versions=searched,
        )
        cache.set(key, cached, SEARCH_CACHE_SECONDS)
    return cached


def _search_page(
    *,
    text: str,
    language: str,
    currency: str,
    country: str,
    page: int,
    versions: tuple[int, int],
) -> SearchPage:
    from storeteam.catalog.search import product_search

    result = product_search(text=text, language=language, versions=versions)
    listed = _listed(result.product_ids, currency=currency, country=country)
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


def _listed(product_ids: list[int], *, currency: str, country: str) -> dict[int, dict[str, Any]]:
    """The listing rows in the market of those of ``product_ids`` that are listed there.

    A search hands up to a thousand ids: they go to the database as one parameter (a JSON array
    on SQLite, an array on PostgreSQL) rather than a thousand, which Django would build into the
    SQL at a cost of several milliseconds."""
    if not product_ids:
        return {}
    table = connection.ops.quote_name(ListingEntry._meta.db_table)
    ids: list[int] | str
    if connection.vendor == "postgresql":
        among, ids = "product_id = ANY(%s)", [int(i) for i in product_ids]
    else:
        among, ids = "product_id IN (SELECT value FROM json_each(%s))", json.dumps(product_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT product_id, price, compare_at, is_available "  # noqa: S608
            f"FROM {table} WHERE currency = %s AND country = %s AND {among}",
            [currency, country, ids],
        )
        return {
            product_id: {
                "product_id": product_id,
                "price": quantize(decimal_from(price), currency),
                "compare_at": (
                    None if compare is None else quantize(decimal_from(compare), currency)
                ),
                "is_available": bool(available),
            }
            for product_id, price, compare, available in cursor.fetchall()
        }


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
