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


@register.simple_tag(takes_context=True)
def csrf_input(context: dict[str, object]) -> str:
    """A form's CSRF field that also works on a page kept in the shoppers' page cache."""
    from django.utils.html import format_html

    from storeteam.storefront.page_cache import csrf_input_value

    request = context.get("request")
    if request is None:
        return ""
    return format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">',
        csrf_input_value(request),  # type: ignore[arg-type]
    )


@register.inclusion_tag("storefront/cart_link.html", takes_context=True)
def cart_link(context: dict[str, object]) -> dict[str, object]:
    """The header's link to the cart, with the number of items only on pages made for one
    shopper: a page rendered for the shared cache never holds anyone's cart."""
    from storeteam.storefront.carts import cart_item_count
    from storeteam.storefront.page_cache import is_cacheable_render

    request = context.get("request")
    count = 0
    if request is not None and not is_cacheable_render(request):  # type: ignore[arg-type]
        count = cart_item_count(request)  # type: ignore[arg-type]
    return {"count": count}
