"""Keeps the storefront's listing (storefront.models) in step with the catalog and prices."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.db.models import F, Min

from storeteam.catalog.models import Product, ProductValue, VariantValue
from storeteam.pricing.models import VariantPrice
from storeteam.storefront.models import ListingEntry, ListingState, ListingValue

CHUNK = 1000


def listing_rebuild(*, product_ids: Sequence[int]) -> int:
    """Rebuild the listing rows of these products from the catalog and the default price lists.

    A product is listed in a currency when it is published, its category is published, and at
    least one variant has a price in that currency's default price list. Returns rows written.
    """
    written = 0
    for start in range(0, len(product_ids), CHUNK):
        written += _rebuild_chunk(list(product_ids[start : start + CHUNK]))
    return written


def listing_version_raise() -> None:
    """Make every cached listing page stale (call inside the transaction of the change)."""
    updated = ListingState.objects.filter(pk=1).update(version=F("version") + 1)
    if not updated:
        ListingState.objects.get_or_create(pk=1, defaults={"version": 2})


def _rebuild_chunk(ids: list[int]) -> int:
    products = {
        p["pk"]: p
        for p in Product.objects.filter(
            pk__in=ids, is_published=True, category__is_published=True
        ).values("pk", "category__path", "created_at", "sales_count")
    }
    prices = (
        VariantPrice.objects.filter(
            variant__product_id__in=list(products), price_list__is_default=True
        )
        .values("variant__product_id", "price_list__currency")
        .annotate(price=Min("amount"), compare_at=Min("compare_at"))
        .order_by()
    )
    entries = [
        ListingEntry(
            product_id=row["variant__product_id"],
            currency=row["price_list__currency"],
            category_path=products[row["variant__product_id"]]["category__path"],
            price=row["price"],
            compare_at=row["compare_at"]
            if row["compare_at"] and row["compare_at"] > row["price"]
            else None,
            is_available=True,
            created_at=products[row["variant__product_id"]]["created_at"],
            sales_count=products[row["variant__product_id"]]["sales_count"],
        )
        for row in prices
    ]
    listed = {e.product_id for e in entries}
    pairs: set[tuple[int, int, int]] = set()
    facet = {"value__attribute__is_facet": True}
    for product_id, value_id, attribute_id in ProductValue.objects.filter(
        product_id__in=listed, **facet
    ).values_list("product_id", "value_id", "value__attribute_id"):
        pairs.add((product_id, value_id, attribute_id))
    for product_id, value_id, attribute_id in VariantValue.objects.filter(
        variant__product_id__in=listed, **facet
    ).values_list("variant__product_id", "value_id", "value__attribute_id"):
        pairs.add((product_id, value_id, attribute_id))
    with transaction.atomic():
        ListingEntry.objects.filter(product_id__in=ids).delete()
        ListingValue.objects.filter(product_id__in=ids).delete()
        ListingEntry.objects.bulk_create(entries, batch_size=CHUNK)
        ListingValue.objects.bulk_create(
            [ListingValue(product_id=p, value_id=v, attribute_id=a) for p, v, a in sorted(pairs)],
            batch_size=CHUNK,
        )
        listing_version_raise()
    return len(entries)
