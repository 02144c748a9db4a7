"""The listing's filters, facet counts and sort orders from bitmaps held in each process, as
search engines do them.

A category page counts, for every facet value, the products that every other filter leaves, and
shows a page of what all the filters leave in the shopper's sort (storefront.selectors). Done in
SQL, that is a join of the category's products with their values on every page, and a sort of
all of them: over a department of 30,000 products it takes a second. Here each product has a
slot (a bit position); each facet value, each market's listed and in-stock products and each
category subtree is a set of slots kept as a Python integer used as a bitmap, so a filter is an
``&`` and a count a ``bit_count()``: some microseconds each, whatever the category's size. The
products a query leaves are sorted by numpy on the sort keys kept per slot (price per market,
newest, best-selling), and only the page shown is read from the database.

The index follows the listing without reloading it: every transaction that rewrites listing rows
records which products it rewrote (storefront.models.ListingChange) and sets a fresh stamp on the
listing's state. An index whose stamp is the state's is current; otherwise it reloads just the
products of the changes since the last one it read, or everything when that one is gone (the
record is pruned after an hour, or the database was rolled back or restored). A market (currency,
country) is loaded the first time a page of it is asked for.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from typing import Any

import numpy as np

from storeteam.storefront.models import ListingChange, ListingEntry, ListingState, ListingValue

# When this share of the products changed since the index's last look, reload it all instead.
RELOAD_SHARE = 0.2
CACHED_MASKS = 256  # category subtrees and price ranges remembered, each a bitmap

IntArray = np.ndarray[Any, np.dtype[np.int64]]


def _mask_of(slots: Iterable[int], size: int) -> int:
    """The bitmap with the bits of ``slots`` set (slots below ``size``)."""
    bits = bytearray((size >> 3) + 1)
    for slot in slots:
        bits[slot >> 3] |= 1 << (slot & 7)
    return int.from_bytes(bits, "little")


def _slots_in(mask: int, size: int) -> IntArray:
    """The slots whose bits are set in ``mask``, ascending."""
    raw = np.frombuffer(mask.to_bytes((size >> 3) + 1, "little"), dtype=np.uint8)
    return np.flatnonzero(np.unpackbits(raw, bitorder="little")).astype(np.int64)


def _cents(amount: Decimal, rounding: str = ROUND_HALF_EVEN) -> int:
    return int((amount * 100).to_integral_value(rounding=rounding))


def _grown(values: IntArray, size: int, fill: int) -> IntArray:
    if size <= len(values):
        return values
    grown = np.full(max(size, 2 * len(values), 1024), fill, dtype=np.int64)
    grown[: len(values)] = values
    return grown


@dataclass
class _Market:
    listed: int = 0  # products listed in the market
    available: int = 0  # of those, in stock for the market's country
    cents: IntArray = field(default_factory=lambda: np.full(0, -1, dtype=np.int64))  # by slot


@dataclass(frozen=True)
class FacetCounts:
    every: int  # products the filters leave, in stock or not
    in_stock: int  # of those, in stock
    values: dict[int, dict[int, int]]  # attribute id -> value id -> products (none if 0)


@dataclass(frozen=True)
class Listing:
    counts: FacetCounts
    order: list[int]  # product ids the filters leave, in the sort asked for
    # Of the products asked about (pins): those the filters leave, and those of them in stock.
    present: frozenset[int] = frozenset()
    in_stock: frozenset[int] = frozenset()


class ListingIndex:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        self.loaded = False
        self.stamp: str | None = None
        self.last_change: tuple[int, str] | None = None  # (id, stamp) of the last change read
        self.slot_of: dict[int, int] = {}
        self.path_of: list[str | None] = []
        self.paths: dict[str, set[int]] = defaultdict(set)  # category path -> its products
        self.product_ids: IntArray = np.zeros(0, dtype=np.int64)  # by slot
        self.created: IntArray = np.zeros(0, dtype=np.int64)  # microseconds, by slot
        self.sales: IntArray = np.zeros(0, dtype=np.int64)
        self.value_masks: dict[int, int] = {}
        self.attribute_values: dict[int, set[int]] = defaultdict(set)
        self.markets: dict[tuple[str, str], _Market] = {}
        self._subtrees: OrderedDict[str, int] = OrderedDict()
        self._price_masks: OrderedDict[tuple[str, str, str, int, int], int] = OrderedDict()

    # --- keeping up with the listing -------------------------------------------------------

    def _slot(self, product_id: int) -> int:
        slot = self.slot_of.get(product_id)
        if slot is None:
            slot = self.slot_of[product_id] = len(self.path_of)
            self.path_of.append(None)
            size = slot + 1
            if size > len(self.product_ids):
                self.product_ids = _grown(self.product_ids, size, 0)
                self.created = _grown(self.created, size, 0)
                self.sales = _grown(self.sales, size, 0)
                for market in self.markets.values():
                    market.cents = _grown(market.cents, size, -1)
            self.product_ids[slot] = product_id
        return slot

    def _current(self, market: tuple[str, str]) -> None:
        """Bring the index up to the listing's latest change, and load ``market`` if new."""
        stamp = (
            ListingState.objects.filter(pk=1).values_list("change_stamp", flat=True).first() or ""
        )
        if self.loaded and stamp != self.stamp:
            self._catch_up(stamp)
        if not self.loaded:
            self._load(stamp)
        if market not in self.markets:
            self._load_market(market, None)

    def _load(self, stamp: str) -> None:
        markets = list(self.markets)
        self._reset()
        self.last_change = ListingChange.objects.order_by("-id").values_list("id", "stamp").first()
        self.stamp = stamp
        by_value: dict[int, list[int]] = defaultdict(list)
        for product_id, value_id, attribute_id in ListingValue.objects.values_list(
            "product_id", "value_id", "attribute_id"
        ).iterator(chunk_size=20000):
            by_value[value_id].append(self._slot(product_id))
            self.attribute_values[attribute_id].add(value_id)
        size = len(self.path_of)
        self.value_masks = {v: _mask_of(slots, size) for v, slots in by_value.items()}
        self.loaded = True
        for market in markets:
            self._load_market(market, None)

    def _load_market(self, key: tuple[str, str], product_ids: list[int] | None) -> None:
        """Load a market's rows: all of them, or those of ``product_ids`` (after clearing
        their bits)."""
        currency, country = key
        rows = ListingEntry.objects.filter(currency=currency, country=country)
        if product_ids is not None:
            rows = rows.filter(product_id__in=product_ids)
        market = self.markets.get(key)
        if market is None:
            market = self.markets[key] = _Market(
                cents=np.full(len(self.product_ids), -1, dtype=np.int64)
            )
        listed: list[int] = []
        available: list[int] = []
        for product_id, path, price, is_available, created_at, sales_count in rows.values_list(
            "product_id", "category_path", "price", "is_available", "created_at", "sales_count"
        ).iterator(chunk_size=20000):
            slot = self._slot(product_id)
            listed.append(slot)
            if is_available:
                available.append(slot)
            market.cents[slot] = _cents(price)
            self.created[slot] = int(created_at.timestamp() * 1_000_000)
            self.sales[slot] = sales_count
            if self.path_of[slot] != path:
                self._move(slot, sys.intern(path))  # one string per category, not per product
        size = len(self.path_of)
        market.listed |= _mask_of(listed, size)
        market.available |= _mask_of(available, size)

    def _move(self, slot: int, path: str | None) -> None:
        """Put a product under another category (or none), keeping remembered subtrees true."""
        old = self.path_of[slot]
        if old is not None:
            self.paths[old].discard(slot)
            if not self.paths[old]:
                del self.paths[old]
        self.path_of[slot] = path
        if path is not None:
            self.paths[path].add(slot)
        bit = 1 << slot
        for prefix, mask in self._subtrees.items():
            inside = path is not None and path.startswith(prefix)
            self._subtrees[prefix] = (mask | bit) if inside else (mask & ~bit)

    def _catch_up(self, stamp: str) -> None:
        since = self.last_change[0] if self.last_change else 0
        changes = list(
            ListingChange.objects.filter(id__gte=since)
            .order_by("id")
            .values_list("id", "stamp", "product_ids")
        )
        if self.last_change is not None and (
            not changes or (changes[0][0], changes[0][1]) != self.last_change
        ):
            self.loaded = False  # the history this index was built on is gone
            return
        fresh = [c for c in changes if self.last_change is None or c[0] > self.last_change[0]]
        product_ids = sorted({p for c in fresh for p in c[2]})
        if len(product_ids) > RELOAD_SHARE * max(len(self.slot_of), 1000):
            self.loaded = False
            return
        if fresh:
            self.last_change = (fresh[-1][0], fresh[-1][1])
        self.stamp = stamp
        if product_ids:
            self._reload(product_ids)

    def _reload(self, product_ids: list[int]) -> None:
        slots = [self._slot(p) for p in product_ids]
        size = len(self.path_of)
        keep = ~_mask_of(slots, size)
        for value_id in self.value_masks:
            self.value_masks[value_id] &= keep
        for market in self.markets.values():
            market.listed &= keep
            market.available &= keep
            market.cents[slots] = -1
        by_value: dict[int, list[int]] = defaultdict(list)
        for product_id, value_id, attribute_id in ListingValue.objects.filter(
            product_id__in=product_ids
        ).values_list("product_id", "value_id", "attribute_id"):
            by_value[value_id].append(self.slot_of[product_id])
            self.attribute_values[attribute_id].add(value_id)
        for value_id, value_slots in by_value.items():
            self.value_masks[value_id] = self.value_masks.get(value_id, 0) | _mask_of(
                value_slots, size
            )
        for key in self.markets:
            self._load_market(key, product_ids)
        # A product listed in no market loaded here keeps its slot, under no category.
        listed_anywhere = 0
        for market in self.markets.values():
            listed_anywhere |= market.listed
        for slot in slots:
            if not (listed_anywhere >> slot) & 1 and self.path_of[slot] is not None:
                self._move(slot, None)
        self._price_masks.clear()

    # --- asking -----------------------------------------------------------------------------

    def _subtree(self, prefix: str) -> int:
        mask = self._subtrees.get(prefix)
        if mask is None:
            mask = _mask_of(
                (s for path, slots in self.paths.items() if path.startswith(prefix) for s in slots),
                len(self.path_of),
            )
            self._subtrees[prefix] = mask
            if len(self._subtrees) > CACHED_MASKS:
                self._subtrees.popitem(last=False)
        else:
            self._subtrees.move_to_end(prefix)
        return mask

    def _priced(self, key: tuple[str, str], prefix: str, low: int, high: int) -> int:
        """The category's products in the market priced within [low, high] cents."""
        cache_key = (*key, prefix, low, high)
        mask = self._price_masks.get(cache_key)
        if mask is None:
            cents = self.markets[key].cents
            slots = _slots_in(self._subtree(prefix), len(self.path_of))
            prices = cents[slots]
            mask = _mask_of(slots[(prices >= low) & (prices <= high)].tolist(), len(self.path_of))
            self._price_masks[cache_key] = mask
            if len(self._price_masks) > CACHED_MASKS:
                self._price_masks.popitem(last=False)
        return mask

    def listing(
        self,
        *,
        currency: str,
        country: str,
        category_path: str,
        selected: Mapping[int, Iterable[int]],
        price_min: Decimal | None = None,
        price_max: Decimal | None = None,
        available_only: bool = False,
        sort: str | None = None,
        boosts: Iterable[int] = (),
        buries: Iterable[int] = (),
        out_of_stock_last: bool = False,
        about: Iterable[int] = (),
    ) -> Listing:
        """What the listing's filters leave in a category of a market: every facet value's count
        under all the other filters (AND across attributes, OR within one), the stock filter's
        count likewise; with ``sort``, the products in that order (boosted ones first and buried
        ones last in the default order, out-of-stock ones last under any with
        ``out_of_stock_last``); and which of the products ``about`` the filters leave."""
        key = (currency, country)
        with self._lock:
            self._current(key)
            market = self.markets[key]
            base = self._subtree(category_path) & market.listed
            if price_min is not None or price_max is not None:
                # a price within the bounds, however many decimals they have
                low = _cents(price_min, ROUND_CEILING) if price_min is not None else -1
                high = _cents(price_max, ROUND_FLOOR) if price_max is not None else 2**62
                base &= self._priced(key, category_path, low, high)
            chosen: dict[int, int] = {}
            for attribute_id, value_ids in selected.items():
                values = [self.value_masks.get(v, 0) for v in value_ids]
                if values:
                    either = 0
                    for mask in values:
                        either |= mask
                    chosen[attribute_id] = either
            every_filter = base
            for mask in chosen.values():
                every_filter &= mask
            stocked = base & market.available if available_only else base
            left = every_filter & market.available if available_only else every_filter
            counts: dict[int, dict[int, int]] = {}
            for attribute_id, value_ids in self.attribute_values.items():
                # an attribute's own selection does not narrow its counts
                others = left
                if attribute_id in chosen:
                    others = stocked
                    for other, mask in chosen.items():
                        if other != attribute_id:
                            others &= mask
                per = {}
                for value_id in value_ids:
                    n = (self.value_masks[value_id] & others).bit_count()
                    if n:
                        per[value_id] = n
                counts[attribute_id] = per
            present, in_stock = set(), set()
            for product_id in about:
                slot = self.slot_of.get(product_id)
                if slot is not None and (left >> slot) & 1:
                    present.add(product_id)
                    if (market.available >> slot) & 1:
                        in_stock.add(product_id)
            return Listing(
                counts=FacetCounts(
                    every=every_filter.bit_count(),
                    in_stock=(every_filter & market.available).bit_count(),
                    values=counts,
                ),
                order=[]
                if sort is None
                else self._ordered(market, left, sort, set(boosts), set(buries), out_of_stock_last),
                present=frozenset(present),
                in_stock=frozenset(in_stock),
            )

    def _ordered(
        self,
        market: _Market,
        left: int,
        sort: str,
        boosts: set[int],
        buries: set[int],
        out_of_stock_last: bool,
    ) -> list[int]:
        slots = _slots_in(left, len(self.path_of))
        product_ids = self.product_ids[slots]
        # numpy's lexsort sorts by the last key first; the product id breaks every tie
        keys: list[IntArray] = [product_ids]
        if sort == "price_asc":
            keys.append(market.cents[slots])
        elif sort == "price_desc":
            keys.append(-market.cents[slots])
        elif sort == "newest":
            keys.append(-self.created[slots])
        elif sort == "bestselling":
            keys.append(-self.sales[slots])
        else:  # relevance: the best-selling, then the newest; the staff's boosts and buries
            keys += [-self.created[slots], -self.sales[slots]]
            if boosts or buries:
                group = np.ones(len(slots), dtype=np.int64)
                group[np.isin(product_ids, list(buries))] = 2
                group[np.isin(product_ids, list(boosts))] = 0
                keys.append(group)
        if out_of_stock_last:
            stocked = _slots_in(left & market.available, len(self.path_of))
            keys.append(np.isin(slots, stocked, assume_unique=True, invert=True).astype(np.int64))
        order: list[int] = product_ids[np.lexsort(keys)].tolist()
        return order


_index = ListingIndex()


def listing_index() -> ListingIndex:
    """This process's listing index."""
    return _index


def listing_index_warm() -> None:
    """Load every market's listing now: ``storeteam serve`` does it once before forking its
    workers, so none makes its first shopper wait for it (seconds at 300,000 products)."""
    from storeteam.storefront.markets import store_markets

    for currency, country in store_markets():
        _index.listing(currency=currency, country=country, category_path="", selected={})
