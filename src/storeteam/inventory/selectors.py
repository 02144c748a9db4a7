"""Reads of stock: salable quantities for the storefront and checkout, the inventory manager's
lists, and the drift check behind ``storeteam stock-audit``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import (
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import get_language

from storeteam.catalog.models import ProductTranslation, Variant
from storeteam.core.statements import Statement
from storeteam.inventory.models import (
    Allocation,
    MovementKind,
    ReservationLine,
    ReservationStatus,
    Stock,
    StockMovement,
    Warehouse,
)

SALABLE = Greatest(
    F("on_hand") - F("reserved") - F("allocated") - F("safety_stock"),
    Value(0),
    output_field=IntegerField(),
)


def salable_quantities(*, variant_ids: Iterable[int], country: str | None) -> dict[int, int]:
    """Salable quantity of each variant for a shopper in ``country`` (I1): on hand - reserved -
    allocated - safety stock, never below 0 per stock row, summed over the active warehouses
    serving ``country`` (every active warehouse when ``country`` is None). One query, however
    many variants; a variant without stock there is 0."""
    ids = sorted(set(variant_ids))
    result = dict.fromkeys(ids, 0)
    if not ids:
        return result
    rows = Stock.objects.filter(variant_id__in=ids, warehouse__is_active=True)
    if country:
        rows = rows.filter(warehouse__serves__country=country.upper())
    totals = rows.values("variant_id").annotate(total=Sum(SALABLE)).order_by()
    for variant_id, total in totals.values_list("variant_id", "total"):
        result[variant_id] = total or 0
    return result


def variant_salable(*, country: str | None, variant: str = "pk") -> Coalesce:
    """The salable quantity of a variant for a shopper in ``country``, as an expression to
    annotate a ``Variant`` queryset with (the same sum as ``salable_quantities``, 0 without
    stock there), so a page reads it in the same query as what else it needs of its variants.
    ``variant`` names the outer query's variant id when it is not a ``Variant`` queryset."""
    rows = Stock.objects.filter(variant_id=OuterRef(variant), warehouse__is_active=True)
    if country:
        rows = rows.filter(warehouse__serves__country=country.upper())
    total = rows.values("variant_id").annotate(total=Sum(SALABLE)).values("total")
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def salable_quantities_by_country(
    *, variant_ids: Iterable[int], countries: Iterable[str]
) -> dict[str, dict[int, int]]:
    """``salable_quantities`` for several countries at once, as {country: {variant id: units}}:
    one query, however many variants and countries (a warehouse serving two of them counts in
    both)."""
    ids = sorted(set(variant_ids))
    wanted = sorted({c.upper() for c in countries})
    result = {country: dict.fromkeys(ids, 0) for country in wanted}
    if not ids or not wanted:
        return result
    totals = (
        Stock.objects.filter(
            variant_id__in=ids, warehouse__is_active=True, warehouse__serves__country__in=wanted
        )
        .values("variant_id", "warehouse__serves__country")
        .annotate(total=Sum(SALABLE))
        .order_by()
    )
    for variant_id, country, total in totals.values_list(
        "variant_id", "warehouse__serves__country", "total"
    ):
        result[country][variant_id] = total or 0
    return result


def salable_quantity(*, variant_id: int, country: str | None) -> int:
    return salable_quantities(variant_ids=[variant_id], country=country)[variant_id]


def _countries_served_of() -> QuerySet[Warehouse, tuple[str]]:
    return (
        Warehouse.objects.filter(is_active=True)
        .exclude(serves__country=None)
        .values_list("serves__country")
        .order_by()
        .distinct()
    )


# Read by every checkout: SQL built once per process.
_COUNTRIES_SERVED = Statement(_countries_served_of)


def countries_served() -> list[str]:
    """The shipping countries some active warehouse serves: where the store can deliver."""
    return sorted(str(country) for (country,) in _COUNTRIES_SERVED.rows())


def warehouses_list(*, active_only: bool = False) -> QuerySet[Warehouse]:
    qs = Warehouse.objects.prefetch_related("serves").order_by("priority", "code")
    return qs.filter(is_active=True) if active_only else qs


def variant_ids_by_sku(skus: Iterable[str]) -> dict[str, int]:
    """Variant ids of the SKUs that exist (exact SKUs, case as stored)."""
    wanted = sorted({s.strip() for s in skus if s.strip()})
    return dict(Variant.objects.filter(sku__in=wanted).values_list("sku", "pk"))


def _product_name() -> Coalesce:
    def name_in(language: str) -> Subquery:
        return Subquery(
            ProductTranslation.objects.filter(
                product_id=OuterRef("variant__product_id"), language=language
            ).values("name")[:1]
        )

    return Coalesce(name_in(get_language() or "en"), name_in("en"), Value(""))


def stock_list(*, warehouse: str = "", query: str = "", low_only: bool = False) -> QuerySet[Stock]:
    """Stock rows with their warehouse, SKU, product name (in the current language) and
    salable quantity; filtered by warehouse code, by SKU prefix or product name, or to the rows
    at or below their low-stock threshold. Ordered by SKU then warehouse."""
    qs = (
        Stock.objects.select_related("warehouse", "variant")
        .annotate(salable_now=SALABLE, product_name=_product_name())
        .order_by("variant__sku", "warehouse__priority", "warehouse__code")
    )
    if warehouse:
        qs = qs.filter(warehouse__code=warehouse)
    if low_only:
        qs = qs.filter(is_low=True).order_by("salable_now", "variant__sku", "warehouse__code")
    query = query.strip()
    if query:
        qs = qs.filter(
            Q(variant__sku__istartswith=query)
            | Exists(
                ProductTranslation.objects.filter(
                    product_id=OuterRef("variant__product_id"), name__icontains=query
                )
            )
        )
    return qs


def low_stock_count() -> int:
    return Stock.objects.filter(is_low=True, warehouse__is_active=True).count()


def movements_list(
    *,
    warehouse: str = "",
    kind: str = "",
    sku: str = "",
    reference: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[StockMovement]:
    """The ledger, newest first, with the row's warehouse and SKU; filtered by warehouse code,
    movement kind, exact SKU, reference, and a date range (inclusive, in the store's time
    zone)."""
    qs = StockMovement.objects.select_related("warehouse", "variant").order_by("-at", "-id")
    if warehouse:
        qs = qs.filter(warehouse__code=warehouse)
    if kind in MovementKind.values:
        qs = qs.filter(kind=kind)
    if sku:
        qs = qs.filter(variant__sku=sku.strip())
    if reference:
        qs = qs.filter(reference=reference.strip())
    zone = timezone.get_current_timezone()
    if date_from is not None:
        qs = qs.filter(at__gte=datetime.combine(date_from, time.min, tzinfo=zone))
    if date_to is not None:
        qs = qs.filter(at__lte=datetime.combine(date_to, time.max, tzinfo=zone))
    return qs


# --- drift (storeteam stock-audit) ----------------------------------------------------------


@dataclass(frozen=True)
class StockDrift:
    """One quantity of one stock row that its sources do not explain."""

    stock_id: int
    warehouse: str
    sku: str
    quantity: str  # on_hand, reserved or allocated
    stored: int
    expected: int
    source: str  # "ledger", "reservations" or "allocations"
    movements: list[StockMovement] = field(default_factory=list)

    def explain(self) -> str:
        what = {
            "ledger": "the sum of its movements",
            "reservations": "the units its active reservations hold",
            "allocations": "the units its open allocations hold",
        }[self.source]
        return (
            f"stock {self.stock_id} ({self.sku} in {self.warehouse}): {self.quantity} is "
            f"{self.stored}, but {what} is {self.expected} (drift {self.stored - self.expected:+})"
        )


def _sums(rows: Iterable[tuple[int, int | None]]) -> dict[int, int]:
    return {stock_id: total or 0 for stock_id, total in rows}


def stock_drift_find(*, movements_shown: int = 5) -> list[StockDrift]:
    """Recompute every stock row from the ledger and from the active reservations and open
    allocations, and return each quantity that differs from the stored one, with the row's
    latest movements. An empty list means the stock is fully explained (I3)."""
    ledger: dict[int, tuple[int, int, int]] = {
        row["stock_id"]: (row["on_hand"] or 0, row["reserved"] or 0, row["allocated"] or 0)
        for row in StockMovement.objects.values("stock_id")
        .annotate(
            on_hand=Sum("on_hand_delta"),
            reserved=Sum("reserved_delta"),
            allocated=Sum("allocated_delta"),
        )
        .order_by()
    }
    reserved = _sums(
        ReservationLine.objects.filter(reservation__status=ReservationStatus.ACTIVE)
        .values("stock_id")
        .annotate(n=Sum("quantity"))
        .order_by()
        .values_list("stock_id", "n")
    )
    allocated = _sums(
        Allocation.objects.values("stock_id")
        .annotate(
            n=Sum(
                ExpressionWrapper(
                    F("quantity") - F("shipped") - F("released"), output_field=IntegerField()
                )
            )
        )
        .order_by()
        .values_list("stock_id", "n")
    )
    drifts: list[StockDrift] = []
    rows = (
        Stock.objects.order_by("pk")
        .values_list("pk", "warehouse__code", "variant__sku", "on_hand", "reserved", "allocated")
        .iterator(chunk_size=5000)
    )
    for pk, warehouse, sku, on_hand, held, promised in rows:
        expected = ledger.get(pk, (0, 0, 0))
        checks = [
            ("on_hand", on_hand, expected[0], "ledger"),
            ("reserved", held, expected[1], "ledger"),
            ("allocated", promised, expected[2], "ledger"),
            ("reserved", held, reserved.get(pk, 0), "reservations"),
            ("allocated", promised, allocated.get(pk, 0), "allocations"),
        ]
        for quantity, stored, should, source in checks:
            if stored != should:
                drifts.append(StockDrift(pk, warehouse, sku, quantity, stored, should, source))
    if drifts:
        shown: dict[int, list[StockMovement]] = {}
        for stock_id in sorted({d.stock_id for d in drifts})[:200]:
            shown[stock_id] = list(
                StockMovement.objects.filter(stock_id=stock_id).order_by("-id")[:movements_shown]
            )
        drifts = [
            StockDrift(
                d.stock_id,
                d.warehouse,
                d.sku,
                d.quantity,
                d.stored,
                d.expected,
                d.source,
                shown.get(d.stock_id, []),
            )
            for d in drifts
        ]
    return drifts


@dataclass(frozen=True)
class AllocationRow:
    warehouse_id: int
    warehouse_code: str
    variant_id: int
    sku: str
    quantity: int
    shipped: int
    released: int

    @property
    def open_quantity(self) -> int:
        return self.quantity - self.shipped - self.released


def allocations_for(reference: str) -> list[AllocationRow]:
    """The stock promised to the order ``reference``, per warehouse and variant."""
    return [
        AllocationRow(*row)
        for row in Allocation.objects.filter(reference=reference)
        .order_by("stock__warehouse__priority", "stock__warehouse__code", "variant__sku")
        .values_list(
            "stock__warehouse_id",
            "stock__warehouse__code",
            "variant_id",
            "variant__sku",
            "quantity",
            "shipped",
            "released",
        )
    ]
