"""Reading a category page's filters from its URL, so every filtered view has a shareable address:
?colour=red&colour=blue&size=m&min=100&max=500&available=1&sort=price_asc&page=2

Unknown or malformed parameters are ignored rather than refused: a shared link whose filter value
no longer exists still shows the category."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.http import QueryDict

from storeteam.storefront.selectors import SORTS, ListingQuery

RESERVED = {"min", "max", "available", "sort", "page"}


def _amount(raw: str | None) -> Decimal | None:
    if not raw:
        return None
    try:
        value = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        return None
    return value if value.is_finite() and value >= 0 else None


def listing_query_from(
    params: QueryDict,
    *,
    category_path: str,
    currency: str,
    country: str,
    language: str,
    value_codes: dict[str, dict[str, int]],
    attribute_ids: dict[str, int],
    category_id: int | None = None,
) -> ListingQuery:
    selected: dict[int, frozenset[int]] = {}
    for code, values in value_codes.items():
        chosen = frozenset(values[v] for v in params.getlist(code) if v in values)
        if chosen and code in attribute_ids:
            selected[attribute_ids[code]] = chosen
    sort = params.get("sort", "relevance")
    try:
        page = max(1, min(int(params.get("page", "1")), 10_000))
    except ValueError:
        page = 1
    return ListingQuery(
        category_path=category_path,
        currency=currency,
        country=country,
        language=language,
        selected=selected,
        price_min=_amount(params.get("min")),
        price_max=_amount(params.get("max")),
        available_only=params.get("available") == "1",
        sort=sort if sort in SORTS else "relevance",
        page=page,
        category_id=category_id,
    )


def query_string(params: QueryDict, **changes: Any) -> str:
    """The current filters with some changed (None removes), for links such as the pager."""
    updated = params.copy()
    for key, value in changes.items():
        if value is None:
            updated.pop(key, None)
        else:
            updated[key] = str(value)
    return updated.urlencode()
