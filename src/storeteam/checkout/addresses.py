"""Delivery addresses, checked per country before an order is priced (I3): the fields every
carrier needs, and the postcode in the country's own format, normalised as its post writes it."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass

from django.utils.translation import gettext as _

# Postcode pattern per country, and how the post writes a valid one.
POSTCODES: dict[str, tuple[str, Callable[[re.Match[str]], str]]] = {
    "SE": (r"(\d{3}) ?(\d{2})", lambda m: f"{m[1]} {m[2]}"),
    "NO": (r"(\d{4})", lambda m: m[1]),
    "DK": (r"(?:DK-?)?(\d{4})", lambda m: m[1]),
    "FI": (r"(\d{5})", lambda m: m[1]),
    "FR": (r"(\d{2}) ?(\d{3})", lambda m: f"{m[1]}{m[2]}"),
    "NL": (r"([1-9]\d{3}) ?([A-Z]{2})", lambda m: f"{m[1]} {m[2]}"),
    "BE": (r"([1-9]\d{3})", lambda m: m[1]),
    "LU": (r"(?:L-?)?(\d{4})", lambda m: m[1]),
    "DE": (r"(\d{5})", lambda m: m[1]),
    "AT": (r"(\d{4})", lambda m: m[1]),
    "ES": (r"(\d{5})", lambda m: m[1]),
    "IT": (r"(\d{5})", lambda m: m[1]),
    "PL": (r"(\d{2})-?(\d{3})", lambda m: f"{m[1]}-{m[2]}"),
    "IE": (r"([AC-FHKNPRTV-Y]\d{2}|D6W) ?([0-9AC-FHKNPRTV-Y]{4})", lambda m: f"{m[1]} {m[2]}"),
}

LIMITS = {"name": 120, "line1": 200, "line2": 200, "postcode": 12, "city": 100}


@dataclass(frozen=True)
class Address:
    name: str
    line1: str
    postcode: str
    city: str
    country: str
    line2: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def address_check(
    data: Mapping[str, str], *, countries: list[str]
) -> tuple[Address | None, dict[str, str]]:
    """The address in ``data`` cleaned, or None and the problems by field (messages for people).

    ``countries`` are those the store delivers to."""
    values = {key: " ".join(str(data.get(key) or "").split()) for key in (*LIMITS, "country")}
    problems: dict[str, str] = {}
    for key in ("name", "line1", "postcode", "city"):
        if not values[key]:
            problems[key] = _("This field is required.")
        elif len(values[key]) > LIMITS[key]:
            problems[key] = _("At most %(n)d characters.") % {"n": LIMITS[key]}
    if len(values["line2"]) > LIMITS["line2"]:
        problems["line2"] = _("At most %(n)d characters.") % {"n": LIMITS["line2"]}
    country = values["country"].upper()
    if country not in countries:
        problems["country"] = _("We do not deliver to this country.")
    elif values["postcode"] and "postcode" not in problems:
        pattern, written = POSTCODES.get(country, (r"([A-Z0-9][A-Z0-9 -]{1,10})", lambda m: m[1]))
        match = re.fullmatch(pattern, values["postcode"].upper())
        if match is None:
            problems["postcode"] = _("This is not a postcode of the country chosen.")
        else:
            values["postcode"] = written(match)
    if problems:
        return None, problems
    return (
        Address(
            name=values["name"],
            line1=values["line1"],
            line2=values["line2"],
            postcode=values["postcode"],
            city=values["city"],
            country=country,
        ),
        {},
    )
