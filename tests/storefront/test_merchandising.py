"""Merchandising rules per category (S4): pins land at their position on every page, boosts come
first and buries last in the recommended order only, out-of-stock last under every sort, and
saving rules changes what shoppers see at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from storeteam.catalog.models import Category
from storeteam.catalog.services import CategorySpec, ProductSpec, VariantSpec, catalog_import
from storeteam.core.models import AuditEntry
from storeteam.pricing.services import PriceRow, price_list_ensure, prices_import
from storeteam.storefront.models import ListingEntry
from storeteam.storefront.selectors import (
    PER_PAGE,
    ListingQuery,
    Merchandising,
    listing_page,
    listing_preview,
)
from storeteam.storefront.services import MerchandisingError, merchandising_save
from tests.factories import StaffFactory

N = 60  # products: more than two pages
T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def shelf(db: Any, deliver_events: Any) -> dict[str, Any]:
    """N products in one category; product k (from 0) is newer than k-1, so the default order
    (best-selling, then newest) is N-1, N-2, … 0 while nothing has sold."""
    result = catalog_import(
        categories=[CategorySpec("lamps", {"en": "Lamps"})],
        products=[
            ProductSpec(
                category_key="lamps",
                names={"en": f"Lamp {k:02d}"},
                variants=[VariantSpec(sku=f"LAMP-{k:02d}")],
                created_at=T0 + timedelta(days=k),
            )
            for k in range(N)
        ],
    )
    sek = price_list_ensure(code="web-sek", name="Web SEK", currency="SEK")
    prices_import(
        price_list=sek, rows=[PriceRow(f"LAMP-{k:02d}", f"{100 + k}.00") for k in range(N)]
    )
    deliver_events()
    category = Category.objects.get(pk=result.category_ids["lamps"])
    return {"category": category, "ids": result.product_ids}


def query(category: Category, **kwargs: Any) -> ListingQuery:
    return ListingQuery(
        category_path=category.path,
        currency="SEK",
        country="SE",
        language="en",
        category_id=category.pk,
        **kwargs,
    )


def every_card(category: Category, **kwargs: Any) -> list[int]:
    """The whole list, page by page, as product ids."""
    first = listing_page(query(category, **kwargs))
    ids = [c.product_id for c in first.cards]
    for page in range(2, first.pages + 1):
        ids += [c.product_id for c in listing_page(query(category, page=page, **kwargs)).cards]
    return ids


def expected(base: list[int], pins: list[tuple[int, int]]) -> list[int]:
    """Reference: the base order without the pinned products, with each pin put at its place."""
    pinned = {p for p, _ in pins}
    rest = [p for p in base if p not in pinned]
    for product_id, position in sorted(pins, key=lambda pin: pin[1]):
        rest.insert(min(position, len(rest) + 1) - 1, product_id)
    return rest


def test_pins_hold_their_positions_across_pages(shelf: dict[str, Any]) -> None:
    category, ids = shelf["category"], shelf["ids"]
    base = every_card(category)
    assert base == list(reversed(ids))  # newest first while nothing has sold
    # positions on the first page, on the boundary of pages one and two, and past the end
    pins = [(ids[0], 1), (ids[5], PER_PAGE), (ids[7], PER_PAGE + 1), (ids[9], 500)]
    merchandising_save(category=category, merchandising=Merchandising(pins=tuple(pins)), actor=None)
    shown = every_card(category)
    assert len(shown) == N
    assert set(shown) == set(ids)
    assert shown[0] == ids[0]
    assert shown[PER_PAGE - 1] == ids[5]
    assert shown[PER_PAGE] == ids[7]
    assert shown[-1] == ids[9]
    assert shown == expected(base, pins)
    # an explicit sort by price ignores pins
    assert every_card(category, sort="price_asc") == ids


def test_boost_and_bury_shape_only_the_recommended_order(shelf: dict[str, Any]) -> None:
    category, ids = shelf["category"], shelf["ids"]
    merchandising_save(
        category=category,
        merchandising=Merchandising(
            boosts=frozenset({ids[0], ids[1]}), buries=frozenset({ids[N - 1]})
        ),
        actor=None,
    )
    shown = every_card(category)
    assert shown[:2] == [ids[1], ids[0]]  # boosted, newest first among them
    assert shown[-1] == ids[N - 1]  # the newest, buried
    assert every_card(category, sort="price_desc") == list(reversed(ids))


def test_out_of_stock_last_under_every_sort_and_pins_stay_in_stock(
    shelf: dict[str, Any], deliver_events: Any
) -> None:
    from storeteam.catalog.models import Variant
    from storeteam.inventory.services import StockLine, stock_receive
    from tests.inventory.fixtures import build_warehouses

    category, ids = shelf["category"], shelf["ids"]
    sold_out = {ids[N - 1], ids[N - 2], ids[3]}
    stockholm, _lyon, _tilburg = build_warehouses()
    stock_receive(
        actor=None,
        warehouse=stockholm,
        lines=[
            StockLine(variant_id, 5)
            for variant_id in Variant.objects.exclude(product_id__in=sold_out)
            .order_by("pk")
            .values_list("pk", flat=True)
        ],
    )
    deliver_events()  # the listing follows the stock
    assert (
        set(
            ListingEntry.objects.filter(
                currency="SEK", country="SE", is_available=False
            ).values_list("product_id", flat=True)
        )
        == sold_out
    )
    merchandising_save(
        category=category,
        merchandising=Merchandising(pins=((ids[3], 1), (ids[4], 2)), out_of_stock_last=True),
        actor=None,
    )
    shown = every_card(category)
    assert set(shown[-3:]) == sold_out
    assert shown[1] == ids[4]  # the pin of a sold-out product does not count
    assert ids[3] not in shown[:2]
    by_price = every_card(category, sort="price_asc")
    assert set(by_price[-3:]) == sold_out
    assert by_price[: N - 3] == [i for i in ids if i not in sold_out]


def test_saving_rules_changes_the_cached_page_at_once_and_is_audited(
    shelf: dict[str, Any],
) -> None:
    category, ids = shelf["category"], shelf["ids"]
    manager = StaffFactory(role="ecommerce_manager")
    assert listing_page(query(category)).cards[0].product_id == ids[N - 1]  # now cached
    merchandising_save(
        category=category, merchandising=Merchandising(pins=((ids[0], 1),)), actor=manager
    )
    assert listing_page(query(category)).cards[0].product_id == ids[0]
    entry = AuditEntry.objects.get(action="storefront.merchandising_save")
    assert entry.actor_id == manager.pk
    assert entry.after["pins"] == [[ids[0], 1]]


def test_preview_shows_unsaved_rules_without_saving(shelf: dict[str, Any]) -> None:
    category, ids = shelf["category"], shelf["ids"]
    draft = Merchandising(pins=((ids[0], 1),), buries=frozenset({ids[N - 1]}))
    preview = listing_preview(query(category), draft)
    assert [c.product_id for c in preview.cards[:2]] == [ids[0], ids[N - 2]]
    assert listing_page(query(category)).cards[0].product_id == ids[N - 1]


@pytest.mark.parametrize(
    ("rules", "problem"),
    [
        (Merchandising(pins=((1, 1),), boosts=frozenset({1})), "one rule only"),
        (Merchandising(pins=((1, 0),)), "Pin positions go from 1"),
        (Merchandising(pins=((1, 2), (2, 2))), "share a position"),
        (Merchandising(boosts=frozenset({999_999})), "No such product: 999999"),
    ],
)
def test_bad_rules_are_refused_with_a_reason_and_nothing_is_saved(
    shelf: dict[str, Any], rules: Merchandising, problem: str
) -> None:
    category, ids = shelf["category"], shelf["ids"]
    # the parametrised ids 1 and 2 stand for the shelf's first products
    mapping = {1: ids[0], 2: ids[1]}
    rules = Merchandising(
        pins=tuple((mapping.get(p, p), n) for p, n in rules.pins),
        boosts=frozenset(mapping.get(p, p) for p in rules.boosts),
        buries=frozenset(mapping.get(p, p) for p in rules.buries),
    )
    with pytest.raises(MerchandisingError) as raised:
        merchandising_save(category=category, merchandising=rules, actor=None)
    assert any(problem in p for p in raised.value.problems)
    assert not AuditEntry.objects.filter(action="storefront.merchandising_save").exists()
