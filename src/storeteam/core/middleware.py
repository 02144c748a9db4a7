"""Middleware of the core: one hand-off of events per request; the language of the pages outside
the language-prefixed storefront (back office, API)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

from storeteam.core.events import handoffs_batched

UNPREFIXED = ("/staff/", "/api/")


class EventHandoffMiddleware:
    """The events a request commits reach the workers in one task when it is answered
    (``core.events.handoffs_batched``), not one task per event."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with handoffs_batched():
            return self.get_response(request)


class UnprefixedLanguageMiddleware:
    """Django's LocaleMiddleware gives every path without a language prefix the default language
    when the storefront's default language has no prefix. The back office and the API have no
    prefix at all: there the language comes from the language switch's cookie or the browser."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(UNPREFIXED):
            language = translation.get_language_from_request(request, check_path=False)
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        if request.path_info.startswith(UNPREFIXED):
            response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response
