"""robots.txt and the sitemap (S8): a sitemap index, a page of categories, and pages of up to
PRODUCTS_PER_PAGE products, each URL with its hreflang alternates in every language.

Pages are written as plain strings: 10,000 products in four languages are 40,000 URLs, which a
template engine would render slowly for no gain.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape

from django.conf import settings
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from storeteam.catalog.models import CategoryTranslation, Product, ProductTranslation
from storeteam.core.access import public

PRODUCTS_PER_PAGE = 10_000
SITEMAP_NS = (
    'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml"'
)


def _languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def _url(request: HttpRequest, name: str, slug: str, language: str) -> str:
    with translation.override(language):
        return request.build_absolute_uri(reverse(name, args=[slug]))


@public
@require_GET
@cache_control(max_age=86400, public=True)
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /staff/",
        "Disallow: /api/",
        "Disallow: /i18n/",
        *[f"Disallow: {prefix}account/" for prefix in ["/", *[f"/{c}/" for c in _languages()[1:]]]],
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap_index'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def _published_products() -> list[int]:
    return list(
        Product.objects.filter(is_published=True, category__is_published=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@public
@require_GET
@cache_control(max_age=3600, public=True)
def sitemap_index(request: HttpRequest) -> HttpResponse:
    count = Product.objects.filter(is_published=True, category__is_published=True).count()
    pages = max(1, -(-count // PRODUCTS_PER_PAGE))
    locations = [request.build_absolute_uri(reverse("sitemap_categories"))] + [
        request.build_absolute_uri(reverse("sitemap_products", args=[n]))
        for n in range(1, pages + 1)
    ]
    body = "".join(f"<sitemap><loc>{escape(loc)}</loc></sitemap>" for loc in locations)
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</sitemapindex>\n'
    )
    return HttpResponse(xml, content_type="application/xml; charset=utf-8")


def _entries(request: HttpRequest, name: str, slugs: dict[int, dict[str, str]]) -> Iterator[str]:
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {SITEMAP_NS}>\n'
    languages = _languages()
    for per_language in slugs.values():
        urls = {
            lang: _url(request, name, per_language[lang], lang)
            for lang in languages
            if lang in per_language
        }
        alternates = "".join(
            f'<xhtml:link rel="alternate" hreflang="{lang}" href="{escape(url)}"/>'
            for lang, url in urls.items()
        )
        for url in urls.values():
            yield f"<url><loc>{escape(url)}</loc>{alternates}</url>\n"
    yield "</urlset>\n"


@public
@require_GET
@cache_control(max_age=3600, public=True)
def sitemap_categories(request: HttpRequest) -> StreamingHttpResponse:
    rows = (
        CategoryTranslation.objects.filter(category__is_published=True)
        .order_by("category__path")
        .values_list("category_id", "language", "slug")
    )
    return _urlset(request, "storefront:category", rows)


@public
@require_GET
@cache_control(max_age=3600, public=True)
def sitemap_products(request: HttpRequest, page: int) -> HttpResponse | StreamingHttpResponse:
    ids = _published_products()[(page - 1) * PRODUCTS_PER_PAGE : page * PRODUCTS_PER_PAGE]
    if page < 1 or not ids:
        return HttpResponse("no such sitemap page", status=404, content_type="text/plain")
    rows = (
        ProductTranslation.objects.filter(product_id__in=ids)
        .order_by("product_id")
        .values_list("product_id", "language", "slug")
    )
    return _urlset(request, "storefront:product", rows)


def _urlset(
    request: HttpRequest, url_name: str, rows: Iterable[tuple[int, str, str]]
) -> StreamingHttpResponse:
    """A streamed sitemap page from (owner id, language, slug) rows, in their order."""
    slugs: dict[int, dict[str, str]] = defaultdict(dict)
    for owner_id, language, slug in rows:
        slugs[owner_id][language] = slug
    return StreamingHttpResponse(
        _entries(request, url_name, slugs), content_type="application/xml; charset=utf-8"
    )
