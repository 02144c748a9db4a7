"""What a product page says of the stock (I1 on the shopper's side): per variant, from the
salable stock of the warehouses serving the shopper's country; and what a change of stock does to
the cached pages: only a change a page shows drops that product's pages, never the listing's."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from storeteam.inventory.services import StockLine, reservation_create, stock_adjust
from storeteam.storefront.models import ProductPageState, VariantStockShown
from storeteam.storefront.selectors import listing_version
from storeteam.storefront.services import stock_shown_refresh
from tests.inventory.fixtures import Place, build_stock_place, receive

JACKET = "/p/wool-jacket/"


@pytest.fixture
def place(db: Any, deliver_events: Any) -> Place:
    place = build_stock_place(deliver_events)
    receive(place.se, place.variants["WOOL-JACKET-S"], 20)
    receive(place.se, place.variants["WOOL-JACKET-M"], 3)
    receive(place.fr, place.variants["WOOL-JACKET-M"], 8)
    deliver_events()
    return place


def offer_of(html: str) -> dict[str, Any]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    offer: dict[str, Any] = json.loads(blocks[0])["offers"]
    return offer


def variant_rows(html: str) -> list[tuple[str, bool, bool, str]]:
    """(label, checked, disabled, stock text) per variant radio."""
    rows = []
    for attributes, label, stock in re.findall(
        r'<input type="radio" name="variant" value="\d+"([^>]*)> <span>([^·<]+).*?'
        r'<span class="stock [a-z]+">([^<]+)</span>',
        html,
    ):
        rows.append((label.strip(), "checked" in attributes, "disabled" in attributes, stock))
    return rows


def sell(place: Place, sku: str, quantity: int, key: str, country: str = "SE") -> None:
    reservation_create(key=key, lines=[StockLine(place.variants[sku], quantity)], country=country)


def test_each_variant_states_its_stock_for_the_shoppers_country(place: Place) -> None:
    client = Client()
    english = client.get(JACKET).content.decode()  # English shoppers count Stockholm's stock
    assert variant_rows(english) == [
        ("Red / S", True, False, "In stock"),
        ("Red / M", False, False, "Only 3 left"),
    ]
    assert '<p class="availability"><span class="stock ok">In stock</span></p>' in english
    assert offer_of(english)["availability"] == "https://schema.org/InStock"

    # Lyon has only the M (the option values have no French names here: English ones show)
    french = client.get("/fr/p/wool-jacket/").content.decode()
    assert variant_rows(french) == [
        ("Red / S", False, True, "Rupture de stock"),
        ("Red / M", True, False, "En stock"),
    ]
    dutch = client.get("/nl/p/wool-jacket/").content.decode()  # Tilburg: nothing
    assert [row[2:] for row in variant_rows(dutch)] == [
        (True, "Niet op voorraad"),
        (True, "Niet op voorraad"),
    ]
    assert offer_of(dutch)["availability"] == "https://schema.org/OutOfStock"
    assert "checked" not in dutch.split('class="variants"')[1].split("</fieldset>")[0]


def test_a_single_variant_product_says_how_few_are_left(place: Place, deliver_events: Any) -> None:
    receive(place.se, place.variants["LINEN-SHIRT-S"], 2)
    deliver_events()
    html = Client().get("/p/linen-shirt/").content.decode()
    assert '<p class="availability"><span class="stock low">Only 2 left</span></p>' in html
    sv = Client().get("/sv/p/linneskjorta/").content.decode()
    assert '<span class="stock low">Bara 2 kvar</span>' in sv
    assert offer_of(html)["availability"] == "https://schema.org/InStock"
    # never stocked anywhere: out of stock, whatever its price
    field = Client().get("/p/field-shirt/").content.decode()
    assert '<p class="availability"><span class="stock out">Out of stock</span></p>' in field
    assert offer_of(field)["availability"] == "https://schema.org/OutOfStock"


def test_a_sale_that_leaves_plenty_keeps_every_cached_page(
    place: Place, deliver_events: Any, django_assert_num_queries: Any
) -> None:
    client = Client()
    cache.clear()
    client.get(JACKET)
    pages_before = dict(ProductPageState.objects.values_list("product_id", "version"))
    listing_before = listing_version()

    sell(place, "WOOL-JACKET-S", 2, "order-1")  # 20 -> 18 salable: still "In stock"
    deliver_events()

    assert dict(ProductPageState.objects.values_list("product_id", "version")) == pages_before
    assert listing_version() == listing_before
    with django_assert_num_queries(1):  # still the cached page: only its versions are read
        assert client.get(JACKET).status_code == 200
    # what the worker does for such a sale: two reads, nothing written
    with django_assert_num_queries(2):
        assert stock_shown_refresh(variant_ids=[place.variants["WOOL-JACKET-S"]]) == []


def test_crossing_into_low_stock_and_out_of_it_drops_only_that_products_pages(
    place: Place, deliver_events: Any, django_assert_num_queries: Any
) -> None:
    client = Client()
    receive(place.se, place.variants["RAIN-JACKET-M"], 50)
    deliver_events()
    cache.clear()
    client.get(JACKET)
    client.get("/p/rain-jacket/")
    listing_before = listing_version()
    jacket_id = ProductPageState.objects.get(product__variants__sku="WOOL-JACKET-S").pk
    version = ProductPageState.objects.get(pk=jacket_id).version

    sell(place, "WOOL-JACKET-S", 15, "order-1")  # 20 -> 5: "Only 5 left"
    deliver_events()
    assert ProductPageState.objects.get(pk=jacket_id).version == version + 1
    assert ("Red / S", True, False, "Only 5 left") in variant_rows(
        client.get(JACKET).content.decode()
    )
    with django_assert_num_queries(1):  # the other product's page is still cached
        client.get("/p/rain-jacket/")

    sell(place, "WOOL-JACKET-S", 1, "order-2")  # each unit shown while few are left
    deliver_events()
    assert ("Red / S", True, False, "Only 4 left") in variant_rows(
        client.get(JACKET).content.decode()
    )

    sell(place, "WOOL-JACKET-S", 4, "order-3")
    sell(place, "WOOL-JACKET-M", 3, "order-4")
    deliver_events()
    sold_out = client.get(JACKET).content.decode()
    assert variant_rows(sold_out) == [
        ("Red / S", False, True, "Out of stock"),
        ("Red / M", False, True, "Out of stock"),
    ]
    assert offer_of(sold_out)["availability"] == "https://schema.org/OutOfStock"
    # France counts Lyon, which still has the M: that page is unchanged
    assert ("Red / M", True, False, "En stock") in variant_rows(
        client.get("/fr/p/wool-jacket/").content.decode()
    )

    receive(place.se, place.variants["WOOL-JACKET-S"], 40)  # back in stock
    deliver_events()
    assert variant_rows(client.get(JACKET).content.decode())[0] == (
        "Red / S",
        True,
        False,
        "In stock",
    )
    assert listing_version() == listing_before  # no global version was raised on the way
    assert (
        VariantStockShown.objects.get(
            variant_id=place.variants["WOOL-JACKET-S"], country="SE"
        ).level
        == 6
    )


def test_a_page_is_not_cached_while_its_stock_change_is_on_its_way(
    place: Place, deliver_events: Any, django_assert_num_queries: Any
) -> None:
    client = Client()
    cache.clear()
    client.get(JACKET)
    stock_adjust(
        actor=None,
        warehouse=place.se,
        variant_id=place.variants["WOOL-JACKET-M"],
        change=-3,
        reason="Damaged",
    )
    # The cached page is served until the worker has the event; the page rendered meanwhile
    # shows the stock as it is but is not kept, since no version would drop it again.
    cache.clear()
    first = client.get(JACKET)
    assert ("Red / M", False, True, "Out of stock") in variant_rows(first.content.decode())
    assert "no-store" in first["Cache-Control"]
    # rendered again, but its content is cached: only the versions and the stock are read
    with django_assert_num_queries(2):
        client.get(JACKET)
    deliver_events()
    settled = client.get(JACKET)
    assert "no-store" not in settled.get("Cache-Control", "")
    with django_assert_num_queries(1):
        assert ("Red / M", False, True, "Out of stock") in variant_rows(
            client.get(JACKET).content.decode()
        )
