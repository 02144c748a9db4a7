"""Country names for the checkout's country list, in the shopper's language."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

NAMES: dict[str, Promise] = {
    "AT": _("Austria"),
    "BE": _("Belgium"),
    "CH": _("Switzerland"),
    "DE": _("Germany"),
    "DK": _("Denmark"),
    "ES": _("Spain"),
    "FI": _("Finland"),
    "FR": _("France"),
    "GB": _("United Kingdom"),
    "IE": _("Ireland"),
    "IS": _("Iceland"),
    "IT": _("Italy"),
    "LU": _("Luxembourg"),
    "NL": _("Netherlands"),
    "NO": _("Norway"),
    "PL": _("Poland"),
    "PT": _("Portugal"),
    "SE": _("Sweden"),
    "US": _("United States"),
}

# The country a shopper most likely lives in, by the language they read the store in.
BY_LANGUAGE = {"sv": "SE", "fr": "FR", "nl": "NL"}


def country_name(code: str) -> str:
    return str(NAMES.get(code, code))


def country_choices(codes: list[str]) -> list[tuple[str, str]]:
    """``codes`` with their names, in the order of the names."""
    return sorted(((code, country_name(code)) for code in codes), key=lambda c: c[1])


def likely_country(language: str, codes: list[str]) -> str:
    guess = BY_LANGUAGE.get(language, "")
    if guess in codes:
        return guess
    return codes[0] if codes else ""
