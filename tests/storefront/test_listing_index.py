"""The listing index counts and orders what the listing's rows say, for any filters and sort,
and keeps up with the listing's changes by reloading only the products they name."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from storeteam.catalog.models import Category, Product, ProductTranslation
from storeteam.catalog.services import ProductSpec, VariantSpec, catalog_import
from storeteam.pricing.services import PriceRow, prices_import
from storeteam.storefront import listing_index
from storeteam.storefront.listing_index import FacetCounts
from storeteam.storefront.models import ListingChange, ListingEntry, ListingValue
from storeteam.storefront.services import listing_changes_prune
from tests.catalog.fixtures import CATEGORIES, T0, build_small_catalog

COLOURS = ["red", "blue", "green"]
SIZES = ["s", "m", "l"]
MATERIALS = ["wool", "cotton"]


@pytest.fixture
def catalog(db: Any, deliver_events: Any) -> dict[str, Any]:
    built = build_small_catalog(deliver_events)
    rng = random.Random(20261204)
    specs = []
    for n in range(40):
        sizes = rng.sample(SIZES, rng.randint(1, 3))
        colour = rng.choice(COLOURS)
        specs.append(
            ProductSpec(
                category_key=rng.choice(["clothing", "jackets", "shirts"]),
                names={"en": f"Random {n}"},
                descriptions={"en": "Random."},
                values=[("material", rng.choice(MATERIALS))] if rng.random() < 0.8 else [],
                variants=[
                    VariantSpec(sku=f"RND-{n}-{s}", values=[("colour", colour), ("size", s)])
                    for s in sizes
                ],
                created_at=T0 + timedelta(days=n),
            )
        )
    catalog_import(categories=CATEGORIES, products=specs)
    rows = [
        PriceRow(v.sku, f"{rng.randint(100, 2000)}.{rng.randint(0, 99):02d}")
        for spec in specs
        for v in spec.variants
        if rng.random() < 0.9  # some products are not priced in SEK: not listed
    ]
    prices_import(price_list=built["sek"], rows=rows)
    deliver_events()
    # Some in stock, some not (the index loads what the rows say, however they came to be).
    for entry in ListingEntry.objects.filter(currency="SEK"):
        ListingEntry.objects.filter(pk=entry.pk).update(is_available=rng.random() < 0.6)
    return built


def facet_counts(**query: Any) -> FacetCounts:
    return listing_index.listing_index().listing(**query).counts


def reference(
    *,
    currency: str,
    country: str,
    category_path: str,
    selected: dict[int, frozenset[int]],
    price_min: Decimal | None,
    price_max: Decimal | None,
    available_only: bool,
) -> FacetCounts:
    """The counts worked out product by product from the listing's rows."""
    entries = [
        e
        for e in ListingEntry.objects.filter(currency=currency, country=country)
        if e.category_path.startswith(category_path)
        and (price_min is None or e.price >= price_min)
        and (price_max is None or e.price <= price_max)
    ]
    values: dict[int, set[int]] = defaultdict(set)
    attribute_of: dict[int, int] = {}
    for product_id, value_id, attribute_id in ListingValue.objects.values_list(
        "product_id", "value_id", "attribute_id"
    ):
        values[product_id].add(value_id)
        attribute_of[value_id] = attribute_id

    def passes(entry: ListingEntry, without: int | None, any_stock: bool) -> bool:
        if available_only and not any_stock and not entry.is_available:
            return False
        return all(
            values[entry.product_id] & chosen
            for attribute_id, chosen in selected.items()
            if attribute_id != without and chosen
        )

    left = [e for e in entries if passes(e, None, True)]
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    for value_id, attribute_id in attribute_of.items():
        n = sum(
            1
            for e in entries
            if passes(e, attribute_id, False) and value_id in values[e.product_id]
        )
        if n:
            counts[attribute_id][value_id] = n
    return FacetCounts(
        every=len(left), in_stock=sum(1 for e in left if e.is_available), values=dict(counts)
    )


def random_queries(rng: random.Random, n: int) -> list[dict[str, Any]]:
    paths = [*Category.objects.values_list("path", flat=True), ""]
    by_attribute: dict[int, list[int]] = defaultdict(list)
    for value_id, attribute_id in set(ListingValue.objects.values_list("value_id", "attribute_id")):
        by_attribute[attribute_id].append(value_id)
    queries = []
    for _ in range(n):
        selected = {
            attribute_id: frozenset(rng.sample(sorted(ids), rng.randint(0, len(ids))))
            for attribute_id, ids in by_attribute.items()
            if rng.random() < 0.5
        }
        low = Decimal(rng.randint(0, 150000)) / 100 if rng.random() < 0.3 else None
        high = Decimal(rng.randint(50000, 250000)) / 1000 if rng.random() < 0.3 else None
        queries.append(
            {
                "currency": "SEK",
                "country": "SE",
                "category_path": rng.choice(paths),
                "selected": selected,
                "price_min": low,
                "price_max": high,
                "available_only": rng.random() < 0.4,
            }
        )
    return queries


def whole_market(**changes: Any) -> dict[str, Any]:
    """A query of every SEK product for Sweden, no filter but ``changes``."""
    return {
        "currency": "SEK",
        "country": "SE",
        "category_path": "",
        "selected": {},
        "price_min": None,
        "price_max": None,
        "available_only": False,
        **changes,
    }


def same(counts: FacetCounts, expected: FacetCounts) -> None:
    assert (counts.every, counts.in_stock) == (expected.every, expected.in_stock)
    assert {a: v for a, v in counts.values.items() if v} == expected.values


def test_counts_agree_with_the_rows_for_any_filters(catalog: Any) -> None:
    rng = random.Random(7)
    queries = random_queries(rng, 300)
    assert any(q["selected"] and q["price_min"] for q in queries)
    nonempty = 0
    for q in queries:
        counts = facet_counts(**q)
        same(counts, reference(**q))
        nonempty += counts.every > 0
    assert nonempty > 100  # the queries are not all trivially empty


def test_the_index_catches_up_with_the_changes_it_is_told_of(
    catalog: Any, deliver_events: Any, django_assert_num_queries: Any
) -> None:
    everything = whole_market()
    before = facet_counts(**everything).every
    with django_assert_num_queries(1):  # current: only the listing's stamp is read
        facet_counts(**everything)
    # One product drops out of SEK (its price removed from the list), another moves category.
    wool = ProductTranslation.objects.get(language="en", name="Wool Jacket").product
    prices_import(
        price_list=catalog["sek"],
        rows=[PriceRow("WOOL-JACKET-S", "1.00"), PriceRow("WOOL-JACKET-M", "1.00")],
    )
    deliver_events()
    cheap = whole_market(price_max=Decimal("1.00"))
    # the stamp, the changes since the last one read, the changed products' values and rows
    with django_assert_num_queries(4):
        counts = facet_counts(**cheap)
    assert counts.every == 1
    same(counts, reference(**cheap))
    Product.objects.filter(pk=wool.pk).update(is_published=False)
    from storeteam.storefront.services import listing_rebuild

    listing_rebuild(product_ids=[wool.pk])
    same(facet_counts(**everything), reference(**everything))
    assert facet_counts(**everything).every == before - 1
    for q in random_queries(random.Random(11), 50):
        same(facet_counts(**q), reference(**q))


def test_an_index_whose_history_is_gone_reloads_everything(
    catalog: Any, deliver_events: Any
) -> None:
    everything = whole_market(available_only=True)
    facet_counts(**everything)
    # What this index read last is gone (as after a restore); the rows change behind its back.
    ListingChange.objects.all().delete()
    ListingEntry.objects.filter(currency="SEK").update(is_available=True)
    prices_import(price_list=catalog["sek"], rows=[PriceRow("RAIN-JACKET-M", "2.00")])
    deliver_events()
    counts = facet_counts(**everything)
    # every row is in stock now but the rain jacket's, rebuilt from the stock (it has none)
    listed = ListingEntry.objects.filter(currency="SEK", country="SE").count()
    assert counts.in_stock == listed - 1
    same(counts, reference(**everything))


def test_two_processes_indexes_follow_the_same_changes(catalog: Any, deliver_events: Any) -> None:
    cheap = whole_market(price_max=Decimal("5.00"))
    other = listing_index.ListingIndex()  # another web process's
    assert facet_counts(**cheap).every == other.listing(**cheap).counts.every == 0
    prices_import(price_list=catalog["sek"], rows=[PriceRow("FIELD-SHIRT-L", "3.00")])
    deliver_events()
    assert facet_counts(**cheap).every == other.listing(**cheap).counts.every == 1


def test_pruning_keeps_the_latest_change(catalog: Any) -> None:
    from storeteam.core.scheduling import periodic_jobs

    name = "storeteam.storefront.tasks.listing_changes_prune_due"
    assert name in {job.name for job in periodic_jobs()}
    latest = ListingChange.objects.order_by("-id").first()
    assert latest is not None
    before = ListingChange.objects.count()
    assert before > 1
    ListingChange.objects.update(created_at=timezone.now() - timedelta(hours=2))
    assert listing_changes_prune() == before - 1
    assert list(ListingChange.objects.values_list("id", flat=True)) == [latest.pk]
    assert listing_changes_prune() == 0


def reference_order(query: dict[str, Any], sort: str, merchandising: dict[str, Any]) -> list[int]:
    """The products the filters leave, sorted row by row as each sort is defined."""
    left = reference_rows(query)
    boosts, buries = merchandising["boosts"], merchandising["buries"]

    def key(entry: ListingEntry) -> tuple[Any, ...]:
        micros = int(entry.created_at.timestamp() * 1_000_000)
        by = {
            "price_asc": (entry.price,),
            "price_desc": (-entry.price,),
            "newest": (-micros,),
            "bestselling": (-entry.sales_count,),
            "relevance": (
                0 if entry.product_id in boosts else 2 if entry.product_id in buries else 1,
                -entry.sales_count,
                -micros,
            ),
        }[sort]
        stock = (not entry.is_available,) if merchandising["out_of_stock_last"] else ()
        return (*stock, *by, entry.product_id)

    return [e.product_id for e in sorted(left, key=key)]


def reference_rows(query: dict[str, Any]) -> list[ListingEntry]:
    values: dict[int, set[int]] = defaultdict(set)
    for product_id, value_id in ListingValue.objects.values_list("product_id", "value_id"):
        values[product_id].add(value_id)
    return [
        e
        for e in ListingEntry.objects.filter(currency=query["currency"], country=query["country"])
        if e.category_path.startswith(query["category_path"])
        and (query["price_min"] is None or e.price >= query["price_min"])
        and (query["price_max"] is None or e.price <= query["price_max"])
        and (e.is_available or not query["available_only"])
        and all(values[e.product_id] & chosen for chosen in query["selected"].values() if chosen)
    ]


def test_orders_agree_with_the_rows_for_any_sort_and_rules(catalog: Any) -> None:
    rng = random.Random(13)
    # ties in every key, so the product id must break them
    ListingEntry.objects.filter(product_id__in=list(catalog["products"][:2])).update(sales_count=5)
    product_ids = sorted(ListingEntry.objects.values_list("product_id", flat=True).distinct())
    for q in random_queries(rng, 120):
        sort = rng.choice(["relevance", "price_asc", "price_desc", "newest", "bestselling"])
        picked = rng.sample(product_ids, 6)
        merchandising = {
            "boosts": set(picked[:2]) if sort == "relevance" else set(),
            "buries": set(picked[2:4]) if sort == "relevance" else set(),
            "out_of_stock_last": rng.random() < 0.5,
        }
        found = listing_index.listing_index().listing(
            **q, sort=sort, about=picked[4:], **merchandising
        )
        assert found.order == reference_order(q, sort, merchandising)
        left = {e.product_id: e.is_available for e in reference_rows(q)}
        assert found.present == {p for p in picked[4:] if p in left}
        assert found.in_stock == {p for p in picked[4:] if left.get(p)}
