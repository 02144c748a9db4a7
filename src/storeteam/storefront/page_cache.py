"""Whole-page caching for shoppers who are not signed in.

A shopper's page is the same for every anonymous visitor in one language, so its HTML is kept
in the cache under the listing's versions (storefront.selectors.listing_versions): any change to
products, prices or attributes raises the listing's version in the same transaction, and a
product selling out or coming back its stock version, so no process serves a stale page,
whatever cache backend it has. A product page's key carries the listing's version and its own
(storefront.models.ProductPageState), raised when the stock it shows changes, read in the same
query; another product's stock leaves it. A request that carries a session or messages, or a
response that sets a cookie or says ``Cache-Control: no-store``, is never cached.

Forms on a cached page (add to cart) still carry a CSRF token of the visitor's own: the page is
rendered with a placeholder where the token goes (``csrf_input_value``), kept that way in the
cache, and the placeholder is replaced by a fresh token for each response (which also sets the
visitor's CSRF cookie). Nothing about one shopper, like the items in a cart, is ever rendered
into a cacheable page: a visitor without a session has no cart.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from storeteam.storefront.product_selectors import product_page_versions
from storeteam.storefront.selectors import listing_versions

PAGE_SECONDS = 600
CSRF_PLACEHOLDER = "storeteam-csrf-token-of-this-visitor"


def is_cacheable_render(request: HttpRequest) -> bool:
    """Whether this page is being rendered for the shared cache (nothing of one shopper in it)."""
    return bool(getattr(request, "shopper_page_cacheable", False))


def csrf_input_value(request: HttpRequest) -> str:
    """The CSRF token for a form: a placeholder on a page rendered for the cache (filled in per
    response by ``shopper_page_cache``), the visitor's token otherwise."""
    return CSRF_PLACEHOLDER if is_cacheable_render(request) else get_token(request)


def _with_csrf_token(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    placeholder = CSRF_PLACEHOLDER.encode()
    if not response.streaming and placeholder in response.content:
        response.content = response.content.replace(placeholder, get_token(request).encode())
    return response


def _cacheable_request(request: HttpRequest) -> bool:
    return request.method in ("GET", "HEAD") and not (
        settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES
    )


def _page_cache(
    view: Callable[..., HttpResponse], versions: Callable[..., tuple[int, int]]
) -> Callable[..., HttpResponse]:
    """Serve ``view``'s page from the cache for anonymous shoppers while ``versions`` (called
    with the view's arguments: the listing's version and the page's own) hold."""

    @functools.wraps(view)
    def cached_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        # Pages hold absolute links (canonical, Open Graph), so scheme and host are in the key.
        raw = f"{request.scheme}://{request.get_host()}|{get_language()}|{request.get_full_path()}"
        listing, page = versions(*args, **kwargs)
        # the view reuses them
        request.listing_version = listing  # type: ignore[attr-defined]
        request.page_versions = (listing, page)  # type: ignore[attr-defined]
        request.shopper_page_cacheable = True  # type: ignore[attr-defined]
        digest = hashlib.sha256(raw.encode()).hexdigest()
        key = f"storefront:page:{listing}:{page}:{digest}"
        stored = cache.get(key)
        if stored is not None:
            content, content_type = stored
            response = HttpResponse(content, content_type=content_type)
        else:
            response = view(request, *args, **kwargs)
            if (
                response.status_code == 200
                and not response.cookies
                and not response.streaming
                and "no-store" not in response.get("Cache-Control", "")
            ):
                cache.set(key, (response.content, response["Content-Type"]), PAGE_SECONDS)
        _with_csrf_token(request, response)
        patch_vary_headers(response, ["Cookie"])
        return response

    return cached_view


def shopper_page_cache(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve the view's page from the cache for anonymous shoppers while the listing holds: its
    version and its stock version (which a product selling out or coming back raises)."""
    return _page_cache(view, lambda *args, **kwargs: listing_versions())


def product_page_cache(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve a product page (the view takes ``slug``) from the cache for anonymous shoppers
    while the listing and the product's own page version hold (one query for both)."""
    return _page_cache(
        view,
        lambda *args, slug: product_page_versions(
            slug=slug, language=get_language() or settings.LANGUAGE_CODE
        ),
    )
