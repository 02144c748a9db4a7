"""Keeps the storefront's read models in step: the listing with the catalog, prices and stock,
what product pages show of the stock with inventory."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from storeteam.catalog.models import Category, Product, ProductValue, Variant, VariantValue
from storeteam.core.audit import audit_record
from storeteam.core.errors import DomainError
from storeteam.inventory.selectors import salable_quantities_by_country
from storeteam.pricing.models import VariantPrice
from storeteam.storefront.markets import store_countries, store_markets
from storeteam.storefront.models import (
    CategorySorting,
    ListingChange,
    ListingEntry,
    ListingState,
    ListingValue,
    MerchandisingAction,
    MerchandisingRule,
    ProductPageState,
    VariantStockShown,
)
from storeteam.storefront.product_selectors import stock_level
from storeteam.storefront.selectors import Merchandising, merchandising_of

CHUNK = 1000


def listing_rebuild(*, product_ids: Sequence[int]) -> int:
    """Rebuild the listing rows of these products from the catalog, the default price lists and
    the stock.

    A product is listed in a market (storefront.markets) when it is published, its category is
    published, and at least one variant has a price in the market's currency's default price
    list. Its row is in stock when one of those variants has salable units for the market's
    country (inventory.selectors), and priced as the cheapest of those (of the priced ones when
    none is in stock). Returns rows written.
    """
    written = 0
    for start in range(0, len(product_ids), CHUNK):
        written += _rebuild_chunk(list(product_ids[start : start + CHUNK]))
    return written


def listing_version_raise() -> None:
    """Make every cached listing page stale (call inside the transaction of the change).

    Its row lock orders the writers of the listing: a rebuild, or a stock refresh, that raises
    a version first reads the stock after the one before it has committed."""
    updated = ListingState.objects.filter(pk=1).update(version=F("version") + 1)
    if not updated:
        ListingState.objects.get_or_create(pk=1, defaults={"version": 2})


def _listing_changed(product_ids: Sequence[int], **state: Any) -> None:
    """Record that these products' listing rows were rewritten (inside the writer's transaction,
    after it took the listing's lock): the listing indexes of every process reload them. ``state``
    is any other change to the listing's state, made in the same UPDATE."""
    stamp = uuid.uuid4().hex
    ListingChange.objects.create(stamp=stamp, product_ids=sorted(set(product_ids)))
    ListingState.objects.filter(pk=1).update(change_stamp=stamp, **state)


def listing_changes_prune(*, older_than: timedelta = timedelta(hours=1)) -> int:
    """Delete the record of listing changes older than ``older_than``, but never the latest
    (the facet indexes check their place against it). Returns rows deleted."""
    latest = ListingChange.objects.order_by("-id").values_list("id", flat=True).first()
    if latest is None:
        return 0
    deleted, _ = (
        ListingChange.objects.filter(created_at__lt=timezone.now() - older_than)
        .exclude(id=latest)
        .delete()
    )
    return deleted


def _listing_state_lock() -> None:
    """Wait for the listing's writers before this transaction (see listing_version_raise)."""
    if not ListingState.objects.select_for_update().filter(pk=1).exists():
        ListingState.objects.get_or_create(pk=1)


@dataclass(frozen=True)
class _Offer:
    """What a listing row says of a product in one market."""

    price: Decimal
    compare_at: Decimal | None
    is_available: bool


PricedVariant = tuple[int, Decimal, Decimal | None]  # variant id, price, compare-at price


def _priced_variants(product_ids: Sequence[int]) -> dict[int, dict[str, list[PricedVariant]]]:
    """product id -> currency -> its variants priced in that currency's default price list,
    in the variants' order."""
    priced: dict[int, dict[str, list[PricedVariant]]] = defaultdict(lambda: defaultdict(list))
    for product_id, variant_id, currency, amount, compare_at in (
        VariantPrice.objects.filter(
            variant__product_id__in=product_ids, price_list__is_default=True
        )
        .order_by("variant__product_id", "variant__position", "variant_id")
        .values_list(
            "variant__product_id", "variant_id", "price_list__currency", "amount", "compare_at"
        )
    ):
        priced[product_id][currency].append((variant_id, amount, compare_at))
    return priced


def _offer(variants: list[PricedVariant], salable: dict[int, int]) -> _Offer:
    """The offer of these priced variants with ``salable`` units each: the cheapest in stock (the
    first of them at that price, as the product page chooses), else the cheapest priced."""
    in_stock = [v for v in variants if salable.get(v[0], 0) > 0]
    _variant_id, price, compare_at = min(in_stock or variants, key=lambda v: v[1])
    return _Offer(
        price=price,
        compare_at=compare_at if compare_at is not None and compare_at > price else None,
        is_available=bool(in_stock),
    )


def _offers(
    priced: dict[int, dict[str, list[PricedVariant]]],
) -> dict[tuple[int, str, str], _Offer]:
    """(product, currency, country) -> offer, for every market each product is priced in, from
    the stock as it is now (one query)."""
    markets = store_markets()
    variant_ids = [v[0] for by in priced.values() for vs in by.values() for v in vs]
    salable = salable_quantities_by_country(
        variant_ids=variant_ids, countries={country for _currency, country in markets}
    )
    return {
        (product_id, currency, country): _offer(by_currency[currency], salable[country])
        for product_id, by_currency in priced.items()
        for currency, country in markets
        if by_currency.get(currency)
    }


def listing_stock_refresh(*, product_ids: Sequence[int]) -> int:
    """Bring the listing rows of these products in line with the stock: in stock or not, and the
    price of the cheapest variant in stock, per market. Raises the listing's stock version when
    a row changed, so cached listings (category pages, search) are dropped and product pages
    stay. Returns the rows changed.

    Runs in its caller's transaction (``stock_shown_refresh``) after waiting for the listing's
    other writers, so the stock it reads is no older than what a rebuild before it wrote."""
    ids = sorted(set(product_ids))
    if not ids:
        return 0
    with transaction.atomic():
        _listing_state_lock()
        offers = _offers(_priced_variants(ids))
        changed = []
        for entry in ListingEntry.objects.filter(product_id__in=ids).order_by("pk"):
            offer = offers.get((entry.product_id, entry.currency, entry.country))
            if offer is None:  # no longer priced there: the rebuild from PricesChanged removes it
                continue
            now = (offer.price, offer.compare_at, offer.is_available)
            if (entry.price, entry.compare_at, entry.is_available) != now:
                entry.price, entry.compare_at, entry.is_available = now
                changed.append(entry)
        if changed:
            ListingEntry.objects.bulk_update(
                changed, ["price", "compare_at", "is_available"], batch_size=CHUNK
            )
            _listing_changed(
                [entry.product_id for entry in changed], stock_version=F("stock_version") + 1
            )
    return len(changed)


def stock_shown_refresh(*, variant_ids: Sequence[int]) -> list[int]:
    """Record what product pages show of these variants' stock in each store country (see
    ``product_selectors.stock_level``) and raise the page version of each product where that
    changed (a variant sold out, back in stock, or down to its last few), so the cached pages of
    those products, and only those, are dropped; where a variant sold out or came back (or its
    stock was never recorded), bring the product's listing rows in line too
    (``listing_stock_refresh``). Returns the products whose pages changed.

    Run on every StockLevelsChanged, so it is cheap when nothing shows: two reads (the stock in
    every store country in one query, and what pages show), no write, no lock. A sale that
    leaves plenty in stock changes nothing here."""
    ids = sorted(set(variant_ids))
    countries = store_countries()
    if not ids or not _stock_shown_changes(ids, countries):
        return []
    with transaction.atomic():
        owners = dict(Variant.objects.filter(pk__in=ids).values_list("pk", "product_id"))
        product_ids = sorted(set(owners.values()))
        ProductPageState.objects.bulk_create(
            [ProductPageState(product_id=pk) for pk in product_ids], ignore_conflicts=True
        )
        # Refreshes of the same products take turns from here (rows locked in key order), and
        # each reads the stock after it has its turn: the last to write read the latest stock.
        list(
            ProductPageState.objects.select_for_update()
            .filter(product_id__in=product_ids)
            .order_by("product_id")
            .values_list("product_id", flat=True)
        )
        changes = _stock_shown_changes(ids, countries)
        VariantStockShown.objects.bulk_create(
            [
                VariantStockShown(variant_id=variant_id, country=country, level=level)
                for (variant_id, country), (_was, level) in sorted(changes.items())
            ],
            update_conflicts=True,
            unique_fields=["variant", "country"],
            update_fields=["level"],
        )
        changed = sorted({owners[variant_id] for variant_id, _country in changes})
        ProductPageState.objects.filter(product_id__in=changed).update(version=F("version") + 1)
        crossed = sorted(
            {
                owners[variant_id]
                for (variant_id, _country), (was, level) in changes.items()
                if not was or not level  # sold out, back, or never recorded
            }
        )
        listing_stock_refresh(product_ids=crossed)
    return changed


def _stock_shown_changes(
    ids: list[int], countries: list[str]
) -> dict[tuple[int, str], tuple[int | None, int]]:
    """(variant, country) -> (the level pages show, or None; the level they should show), where
    the two differ."""
    salable = salable_quantities_by_country(variant_ids=ids, countries=countries)
    shown = {
        (variant_id, country): level
        for variant_id, country, level in VariantStockShown.objects.filter(
            variant_id__in=ids, country__in=countries
        ).values_list("variant_id", "country", "level")
    }
    return {
        (variant_id, country): (shown.get((variant_id, country)), level)
        for country in countries
        for variant_id in ids
        if shown.get((variant_id, country)) != (level := stock_level(salable[country][variant_id]))
    }


def _rebuild_chunk(ids: list[int]) -> int:
    products = {
        p["pk"]: p
        for p in Product.objects.filter(
            pk__in=ids, is_published=True, category__is_published=True
        ).values("pk", "category__path", "created_at", "sales_count")
    }
    priced = _priced_variants(list(products))
    pairs: set[tuple[int, int, int]] = set()
    facet = {"value__attribute__is_facet": True}
    for product_id, value_id, attribute_id in ProductValue.objects.filter(
        product_id__in=list(priced), **facet
    ).values_list("product_id", "value_id", "value__attribute_id"):
        pairs.add((product_id, value_id, attribute_id))
    for product_id, value_id, attribute_id in VariantValue.objects.filter(
        variant__product_id__in=list(priced), **facet
    ).values_list("variant__product_id", "value_id", "value__attribute_id"):
        pairs.add((product_id, value_id, attribute_id))
    with transaction.atomic():
        # First: the listing's lock, so the stock read next is no older than what a stock
        # refresh before this rebuild wrote (see listing_version_raise).
        listing_version_raise()
        entries = [
            ListingEntry(
                product_id=product_id,
                currency=currency,
                country=country,
                category_path=products[product_id]["category__path"],
                price=offer.price,
                compare_at=offer.compare_at,
                is_available=offer.is_available,
                created_at=products[product_id]["created_at"],
                sales_count=products[product_id]["sales_count"],
            )
            for (product_id, currency, country), offer in sorted(_offers(priced).items())
        ]
        listed = {e.product_id for e in entries}
        ListingEntry.objects.filter(product_id__in=ids).delete()
        ListingValue.objects.filter(product_id__in=ids).delete()
        ListingEntry.objects.bulk_create(entries, batch_size=CHUNK)
        ListingValue.objects.bulk_create(
            [
                ListingValue(product_id=p, value_id=v, attribute_id=a)
                for p, v, a in sorted(pairs)
                if p in listed
            ],
            batch_size=CHUNK,
        )
        _listing_changed(ids)
    return len(entries)


class MerchandisingError(DomainError):
    """The rules cannot be saved; ``problems`` says why, one line each. Nothing was saved."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


MAX_RULES = 200
MAX_PIN_POSITION = 10_000


def merchandising_validate(category_id: int, merchandising: Merchandising) -> list[str]:
    """Every problem with these rules for this category (empty when they can be saved)."""
    problems: list[str] = []
    pinned = [product_id for product_id, _position in merchandising.pins]
    everyone = [*pinned, *merchandising.boosts, *merchandising.buries]
    if len(everyone) > MAX_RULES:
        problems.append(_("At most %(n)d rules per category.") % {"n": MAX_RULES})
    twice = sorted({p for p in everyone if everyone.count(p) > 1})
    if twice:
        problems.append(
            _("A product can have one rule only: %(ids)s.") % {"ids": ", ".join(map(str, twice))}
        )
    positions = [position for _product, position in merchandising.pins]
    if any(not 1 <= n <= MAX_PIN_POSITION for n in positions):
        problems.append(_("Pin positions go from 1 to %(max)d.") % {"max": MAX_PIN_POSITION})
    if len(set(positions)) != len(positions):
        problems.append(_("Two pins cannot share a position."))
    found = set(Product.objects.filter(pk__in=set(everyone)).values_list("pk", flat=True))
    missing = sorted(set(everyone) - found)
    if missing:
        problems.append(_("No such product: %(ids)s.") % {"ids": ", ".join(map(str, missing))})
    return problems


def merchandising_save(
    *, category: Category, merchandising: Merchandising, actor: Any, ip_address: str | None = None
) -> None:
    """Replace a category's sorting rules (S4), audited; every cached listing page goes stale at
    once, so shoppers see the new order on their next request."""
    problems = merchandising_validate(category.pk, merchandising)
    if problems:
        raise MerchandisingError(problems)
    with transaction.atomic():
        before = merchandising_of(category.pk)
        MerchandisingRule.objects.filter(category=category).delete()
        MerchandisingRule.objects.bulk_create(
            [
                MerchandisingRule(
                    category=category,
                    product_id=product_id,
                    action=MerchandisingAction.PIN,
                    position=position,
                )
                for product_id, position in merchandising.pins
            ]
            + [
                MerchandisingRule(
                    category=category, product_id=product_id, action=MerchandisingAction.BOOST
                )
                for product_id in sorted(merchandising.boosts)
            ]
            + [
                MerchandisingRule(
                    category=category, product_id=product_id, action=MerchandisingAction.BURY
                )
                for product_id in sorted(merchandising.buries)
            ]
        )
        CategorySorting.objects.update_or_create(
            category=category, defaults={"out_of_stock_last": merchandising.out_of_stock_last}
        )
        audit_record(
            actor=actor,
            action="storefront.merchandising_save",
            target=category,
            before=_described(before),
            after=_described(merchandising),
            ip_address=ip_address,
        )
        listing_version_raise()


def _described(merchandising: Merchandising) -> dict[str, Any]:
    return {
        "pins": [list(pin) for pin in merchandising.pins],
        "boosts": sorted(merchandising.boosts),
        "buries": sorted(merchandising.buries),
        "out_of_stock_last": merchandising.out_of_stock_last,
    }
