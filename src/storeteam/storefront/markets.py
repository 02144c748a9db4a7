"""Where a shopper buys, as the storefront knows it: the language they read the store in decides
the currency they pay in and the country whose warehouses count for their stock (settings
``STORE_CURRENCY_BY_LANGUAGE`` and ``STORE_COUNTRY_BY_LANGUAGE``, with their defaults).

A market is one (currency, country) pair that the shoppers of some language see. The listing
keeps one row per product and market (storefront.models.ListingEntry), so a category page reads
prices and stock for its shoppers from one row per product."""

from __future__ import annotations

from django.conf import settings


def store_currency(language: str) -> str:
    """The currency the storefront prices in for shoppers reading ``language``."""
    return str(settings.STORE_CURRENCY_BY_LANGUAGE.get(language, settings.STORE_DEFAULT_CURRENCY))


def store_country(language: str) -> str:
    """The country whose warehouses count for a shopper in ``language``."""
    return str(
        settings.STORE_COUNTRY_BY_LANGUAGE.get(language, settings.STORE_DEFAULT_COUNTRY)
    ).upper()


def store_countries() -> list[str]:
    """Every country a shopper's page may count stock for."""
    return sorted({country for _currency, country in store_markets()})


def store_markets() -> list[tuple[str, str]]:
    """Every (currency, country) the shoppers of some language see, sorted."""
    return sorted(
        {(store_currency(code), store_country(code)) for code, _name in settings.LANGUAGES}
    )
