from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.i18n import set_language

from storeteam.checkout.models import MAX_LINE_QUANTITY
from storeteam.core.access import public
from storeteam.storefront import product_selectors, selectors
from storeteam.storefront.filters import listing_query_from, query_string
from storeteam.storefront.markets import store_country, store_currency
from storeteam.storefront.page_cache import product_page_cache, shopper_page_cache


@public
@shopper_page_cache
@cache_control(public=False, max_age=0)
def home(request: HttpRequest) -> HttpResponse:
    language = get_language() or settings.LANGUAGE_CODE
    return render(
        request,
        "storefront/home.html",
        {"departments": selectors.category_children(None, language)},
    )


SORT_LABELS = [
    ("relevance", _("Recommended")),
    ("bestselling", _("Best-selling")),
    ("price_asc", _("Price, low to high")),
    ("price_desc", _("Price, high to low")),
    ("newest", _("Newest")),
]

# Django's own language switch, declared public like every other view of the store.
language_switch = public(set_language)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


@public
@shopper_page_cache
def category(request: HttpRequest, slug: str) -> HttpResponse:
    """A category with its products: filters, sort and pages all live in the URL (S3, S4)."""
    language = get_language() or settings.LANGUAGE_CODE
    found = selectors.category_by_slug(slug=slug, language=language)
    if found is None:
        return _to_translated_slug("category", slug, language, request)
    versions = getattr(request, "page_versions", None) or selectors.listing_versions()
    vocabulary = selectors.facet_vocabulary(language, versions[0])
    query = listing_query_from(
        request.GET,
        category_path=found.category.path,
        currency=store_currency(language),
        country=store_country(language),
        language=language,
        value_codes=vocabulary.value_ids,
        attribute_ids=vocabulary.attribute_ids,
        category_id=found.category_id,
    )
    page = selectors.listing_page(query, versions)
    return render(
        request,
        "storefront/category.html",
        {
            "category": found,
            "trail": selectors.category_trail(found.category, language),
            "children": selectors.category_children(found.category, language),
            "page": page,
            "query": query,
            "sorts": SORT_LABELS,
            "previous_page": query_string(request.GET, page=page.page - 1)
            if page.page > 1
            else None,
            "next_page": query_string(request.GET, page=page.page + 1)
            if page.page < page.pages
            else None,
            "filtered": bool(
                query.selected or query.price_min or query.price_max or query.available_only
            ),
        },
    )


@public
@product_page_cache
def product(request: HttpRequest, slug: str) -> HttpResponse:
    """A product: variants, price, stock for the shopper's country, images, share links,
    structured data (S7, S8)."""
    language = get_language() or settings.LANGUAGE_CODE
    page = product_selectors.product_page(
        slug=slug,
        language=language,
        currency=store_currency(language),
        country=store_country(language),
        version=getattr(request, "listing_version", None),
    )
    if page is None:
        return _to_translated_slug("product", slug, language, request)
    trail = page.trail
    absolute = request.build_absolute_uri(reverse("storefront:product", args=[page.slug]))
    # The page in each language it is translated to: hreflang links and the language links.
    language_paths = {}
    for code, _name in settings.LANGUAGES:
        if code in page.alternates:
            with translation.override(code):
                language_paths[code] = reverse("storefront:product", args=[page.alternates[code]])
    alternates = [(code, request.build_absolute_uri(path)) for code, path in language_paths.items()]
    response = render(
        request,
        "storefront/product.html",
        {
            "product": page,
            "trail": trail,
            "canonical": absolute,
            "alternates": alternates,
            "language_paths": language_paths,
            "structured_data": _product_json_ld(page, trail, absolute, request),
            "main_image_url": request.build_absolute_uri(page.images[0].share_url)
            if page.images
            else "",
            "default_variant": page.first_available.variant_id if page.first_available else None,
            "max_quantity": MAX_LINE_QUANTITY,
        },
    )
    if not page.stock_settled:
        # The stock moved and its event is on the way; until it is handled this page's cache
        # key would not change with it, so this page is not kept.
        patch_cache_control(response, no_store=True)
    return response


def _product_json_ld(
    page: Any, trail: list[Any], url: str, request: HttpRequest
) -> list[dict[str, Any]]:
    offer: dict[str, Any] = {
        "@type": "Offer",
        "url": url,
        "priceCurrency": page.currency,
        "availability": "https://schema.org/InStock"
        if page.is_available
        else "https://schema.org/OutOfStock",
    }
    if page.price is not None:
        offer["price"] = str(page.price)
    product: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": page.name,
        "description": page.description,
        "sku": page.variants[0].sku if page.variants else "",
        "url": url,
        "offers": offer,
    }
    if page.images:
        product["image"] = [request.build_absolute_uri(i.share_url) for i in page.images]
    crumbs = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": n,
                "name": crumb.name,
                "item": request.build_absolute_uri(
                    reverse("storefront:category", args=[crumb.slug])
                ),
            }
            for n, crumb in enumerate(trail, start=1)
        ]
        + [{"@type": "ListItem", "position": len(trail) + 1, "name": page.name, "item": url}],
    }
    return [product, crumbs]


def _to_translated_slug(kind: str, slug: str, language: str, request: HttpRequest) -> HttpResponse:
    """Redirect a slug of another language to this language's slug, keeping the query."""
    translated = selectors.translated_slug(kind=kind, slug=slug, language=language)
    if translated is None or translated == slug:
        raise Http404
    url = reverse(f"storefront:{kind}", args=[translated])
    query = request.GET.urlencode()
    return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)


SEARCH_MAX_CHARS = 200


@public
@shopper_page_cache
def search(request: HttpRequest) -> HttpResponse:
    """Search results (S5): typos corrected, results priced in the shopper's currency."""
    language = get_language() or settings.LANGUAGE_CODE
    text = request.GET.get("q", "").strip()[:SEARCH_MAX_CHARS]
    try:
        number = max(1, min(int(request.GET.get("page", "1")), 1000))
    except ValueError:
        number = 1
    page = (
        selectors.search_page(
            text=text,
            language=language,
            currency=store_currency(language),
            country=store_country(language),
            page=number,
        )
        if text
        else None
    )
    return render(
        request,
        "storefront/search.html",
        {
            "text": text,
            "page": page,
            "previous_page": query_string(request.GET, page=page.page - 1)
            if page and page.page > 1
            else None,
            "next_page": query_string(request.GET, page=page.page + 1)
            if page and page.page < page.pages
            else None,
        },
    )


@public
def search_suggest(request: HttpRequest) -> JsonResponse:
    """Up to eight products for what has been typed so far, for the search box's suggestions."""
    language = get_language() or settings.LANGUAGE_CODE
    text = request.GET.get("q", "").strip()[:SEARCH_MAX_CHARS]
    suggestions = (
        selectors.search_suggestions(text=text, language=language) if len(text) >= 2 else []
    )
    return JsonResponse(
        {
            "suggestions": [
                {"name": name, "url": reverse("storefront:product", args=[slug])}
                for name, slug in suggestions
            ]
        }
    )
