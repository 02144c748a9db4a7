"""The storefront's read API for headless fronts (S1-S5, S11): the category tree, a category's
listing with the same filters, sort, pages and facet counts as the category page, products with
variants, attribute values, prices and images, and search with typo correction and suggestions.

Public and anonymous; each operation is a fixed number of queries (pinned by tests), mostly
answered from the listing's cache, and marked cacheable for a minute. Names, slugs and prices
follow ``lang`` (prices in that language's currency, STORE_CURRENCY_BY_LANGUAGE).
"""

# No ``from __future__ import annotations`` here: django-ninja resolves the operations' string
# annotations in the globals of the access wrapper (core.access), where these names do not exist.

from decimal import Decimal
from typing import Annotated, Literal

from django.http import HttpRequest, HttpResponse, QueryDict
from ninja import Path, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from storeteam.core.access import Access, api_access
from storeteam.core.api_schemas import ERRORS_READ, ErrorOut, Language, PlainText
from storeteam.storefront import headless, selectors
from storeteam.storefront.filters import listing_query_from
from storeteam.storefront.markets import store_country, store_currency

router = Router(tags=["storefront"])

Sort = Literal["relevance", "price_asc", "price_desc", "newest", "bestselling"]  # selectors.SORTS
SLUG = r"^[-\w]+$"
AMOUNT = r"^\d{1,10}(\.\d{1,2})?$"
MAX_ID = 2_147_483_647
CACHE_CONTROL = "public, max-age=60"
SEARCH_MAX_CHARS = 200

LangQuery = Annotated[Language, Query(description="Language of names, slugs and prices.")]
SlugPath = Annotated[str, Path(pattern=SLUG, max_length=255)]
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]


class MoneyOut(Schema):
    amount: str = Field(description="Exact decimal amount, tax included.", examples=["129.00"])
    currency: str = Field(examples=["EUR"])


class ImageOut(Schema):
    url: str
    width: int
    height: int
    alt: str


class CategoryRefOut(Schema):
    id: int
    name: str
    slug: str


class CategoryNodeOut(Schema):
    id: int
    name: str
    slug: str
    depth: int
    children: list["CategoryNodeOut"]


class ProductCardOut(Schema):
    id: int
    name: str
    slug: str
    price: MoneyOut
    compare_at: MoneyOut | None
    is_available: bool = Field(
        description="In stock for the language's shoppers: some variant priced in their "
        "currency has salable units in a warehouse serving their country."
    )
    image: ImageOut | None


class FacetValueOut(Schema):
    code: str
    name: str
    count: int = Field(description="Products this value would show, other facets applied.")
    selected: bool


class FacetOut(Schema):
    code: str
    name: str
    values: list[FacetValueOut]


class ListingOut(Schema):
    category: CategoryRefOut
    products: list[ProductCardOut]
    total: int
    page: int
    pages: int
    per_page: int
    sort: Sort
    facets: list[FacetOut]
    in_stock: int = Field(
        description="How many of the products the other filters leave are in stock: the count "
        "of available=true, whether it is asked for or not."
    )


class ValueOut(Schema):
    attribute: str
    attribute_name: str
    value: str
    name: str


class VariantOut(Schema):
    id: int
    sku: str
    values: list[ValueOut]
    price: MoneyOut | None
    compare_at: MoneyOut | None


class ProductOut(Schema):
    id: int
    name: str
    slug: str
    description: str
    price: MoneyOut | None = Field(description="The cheapest variant's price.")
    compare_at: MoneyOut | None
    is_available: bool
    category: CategoryRefOut | None
    attributes: list[ValueOut]
    variants: list[VariantOut]
    images: list[ImageOut]
    slugs: dict[str, str] = Field(description="The product's slug in each language.")


class SearchOut(Schema):
    query: str = Field(description="What was asked for.")
    searched_for: str = Field(description="What was searched for, after spelling correction.")
    corrected: bool
    products: list[ProductCardOut]
    total: int
    page: int
    pages: int


class SuggestionOut(Schema):
    name: str
    slug: str


def _money(amount: Decimal | None, currency: str) -> MoneyOut | None:
    return None if amount is None else MoneyOut(amount=f"{amount:.2f}", currency=currency)


def _image(request: HttpRequest, url: str, width: int, height: int, alt: str) -> ImageOut:
    return ImageOut(url=request.build_absolute_uri(url), width=width, height=height, alt=alt)


def _card(request: HttpRequest, card: selectors.ProductCard, language: str) -> ProductCardOut:
    image = card.image
    return ProductCardOut(
        id=card.product_id,
        name=card.name,
        slug=card.slug,
        price=MoneyOut(amount=f"{card.price:.2f}", currency=card.currency),
        compare_at=_money(card.compare_at, card.currency),
        is_available=card.is_available,
        image=_image(request, image.src(), image.width, image.height, image.alt_in(language))
        if image is not None
        else None,
    )


def _node(node: headless.CategoryNode) -> CategoryNodeOut:
    return CategoryNodeOut(
        id=node.category_id,
        name=node.name,
        slug=node.slug,
        depth=node.depth,
        children=[_node(child) for child in node.children],
    )


@router.get("/categories", response={200: list[CategoryNodeOut], 422: ErrorOut}, auth=None)
@api_access(Access("public"))
def category_tree(
    request: HttpRequest, response: HttpResponse, lang: LangQuery = "en"
) -> list[CategoryNodeOut]:
    """The published category tree, departments first, each with its children."""
    response["Cache-Control"] = CACHE_CONTROL
    return [_node(node) for node in headless.category_tree(lang)]


def _filters(raw: list[str], vocabulary: selectors.FacetVocabulary) -> dict[str, list[str]]:
    """``attribute:value`` pairs as the category page's parameters; an unknown one is a 422."""
    chosen: dict[str, list[str]] = {}
    unknown = []
    for item in raw:
        attribute, colon, value = item.partition(":")
        if not colon or value not in vocabulary.value_ids.get(attribute, {}):
            unknown.append(item)
        else:
            chosen.setdefault(attribute, []).append(value)
    if unknown:
        raise HttpError(
            422,
            "Unknown filter: "
            + ", ".join(sorted(set(unknown)))
            + ". Use attribute:value with a facet value this store has (see facets).",
        )
    return chosen


@router.get("/categories/{slug}/products", response={200: ListingOut, **ERRORS_READ}, auth=None)
@api_access(Access("public"))
def category_products(
    request: HttpRequest,
    response: HttpResponse,
    slug: SlugPath,
    lang: LangQuery = "en",
    filter: Annotated[
        list[PlainText],
        Query(
            max_length=50,
            description="Facet filters as attribute:value, repeated "
            "(filter=colour:red&filter=size:m): OR within one attribute, AND across attributes.",
        ),
    ] = [],  # noqa: B006  (ninja copies defaults; a list is how it documents an array)
    min: Annotated[
        str | None, Query(pattern=AMOUNT, description="Lowest price, e.g. 100 or 99.50.")
    ] = None,
    max: Annotated[str | None, Query(pattern=AMOUNT, description="Highest price.")] = None,
    available: Annotated[bool, Query(description="Only products that can be bought.")] = False,
    sort: Sort = "relevance",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> ListingOut:
    """A category's products (its whole subtree) with the category page's filters, sort and
    pages, and the count of each facet value."""
    found = selectors.category_by_slug(slug=slug, language=lang)
    if found is None:
        raise HttpError(404, "There is no such category.")
    versions = selectors.listing_versions()
    vocabulary = selectors.facet_vocabulary(lang, versions[0])
    params = QueryDict(mutable=True)
    for attribute, values in _filters(filter, vocabulary).items():
        params.setlist(attribute, values)
    params.update(
        {"sort": sort, "page": str(page), "available": "1" if available else ""}
        | ({"min": min} if min is not None else {})
        | ({"max": max} if max is not None else {})
    )
    query = listing_query_from(
        params,
        category_path=found.category.path,
        currency=store_currency(lang),
        country=store_country(lang),
        language=lang,
        value_codes=vocabulary.value_ids,
        attribute_ids=vocabulary.attribute_ids,
    )
    listing = selectors.listing_page(query, versions)
    response["Cache-Control"] = CACHE_CONTROL
    return ListingOut(
        category=CategoryRefOut(id=found.category_id, name=found.name, slug=found.slug),
        products=[_card(request, card, lang) for card in listing.cards],
        total=listing.total,
        page=listing.page,
        pages=listing.pages,
        per_page=selectors.PER_PAGE,
        sort=sort,
        in_stock=listing.in_stock,
        facets=[
            FacetOut(
                code=facet.code,
                name=facet.name,
                values=[
                    FacetValueOut(code=v.code, name=v.name, count=v.count, selected=v.selected)
                    for v in facet.values
                ],
            )
            for facet in listing.facets
        ],
    )


def _product_out(request: HttpRequest, detail: headless.ProductDetail | None) -> ProductOut:
    if detail is None:
        raise HttpError(404, "There is no such product.")
    currency = detail.currency
    return ProductOut(
        id=detail.product_id,
        name=detail.name,
        slug=detail.slug,
        description=detail.description,
        price=_money(detail.price, currency),
        compare_at=_money(detail.compare_at, currency),
        is_available=detail.is_available,
        category=CategoryRefOut(
            id=detail.category[0], name=detail.category[1], slug=detail.category[2]
        )
        if detail.category
        else None,
        attributes=[ValueOut(**vars(label)) for label in detail.attributes],
        variants=[
            VariantOut(
                id=v.variant_id,
                sku=v.sku,
                values=[ValueOut(**vars(label)) for label in v.values],
                price=_money(v.price, currency),
                compare_at=_money(v.compare_at, currency),
            )
            for v in detail.variants
        ],
        images=[_image(request, i.url, i.width, i.height, i.alt) for i in detail.images],
        slugs=detail.slugs,
    )


@router.get("/products/{product_id}", response={200: ProductOut, **ERRORS_READ}, auth=None)
@api_access(Access("public"))
def product_by_id(
    request: HttpRequest, response: HttpResponse, product_id: IdPath, lang: LangQuery = "en"
) -> ProductOut:
    """A published product by id, with its variants, attribute values, prices and images."""
    out = _product_out(request, headless.product_detail(language=lang, product_id=product_id))
    response["Cache-Control"] = CACHE_CONTROL
    return out


@router.get("/products/by-slug/{slug}", response={200: ProductOut, **ERRORS_READ}, auth=None)
@api_access(Access("public"))
def product_by_slug(
    request: HttpRequest, response: HttpResponse, slug: SlugPath, lang: LangQuery = "en"
) -> ProductOut:
    """A published product by its slug in ``lang``."""
    out = _product_out(request, headless.product_detail(language=lang, slug=slug))
    response["Cache-Control"] = CACHE_CONTROL
    return out


SearchText = Annotated[
    PlainText, Query(min_length=1, max_length=SEARCH_MAX_CHARS, description="What to look for.")
]


@router.get("/search", response={200: SearchOut, 422: ErrorOut}, auth=None)
@api_access(Access("public"))
def search(
    request: HttpRequest,
    response: HttpResponse,
    q: SearchText,
    lang: LangQuery = "en",
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
) -> SearchOut:
    """Products matching every word, best first; misspelt words are corrected (``corrected``
    says so and ``searched_for`` shows what was searched)."""
    found = selectors.search_page(
        text=q,
        language=lang,
        currency=store_currency(lang),
        country=store_country(lang),
        page=page,
    )
    response["Cache-Control"] = CACHE_CONTROL
    return SearchOut(
        query=q,
        searched_for=found.searched_for,
        corrected=found.corrected,
        products=[_card(request, card, lang) for card in found.cards],
        total=found.total,
        page=found.page,
        pages=found.pages,
    )


@router.get("/search/suggestions", response={200: list[SuggestionOut], 422: ErrorOut}, auth=None)
@api_access(Access("public"))
def search_suggestions(
    request: HttpRequest, response: HttpResponse, q: SearchText, lang: LangQuery = "en"
) -> list[SuggestionOut]:
    """Up to eight products for what has been typed so far (two characters or more)."""
    text = q.strip()
    found = selectors.search_suggestions(text=text, language=lang) if len(text) >= 2 else []
    response["Cache-Control"] = CACHE_CONTROL
    return [SuggestionOut(name=name, slug=slug) for name, slug in found]
