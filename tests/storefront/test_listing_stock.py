"""Listings say what inventory says (I1 on the shopper's side): whether a product is in stock for
the shopper's country, the "in stock only" filter and its count, and the price of the cheapest
variant in stock, all from the salable stock of the warehouses serving that country, kept on the
listing's own rows through StockLevelsChanged; and which cached pages a stock change drops."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from storeteam.catalog.models import Category
from storeteam.inventory.services import StockLine, reservation_create, warehouse_ensure
from storeteam.pricing.services import PriceRow, prices_import
from storeteam.storefront.models import ListingEntry
from storeteam.storefront.selectors import ListingQuery, listing_page, listing_versions
from tests.inventory.fixtures import Place, build_stock_place, receive

CLOTHING = "/c/clothing/"
API = "/api/v1/storefront"


@pytest.fixture
def place(db: Any, deliver_events: Any) -> Place:
    place = build_stock_place(deliver_events)
    receive(place.se, place.variants["LINEN-SHIRT-S"], 2)
    receive(place.se, place.variants["RAIN-JACKET-M"], 10)
    receive(place.se, place.variants["WOOL-JACKET-S"], 5)
    deliver_events()
    return place


def cards(html: str) -> dict[str, bool]:
    """Card name -> whether it says the product is out of stock."""
    return {
        name: 'class="stock out"' in card
        for card in re.findall(r'<li class="card">(.*?)</li>', html, re.S)
        for name in re.findall(r'<span class="name">([^<]+)</span>', card)
    }


def in_stock_count(html: str) -> int:
    return int(re.search(r'In stock only <span class="count">\((\d+)\)</span>', html)[1])  # type: ignore[index]


def sell(place: Place, sku: str, quantity: int, key: str) -> None:
    reservation_create(key=key, lines=[StockLine(place.variants[sku], quantity)], country="SE")


def test_a_product_sold_out_leaves_the_in_stock_filter_and_comes_back_when_restocked(
    place: Place, deliver_events: Any
) -> None:
    client = Client()
    assert cards(client.get(CLOTHING).content.decode()) == {
        "Field Shirt": True,  # never stocked
        "Linen Shirt": False,
        "Rain Jacket": False,
        "Wool Jacket": False,
    }
    in_stock = client.get(CLOTHING + "?available=1").content.decode()
    assert sorted(cards(in_stock)) == ["Linen Shirt", "Rain Jacket", "Wool Jacket"]
    assert in_stock_count(in_stock) == 3

    sell(place, "LINEN-SHIRT-S", 2, "order-1")  # its last two
    # the cached pages stand until the worker has the event
    assert "Linen Shirt" in cards(client.get(CLOTHING + "?available=1").content.decode())
    deliver_events()

    in_stock = client.get(CLOTHING + "?available=1").content.decode()
    assert sorted(cards(in_stock)) == ["Rain Jacket", "Wool Jacket"]
    assert in_stock_count(in_stock) == 2
    everything = client.get(CLOTHING).content.decode()
    assert cards(everything)["Linen Shirt"] is True
    assert in_stock_count(everything) == 2  # the count is the same with the filter off
    assert cards(client.get("/search/?q=linen").content.decode()) == {"Linen Shirt": True}
    api = client.get(f"{API}/categories/clothing/products?available=true").json()
    assert [p["name"] for p in api["products"]] == ["Rain Jacket", "Wool Jacket"]
    assert api["in_stock"] == 2

    receive(place.se, place.variants["LINEN-SHIRT-S"], 4)  # restocked
    deliver_events()
    in_stock = client.get(CLOTHING + "?available=1").content.decode()
    assert sorted(cards(in_stock)) == ["Linen Shirt", "Rain Jacket", "Wool Jacket"]
    assert cards(client.get("/search/?q=linen").content.decode()) == {"Linen Shirt": False}


def test_reserved_allocated_and_safety_stock_are_not_for_sale(
    place: Place, deliver_events: Any
) -> None:
    from storeteam.inventory.models import Stock
    from storeteam.inventory.services import reservation_allocate, stock_levels_set

    row = Stock.objects.get(warehouse=place.se, variant_id=place.variants["RAIN-JACKET-M"])
    sell(place, "RAIN-JACKET-M", 4, "order-1")
    reservation_allocate(key="order-1", reference="order-1")  # 4 allocated, 6 left
    sell(place, "RAIN-JACKET-M", 3, "order-2")  # 3 reserved, 3 left
    stock_levels_set(actor=None, stock_id=row.pk, safety_stock=2, low_stock_threshold=0)
    deliver_events()
    assert cards(Client().get(CLOTHING).content.decode())["Rain Jacket"] is False  # 1 left
    stock_levels_set(actor=None, stock_id=row.pk, safety_stock=3, low_stock_threshold=0)
    deliver_events()
    assert cards(Client().get(CLOTHING).content.decode())["Rain Jacket"] is True


def query(country: str, currency: str = "EUR", **kwargs: Any) -> ListingQuery:
    path = Category.objects.get(translations__slug="clothing", translations__language="en").path
    return ListingQuery(
        category_path=path, currency=currency, country=country, language="en", **kwargs
    )


def available(country: str, currency: str = "EUR") -> set[str]:
    return {c.name for c in listing_page(query(country, currency, available_only=True)).cards}


def test_stock_counts_where_the_warehouse_delivers(place: Place, deliver_events: Any) -> None:
    receive(place.fr, place.variants["FIELD-SHIRT-L"], 7)  # Lyon serves France
    deliver_events()
    assert "Field Shirt" in available("FR")
    assert "Field Shirt" not in available("SE")
    assert available("NL") == set()  # Tilburg holds nothing
    assert available("SE", "SEK") == {"Linen Shirt", "Rain Jacket", "Wool Jacket"}

    # Lyon starts delivering to Sweden too: its stock counts for Swedish shoppers from then on
    warehouse_ensure(code="lyon", name="Lyon", country="FR", serves=["FR", "BE", "LU", "SE"])
    deliver_events()
    assert "Field Shirt" in available("SE")
    assert "Field Shirt" in available("SE", "SEK")


def test_the_listed_price_is_the_cheapest_variant_in_stock(
    place: Place, deliver_events: Any
) -> None:
    from storeteam.pricing.models import PriceList

    prices_import(
        price_list=PriceList.objects.get(code="web-eur"),
        rows=[PriceRow("WOOL-JACKET-M", "110.00", "150.00")],
    )
    deliver_events()

    def wool() -> tuple[Decimal, Decimal | None, bool]:
        entry = ListingEntry.objects.get(
            product__variants__sku="WOOL-JACKET-S", currency="EUR", country="SE"
        )
        return entry.price, entry.compare_at, entry.is_available

    assert wool() == (Decimal("120.00"), None, True)  # the M is cheaper but has none
    receive(place.se, place.variants["WOOL-JACKET-M"], 1)
    deliver_events()
    assert wool() == (Decimal("110.00"), Decimal("150.00"), True)
    sell(place, "WOOL-JACKET-M", 1, "order-1")
    sell(place, "WOOL-JACKET-S", 5, "order-2")
    deliver_events()
    assert wool() == (Decimal("110.00"), Decimal("150.00"), False)  # none: the cheapest priced
    page = Client().get("/p/wool-jacket/").content.decode()  # the product page agrees
    assert (
        '<p class="price big"><span class="sale">110.00\u00a0EUR</span> '
        "<s>150.00\u00a0EUR</s></p>" in page
    )


def test_a_sale_that_leaves_stock_keeps_every_cached_listing(
    place: Place, deliver_events: Any, django_assert_num_queries: Any
) -> None:
    client = Client()
    client.get(CLOTHING)
    before = listing_versions()
    sell(place, "RAIN-JACKET-M", 3, "order-1")  # 10 -> 7: still in stock
    deliver_events()
    assert listing_versions() == before
    with django_assert_num_queries(1):  # the whole page from the cache: only the versions
        client.get(CLOTHING)

    sell(place, "WOOL-JACKET-S", 5, "order-2")  # sold out: listings change, product pages stay
    deliver_events()
    listing, stock = listing_versions()
    assert (listing, stock) == (before[0], before[1] + 1)


def test_a_rebuild_takes_the_stock_as_it_is(place: Place, deliver_events: Any) -> None:
    from storeteam.pricing.models import PriceList

    prices_import(
        price_list=PriceList.objects.get(code="web-eur"),
        rows=[PriceRow("LINEN-SHIRT-S", "49.00"), PriceRow("FIELD-SHIRT-L", "59.00")],
    )
    deliver_events()  # the listing is rebuilt from PricesChanged
    assert available("SE") == {"Linen Shirt", "Rain Jacket", "Wool Jacket"}
    assert {c.name: c.price for c in listing_page(query("SE")).cards}["Linen Shirt"] == Decimal(
        "49.00"
    )
