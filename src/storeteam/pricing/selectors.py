"""Reads of prices shared by the back office's screens and files."""

from __future__ import annotations

from storeteam.pricing.models import PriceList


def default_price_lists() -> dict[str, PriceList]:
    """The default price list of each currency, by currency (the web channel's when a currency
    has several defaults): the prices shoppers see, so the ones staff edit beside a product."""
    lists: dict[str, PriceList] = {}
    for price_list in PriceList.objects.filter(is_default=True).order_by("channel", "code"):
        if price_list.channel == "web" or price_list.currency not in lists:
            lists.setdefault(price_list.currency, price_list)
    return dict(sorted(lists.items()))
