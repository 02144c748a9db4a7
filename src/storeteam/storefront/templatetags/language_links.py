from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info

register = template.Library()


@register.inclusion_tag("storefront/language_links.html", takes_context=True)
def language_links(context: dict[str, Any]) -> dict[str, Any]:
    """Links to this page in every language: plain links, so the page sets no cookie and can be
    cached; a slug of another language is redirected to the translated one by the page itself.
    A page that knows its address in other languages (``language_paths``: language -> path, as a
    product page does) links there directly."""
    request = context["request"]
    current = get_language()
    known: dict[str, str] = context.get("language_paths") or {}
    query = request.META.get("QUERY_STRING", "")
    links = [
        {
            "code": code,
            "name": get_language_info(code)["name_local"],
            "url": (known[code] + (f"?{query}" if query else ""))
            if code in known
            else translate_url(request.get_full_path(), code),
            "current": code == current,
        }
        for code, _name in settings.LANGUAGES
    ]
    return {"links": links}
