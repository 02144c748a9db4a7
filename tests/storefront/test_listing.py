"""Filters combine correctly (AND across facets, OR within one), counts are disjunctive, sorts
order as named, and the listing follows price changes through events."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from storeteam.catalog.models import Attribute, AttributeValue, Category
from storeteam.pricing.services import PriceRow, prices_import
from storeteam.storefront.selectors import ListingQuery, listing_page
from tests.catalog.fixtures import build_small_catalog


@pytest.fixture
def catalog(db: Any, deliver_events: Any) -> dict[str, Any]:
    return build_small_catalog(deliver_events)


def ids(*codes: str) -> frozenset[int]:
    return frozenset(AttributeValue.objects.filter(code__in=codes).values_list("pk", flat=True))


def attr(code: str) -> int:
    return Attribute.objects.get(code=code).pk


def query(category: str = "clothing", **kwargs: Any) -> ListingQuery:
    path = Category.objects.get(translations__slug=category, translations__language="en").path
    return ListingQuery(
        category_path=path,
        currency=kwargs.pop("currency", "SEK"),
        country=kwargs.pop("country", "SE"),
        language="en",
        **kwargs,
    )


def names(page: Any) -> list[str]:
    return [card.name for card in page.cards]


def counts(page: Any, code: str) -> dict[str, int]:
    facet = next(f for f in page.facets if f.code == code)
    return {v.name: v.count for v in facet.values}


def test_category_lists_its_subtree(catalog: Any) -> None:
    assert listing_page(query()).total == 4
    assert sorted(names(listing_page(query("jackets")))) == ["Rain Jacket", "Wool Jacket"]


def test_or_within_a_facet_and_across_facets(catalog: Any) -> None:
    red = listing_page(query(selected={attr("colour"): ids("red")}, sort="price_asc"))
    assert names(red) == ["Linen Shirt", "Wool Jacket"]
    red_or_blue = listing_page(
        query(selected={attr("colour"): ids("red", "blue")}, sort="price_asc")
    )
    assert names(red_or_blue) == ["Linen Shirt", "Rain Jacket", "Wool Jacket"]
    red_and_cotton = listing_page(
        query(selected={attr("colour"): ids("red"), attr("material"): ids("cotton")})
    )
    assert names(red_and_cotton) == ["Linen Shirt"]
    # a size matches when any variant has it
    size_m = listing_page(query(selected={attr("size"): ids("m")}, sort="price_asc"))
    assert names(size_m) == ["Rain Jacket", "Wool Jacket"]


def test_facet_counts_ignore_their_own_selection(catalog: Any) -> None:
    page = listing_page(query(selected={attr("colour"): ids("red")}))
    assert counts(page, "colour") == {"Red": 2, "Blue": 1, "Green": 1}
    assert counts(page, "material") == {"Wool": 1, "Cotton": 1}
    assert counts(page, "size") == {"S": 2, "M": 1}
    assert [v.selected for v in page.facets[0].values] == [True, False, False]


def test_sorts_and_price_range(catalog: Any) -> None:
    assert names(listing_page(query(sort="price_asc"))) == [
        "Linen Shirt",
        "Field Shirt",
        "Rain Jacket",
        "Wool Jacket",
    ]
    assert names(listing_page(query(sort="price_desc"))) == [
        "Wool Jacket",
        "Rain Jacket",
        "Field Shirt",
        "Linen Shirt",
    ]
    assert names(listing_page(query(sort="newest"))) == [
        "Field Shirt",
        "Rain Jacket",
        "Linen Shirt",
        "Wool Jacket",
    ]
    ranged = listing_page(
        query(price_min=Decimal("500"), price_max=Decimal("1000"), sort="price_asc")
    )
    assert names(ranged) == ["Field Shirt", "Rain Jacket"]


def test_prices_and_compare_at_per_currency(catalog: Any) -> None:
    sek = {c.name: c for c in listing_page(query()).cards}
    eur = {c.name: c for c in listing_page(query(currency="EUR")).cards}
    assert sek["Wool Jacket"].price == Decimal("1200.00")
    assert sek["Wool Jacket"].compare_at == Decimal("1500.00")
    assert eur["Wool Jacket"].price == Decimal("120.00")
    assert eur["Wool Jacket"].compare_at is None


def test_listing_follows_a_price_change_through_events(catalog: Any, deliver_events: Any) -> None:
    prices_import(price_list=catalog["sek"], rows=[PriceRow("LINEN-SHIRT-S", "2000.00")])
    assert names(listing_page(query(sort="price_desc")))[0] == "Wool Jacket"  # not yet delivered
    deliver_events()
    assert names(listing_page(query(sort="price_desc")))[0] == "Linen Shirt"
