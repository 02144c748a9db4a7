from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str) -> str:
    """An amount as shoppers read it in the current language, with its currency."""
    if amount is None:
        return ""
    number = number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)
    return f"{number}\u00a0{currency}"


_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.filter
def ld_json(data: object) -> str:
    """Structured data for a <script type="application/ld+json">, safe against closing the tag."""
    import json

    from django.utils.safestring import mark_safe

    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES))  # noqa: S308


@register.filter
def alt_in(image: object, language: str) -> str:
    """An image's alternative text in ``language`` (see catalog.models.ProductImage.alt_in)."""
    text = getattr(image, "alt_in", None)
    return str(text(language)) if callable(text) else ""
