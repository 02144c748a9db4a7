"""Writes to stock (I1-I4). Every change of a quantity is a ``StockMovement`` row written in the
same transaction as the change, so the ledger always explains the stock (ADR 0005).

For the checkout and orders domains the life of a sold unit is:

    reservation_create(key=checkout key, ...)    reserved +q       (at checkout, with an expiry)
    reservation_allocate(key=..., reference=order)  reserved -q, allocated +q   (order placed)
    allocation_ship(reference=order, ...)        on_hand -q, allocated -q     (shipped)

and on the way back ``reservation_release`` (checkout abandoned; the periodic job
``reservations_expire`` does it at expiry), ``allocation_release`` (order cancelled before
shipping) and ``stock_return`` (a returned unit back on the shelf).

**Locking.** Every service locks the rows it changes inside one short transaction: first the
reservation or allocations of one key, then the stock rows, always in primary-key order
(``inventory.locks``), so concurrent checkouts never deadlock and never oversell. Nothing slow
(no payment, no email) happens while they are held.

**Allocation rule** (used to choose warehouses for a reservation and again for its allocation):
among the active warehouses serving the shopper's country, a warehouse that can fill the whole
line alone is preferred, so a line ships in one parcel; among several, or when the line must be
split, warehouses are taken in the order: in the shopper's own country first (proximity), then by
``Warehouse.priority`` (lower first), then by code.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import uuid4

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from storeteam.accounts.models import User
from storeteam.catalog.models import Variant
from storeteam.core.audit import audit_record
from storeteam.core.events import event_publish
from storeteam.inventory.checkpoints import checkpoint
from storeteam.inventory.errors import (
    InsufficientStockError,
    ReservationConflictError,
    ReservationNotActiveError,
    Shortage,
    StockError,
)
from storeteam.inventory.events import StockLevelsChanged, StockLow
from storeteam.inventory.locks import reservation_locked, stock_locked, stock_locked_by_id
from storeteam.inventory.models import (
    Allocation,
    MovementKind,
    Reservation,
    ReservationLine,
    ReservationStatus,
    Stock,
    StockMovement,
    Warehouse,
    WarehouseCountry,
)

DEFAULT_RESERVATION_TTL = timedelta(minutes=15)
EVENT_CHUNK = 1000
WRITE_BATCH = 1000
EXPIRE_BATCH = 500


@dataclass(frozen=True)
class StockLine:
    """A quantity of one variant: a line of a receipt, a reservation or a shipment."""

    variant_id: int
    quantity: int


@dataclass(frozen=True)
class ReceiptResult:
    lines: int
    units: int
    reference: str


@dataclass(frozen=True)
class TransferResult:
    reference: str
    source: Stock
    destination: Stock


# --- the ledger writer ----------------------------------------------------------------------


@dataclass
class _Ledger:
    """Collects the movements of one service call on rows the caller has locked, then writes
    them, the rows, the low-stock crossings and one StockLevelsChanged in a few statements."""

    actor: User | None
    reference: str = ""
    reason: str = ""
    now: datetime = field(default_factory=timezone.now)
    movements: list[StockMovement] = field(default_factory=list)
    touched: dict[int, Stock] = field(default_factory=dict)

    def move(
        self,
        stock: Stock,
        kind: str,
        *,
        on_hand: int = 0,
        reserved: int = 0,
        allocated: int = 0,
        reference: str | None = None,
        reason: str | None = None,
    ) -> None:
        stock.on_hand += on_hand
        stock.reserved += reserved
        stock.allocated += allocated
        self.touched[stock.pk] = stock
        self.movements.append(
            StockMovement(
                stock_id=stock.pk,
                variant_id=stock.variant_id,
                warehouse_id=stock.warehouse_id,
                kind=kind,
                on_hand_delta=on_hand,
                reserved_delta=reserved,
                allocated_delta=allocated,
                actor=self.actor,
                actor_label=_actor_label(self.actor),
                reason=(self.reason if reason is None else reason)[:500],
                reference=(self.reference if reference is None else reference)[:100],
                at=self.now,
            )
        )

    def touch(self, stock: Stock) -> None:
        """Mark a row changed without a movement (its safety stock or threshold)."""
        self.touched[stock.pk] = stock

    def write(self) -> list[int]:
        """Write everything; publish StockLow per crossing and StockLevelsChanged. Returns the
        ids of the variants touched."""
        rows = list(self.touched.values())
        crossings: list[Stock] = []
        for stock in rows:
            if min(stock.on_hand, stock.reserved, stock.allocated) < 0 or (
                stock.reserved + stock.allocated > stock.on_hand
            ):
                # The services check before moving; this is the last line before the CHECKs.
                raise StockError(
                    _("That would make the stock of %(row)s inconsistent.") % {"row": stock}
                )
            now_low = stock.salable <= stock.low_stock_threshold
            if now_low and not stock.is_low:
                crossings.append(stock)
            stock.is_low = now_low
            stock.updated_at = self.now
        StockMovement.objects.bulk_create(self.movements, batch_size=WRITE_BATCH)
        _stock_rows_write(rows, now=self.now)
        for stock in crossings:
            event_publish(
                StockLow(
                    variant_id=stock.variant_id,
                    sku=stock.variant.sku,
                    warehouse_code=stock.warehouse.code,
                    salable=stock.salable,
                    threshold=stock.low_stock_threshold,
                ),
                actor=_event_actor(self.actor),
            )
        variant_ids = sorted({stock.variant_id for stock in rows})
        for start in range(0, len(variant_ids), EVENT_CHUNK):
            event_publish(
                StockLevelsChanged(variant_ids=variant_ids[start : start + EVENT_CHUNK]),
                actor=_event_actor(self.actor),
            )
        return variant_ids


def _stock_rows_write(rows: list[Stock], *, now: datetime) -> None:
    """Write the quantities of locked rows: one prepared UPDATE run for every row (Django's
    ``bulk_update`` builds a CASE per field and row, which is slow for a large receipt)."""
    if not rows:
        return
    table = connection.ops.quote_name(Stock._meta.db_table)
    columns = ("on_hand", "reserved", "allocated", "safety_stock", "low_stock_threshold", "is_low")
    assignments = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in columns)
    stamp = Stock._meta.get_field("updated_at").get_db_prep_value(now, connection)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {assignments}, updated_at = %s WHERE id = %s",  # noqa: S608
            [
                (
                    s.on_hand,
                    s.reserved,
                    s.allocated,
                    s.safety_stock,
                    s.low_stock_threshold,
                    s.is_low,
                    stamp,
                    s.pk,
                )
                for s in rows
            ],
        )


def _actor_label(actor: User | None) -> str:
    return actor.email[:200] if actor is not None else "system"


def _event_actor(actor: User | None) -> str:
    return f"staff:{actor.pk}" if actor is not None else "system"


# --- helpers --------------------------------------------------------------------------------


def _positive(quantity: int, *, what: str) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise StockError(_("%(what)s must be a whole number above zero.") % {"what": what})
    return quantity


def _merged(lines: Sequence[StockLine]) -> dict[int, int]:
    """Quantities by variant (two lines of one variant become one), checked to be positive."""
    if not lines:
        raise StockError(_("Give at least one line."))
    quantities: dict[int, int] = defaultdict(int)
    for line in lines:
        quantities[line.variant_id] += _positive(line.quantity, what=_("A quantity"))
    return dict(quantities)


def _known_variants(variant_ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(variant_ids))
    skus: dict[int, str] = {}
    for start in range(0, len(wanted), 5000):
        skus.update(
            Variant.objects.filter(pk__in=wanted[start : start + 5000]).values_list("pk", "sku")
        )
    unknown = [v for v in wanted if v not in skus]
    if unknown:
        raise StockError(
            _("Unknown variant: %(ids)s.") % {"ids": ", ".join(str(v) for v in unknown[:10])}
        )
    return skus


def _active(warehouse: Warehouse) -> Warehouse:
    if not warehouse.is_active:
        raise StockError(_("Warehouse %(code)s is not active.") % {"code": warehouse.code})
    return warehouse


def _rows_ensure(warehouse: Warehouse, variant_ids: Sequence[int]) -> dict[int, Stock]:
    """Lock the stock rows of ``variant_ids`` in ``warehouse``, creating the missing ones
    (empty, and low until stock arrives). Returns them by variant id."""
    wanted = sorted(set(variant_ids))
    rows: dict[int, Stock] = {}
    for start in range(0, len(wanted), 5000):
        chunk = wanted[start : start + 5000]
        existing = set(
            Stock.objects.filter(warehouse=warehouse, variant_id__in=chunk).values_list(
                "variant_id", flat=True
            )
        )
        missing = [v for v in chunk if v not in existing]
        if missing:
            Stock.objects.bulk_create(
                [
                    Stock(
                        warehouse=warehouse,
                        variant_id=v,
                        low_stock_threshold=warehouse.low_stock_threshold,
                        is_low=True,
                    )
                    for v in missing
                ],
                batch_size=WRITE_BATCH,
                ignore_conflicts=True,  # a concurrent receipt created it: we lock it below
            )
        locked = stock_locked(
            Stock.objects.filter(warehouse=warehouse, variant_id__in=chunk), related=False
        )
        for stock in locked:
            stock.warehouse = warehouse  # known; the variant loads only for a StockLow event
            rows[stock.variant_id] = stock
    return rows


def _row(warehouse: Warehouse, variant_id: int) -> Stock:
    return _rows_ensure(warehouse, [variant_id])[variant_id]


def _rank(country: str) -> Callable[[Stock], tuple[bool, int, str]]:
    def key(stock: Stock) -> tuple[bool, int, str]:
        return (stock.warehouse.country != country, stock.warehouse.priority, stock.warehouse.code)

    return key


def _plan(
    rows: list[Stock], quantity: int, *, country: str, capacity: Callable[[Stock], int]
) -> list[tuple[Stock, int]] | None:
    """Choose warehouses for ``quantity`` units by the allocation rule (module docstring), or
    None when the rows together cannot hold it."""
    ranked = sorted(rows, key=_rank(country))
    for stock in ranked:
        if capacity(stock) >= quantity:
            return [(stock, quantity)]
    plan: list[tuple[Stock, int]] = []
    left = quantity
    for stock in ranked:
        take = min(capacity(stock), left)
        if take > 0:
            plan.append((stock, take))
            left -= take
    return plan if left == 0 else None


def _country(country: str) -> str:
    code = (country or "").strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise StockError(_("A country is a two-letter code such as SE."))
    return code


# --- staff operations -----------------------------------------------------------------------


def stock_receive(
    *,
    actor: User | None,
    warehouse: Warehouse,
    lines: Sequence[StockLine],
    reference: str = "",
    reason: str = "",
    ip_address: str | None = None,
) -> ReceiptResult:
    """Receive goods into ``warehouse`` (a delivery from a supplier): on hand goes up by each
    line's quantity, creating stock rows as needed. All lines or none. Audited as
    ``stock.receive``; publishes StockLevelsChanged."""
    _active(warehouse)
    quantities = _merged(lines)
    _known_variants(quantities)
    reference = reference.strip() or f"receipt-{uuid4().hex[:12]}"
    with transaction.atomic():
        rows = _rows_ensure(warehouse, list(quantities))
        ledger = _Ledger(actor=actor, reference=reference, reason=reason.strip())
        for variant_id, quantity in quantities.items():
            ledger.move(rows[variant_id], MovementKind.RECEIPT, on_hand=quantity)
        ledger.write()
        units = sum(quantities.values())
        audit_record(
            actor=actor,
            action="stock.receive",
            target=warehouse,
            after={"reference": reference, "lines": len(quantities), "units": units},
            reason=reason.strip(),
            ip_address=ip_address,
        )
    return ReceiptResult(lines=len(quantities), units=units, reference=reference)


def stock_adjust(
    *,
    actor: User | None,
    warehouse: Warehouse,
    variant_id: int,
    change: int,
    reason: str,
    ip_address: str | None = None,
) -> Stock:
    """Change on hand by ``change`` (positive: found; negative: damaged, lost, stolen) with a
    required reason. Never takes away units that are reserved or allocated. Audited as
    ``stock.adjust``."""
    reason = (reason or "").strip()
    if not reason:
        raise StockError(_("Give a reason for the adjustment."))
    if isinstance(change, bool) or not isinstance(change, int) or change == 0:
        raise StockError(_("The change must be a whole number other than zero."))
    skus = _known_variants([variant_id])
    with transaction.atomic():
        stock = _row(warehouse, variant_id)
        if -change > stock.free:
            raise StockError(
                _(
                    "Only %(free)d of %(sku)s in %(warehouse)s can be taken away: the other "
                    "units are reserved or allocated."
                )
                % {"free": stock.free, "sku": skus[variant_id], "warehouse": warehouse.code}
            )
        before = {"on_hand": stock.on_hand}
        ledger = _Ledger(actor=actor, reason=reason)
        ledger.move(stock, MovementKind.ADJUSTMENT, on_hand=change)
        ledger.write()
        audit_record(
            actor=actor,
            action="stock.adjust",
            target=stock,
            before=before,
            after={"on_hand": stock.on_hand, "change": change},
            reason=reason,
            ip_address=ip_address,
        )
    return stock


def stock_count(
    *,
    actor: User | None,
    warehouse: Warehouse,
    variant_id: int,
    counted: int,
    reason: str = "",
    ip_address: str | None = None,
) -> Stock:
    """Record a physical count: on hand becomes ``counted`` through a ``count`` movement holding
    the difference (zero when the count agrees, so the count itself is on record). Refuses a
    count below what is reserved and allocated. Audited as ``stock.count``."""
    if isinstance(counted, bool) or not isinstance(counted, int) or counted < 0:
        raise StockError(_("The counted quantity must be a whole number, zero or more."))
    skus = _known_variants([variant_id])
    with transaction.atomic():
        stock = _row(warehouse, variant_id)
        held = stock.reserved + stock.allocated
        if counted < held:
            raise StockError(
                _(
                    "%(held)d of %(sku)s in %(warehouse)s are reserved or allocated, more than "
                    "the %(counted)d counted. Release or reallocate them first."
                )
                % {
                    "held": held,
                    "sku": skus[variant_id],
                    "warehouse": warehouse.code,
                    "counted": counted,
                }
            )
        before = {"on_hand": stock.on_hand}
        ledger = _Ledger(actor=actor, reason=reason.strip())
        ledger.move(stock, MovementKind.COUNT, on_hand=counted - stock.on_hand)
        ledger.write()
        audit_record(
            actor=actor,
            action="stock.count",
            target=stock,
            before=before,
            after={"on_hand": stock.on_hand},
            reason=reason.strip(),
            ip_address=ip_address,
        )
    return stock


def stock_transfer(
    *,
    actor: User | None,
    source: Warehouse,
    destination: Warehouse,
    variant_id: int,
    quantity: int,
    reason: str = "",
    ip_address: str | None = None,
) -> TransferResult:
    """Move ``quantity`` units of a variant from ``source`` to ``destination``: a
    ``transfer_out`` and a ``transfer_in`` movement sharing one reference. Only free units
    (not reserved or allocated) can leave. Audited as ``stock.transfer``."""
    if source.pk == destination.pk:
        raise StockError(_("Choose two different warehouses."))
    _active(destination)
    _positive(quantity, what=_("The quantity"))
    skus = _known_variants([variant_id])
    reference = f"transfer-{uuid4().hex[:12]}"
    with transaction.atomic():
        # Both rows exist first, then both are locked together in primary-key order.
        _rows_ensure(destination, [variant_id])
        _rows_ensure(source, [variant_id])
        rows = {
            s.warehouse_id: s
            for s in stock_locked(
                Stock.objects.filter(
                    variant_id=variant_id, warehouse_id__in=[source.pk, destination.pk]
                )
            )
        }
        out, into = rows[source.pk], rows[destination.pk]
        if quantity > out.free:
            raise StockError(
                _("Only %(free)d of %(sku)s in %(warehouse)s are free to transfer.")
                % {"free": out.free, "sku": skus[variant_id], "warehouse": source.code}
            )
        ledger = _Ledger(actor=actor, reference=reference, reason=reason.strip())
        ledger.move(out, MovementKind.TRANSFER_OUT, on_hand=-quantity)
        ledger.move(into, MovementKind.TRANSFER_IN, on_hand=quantity)
        ledger.write()
        audit_record(
            actor=actor,
            action="stock.transfer",
            target=out,
            after={
                "reference": reference,
                "from": source.code,
                "to": destination.code,
                "sku": skus[variant_id],
                "quantity": quantity,
            },
            reason=reason.strip(),
            ip_address=ip_address,
        )
    return TransferResult(reference=reference, source=out, destination=into)


def stock_levels_set(
    *,
    actor: User | None,
    stock_id: int,
    safety_stock: int,
    low_stock_threshold: int,
    ip_address: str | None = None,
) -> Stock:
    """Set a row's safety stock (never offered for sale) and low-stock threshold. Publishes
    StockLow when the row becomes low by it. Audited as ``stock.levels``."""
    for value in (safety_stock, low_stock_threshold):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise StockError(_("Safety stock and threshold are whole numbers, zero or more."))
    with transaction.atomic():
        stock = stock_locked_by_id([stock_id]).get(stock_id)
        if stock is None:
            raise StockError(_("There is no such stock row."))
        before = {
            "safety_stock": stock.safety_stock,
            "low_stock_threshold": stock.low_stock_threshold,
        }
        stock.safety_stock = safety_stock
        stock.low_stock_threshold = low_stock_threshold
        ledger = _Ledger(actor=actor)
        ledger.touch(stock)
        ledger.write()
        audit_record(
            actor=actor,
            action="stock.levels",
            target=stock,
            before=before,
            after={"safety_stock": safety_stock, "low_stock_threshold": low_stock_threshold},
            ip_address=ip_address,
        )
    return stock


def stock_return(
    *,
    actor: User | None,
    warehouse: Warehouse,
    variant_id: int,
    quantity: int,
    reference: str,
    reason: str = "",
) -> Stock:
    """Put returned units back on hand in ``warehouse`` (a return restocked, R1)."""
    _positive(quantity, what=_("The quantity"))
    _known_variants([variant_id])
    with transaction.atomic():
        stock = _row(warehouse, variant_id)
        ledger = _Ledger(actor=actor, reference=reference, reason=reason.strip())
        ledger.move(stock, MovementKind.RETURN, on_hand=quantity)
        ledger.write()
    return stock


# --- checkout and orders --------------------------------------------------------------------


def _same_request(reservation: Reservation, quantities: dict[int, int], country: str) -> bool:
    held: dict[int, int] = defaultdict(int)
    for variant_id, quantity in reservation.lines.values_list("variant_id", "quantity"):
        held[variant_id] += quantity
    return reservation.country == country and dict(held) == quantities


def _existing(key: str, quantities: dict[int, int], country: str) -> Reservation | None:
    reservation = Reservation.objects.filter(key=key).first()
    if reservation is None:
        return None
    if not _same_request(reservation, quantities, country):
        raise ReservationConflictError(
            _("The reservation %(key)s was made for other lines or another country.") % {"key": key}
        )
    return reservation


def reservation_create(
    *,
    key: str,
    lines: Sequence[StockLine],
    country: str,
    ttl: timedelta = DEFAULT_RESERVATION_TTL,
) -> Reservation:
    """Hold ``lines`` for a shopper in ``country`` until ``ttl`` from now (I2).

    Idempotent on ``key`` (one per checkout): the same key with the same lines returns the
    reservation already made, never a second one, whatever its status now; the same key with
    other lines or another country raises ReservationConflictError. When any line cannot be
    held in full from the salable stock of the warehouses serving ``country``, raises
    InsufficientStockError naming each short variant and what is available, and holds nothing.
    Warehouses are chosen by the allocation rule (module docstring). Publishes
    StockLevelsChanged, and StockLow for rows it takes to their threshold.
    """
    key = (key or "").strip()
    if not key or len(key) > 100:
        raise StockError(_("A reservation needs a key of 1 to 100 characters."))
    country = _country(country)
    quantities = _merged(lines)
    if ttl <= timedelta(0):
        raise StockError(_("A reservation must last some time."))
    try:
        with transaction.atomic():
            now = timezone.now()
            # The key's row first: a repeated key fails on its unique index (a concurrent request
            # with the same key waits here first) and returns the reservation already made.
            reservation = Reservation.objects.create(
                key=key, country=country, expires_at=now + ttl, created_at=now
            )
            rows = stock_locked(
                Stock.objects.filter(
                    variant_id__in=sorted(quantities),
                    warehouse__is_active=True,
                    warehouse__serves__country=country,
                )
            )
            checkpoint("reservation.stock_read")
            by_variant: dict[int, list[Stock]] = defaultdict(list)
            for stock in rows:
                by_variant[stock.variant_id].append(stock)
            plans: list[tuple[Stock, int]] = []
            shortages: list[Shortage] = []
            for variant_id, quantity in sorted(quantities.items()):
                candidates = by_variant.get(variant_id, [])
                plan = _plan(candidates, quantity, country=country, capacity=_salable)
                if plan is None:
                    available = sum(s.salable for s in candidates)
                    shortages.append(Shortage(variant_id, "", quantity, available))
                else:
                    plans.extend(plan)
            if shortages:
                # Only now the SKUs, for the message (an unknown variant raises StockError).
                skus = _known_variants(quantities)
                raise InsufficientStockError(
                    [dataclasses.replace(s, sku=skus[s.variant_id]) for s in shortages]
                )
            ledger = _Ledger(actor=None, reference=key, reason="checkout", now=now)
            for stock, quantity in plans:
                ledger.move(stock, MovementKind.RESERVATION, reserved=quantity)
            ReservationLine.objects.bulk_create(
                [
                    ReservationLine(
                        reservation=reservation,
                        stock=stock,
                        variant_id=stock.variant_id,
                        quantity=quantity,
                    )
                    for stock, quantity in plans
                ]
            )
            ledger.write()
    except IntegrityError:
        existing = _existing(key, quantities, country)
        if existing is None:
            raise
        return existing
    return reservation


def _salable(stock: Stock) -> int:
    return stock.salable


def _release(reservation: Reservation, *, status: str, reason: str, now: datetime) -> None:
    lines = list(reservation.lines.all())
    rows = stock_locked_by_id(line.stock_id for line in lines)
    ledger = _Ledger(actor=None, reference=reservation.key, reason=reason, now=now)
    for line in lines:
        ledger.move(rows[line.stock_id], MovementKind.RELEASE, reserved=-line.quantity)
    ledger.write()
    reservation.status = status
    reservation.closed_at = now
    reservation.save(update_fields=["status", "closed_at"])


def reservation_release(*, key: str, reason: str = "cancelled") -> Reservation | None:
    """Give back the stock held by the reservation ``key`` (the checkout was cancelled).
    Idempotent: a reservation no longer active is returned unchanged. None when there is no
    reservation with this key."""
    with transaction.atomic():
        reservation = reservation_locked(key)
        if reservation is None or reservation.status != ReservationStatus.ACTIVE:
            return reservation
        _release(reservation, status=ReservationStatus.RELEASED, reason=reason, now=timezone.now())
    return reservation


def reservations_expire(*, now: datetime | None = None, limit: int = EXPIRE_BATCH) -> int:
    """Release every active reservation whose expiry has passed, each in its own short
    transaction (so a large backlog never holds many locks at once). Returns how many."""
    now = now or timezone.now()
    keys = list(
        Reservation.objects.filter(status=ReservationStatus.ACTIVE, expires_at__lte=now)
        .order_by("expires_at")
        .values_list("key", flat=True)[:limit]
    )
    expired = 0
    for key in keys:
        with transaction.atomic():
            reservation = reservation_locked(key)
            # Allocated or released meanwhile by another process: nothing to do.
            if (
                reservation is not None
                and reservation.status == ReservationStatus.ACTIVE
                and reservation.expires_at <= now
            ):
                _release(reservation, status=ReservationStatus.EXPIRED, reason="expired", now=now)
                expired += 1
    return expired


def reservation_allocate(*, key: str, reference: str = "") -> list[Allocation]:
    """Turn the active reservation ``key`` into allocations for the order ``reference``
    (default: the key), at order time (I2).

    The warehouses are chosen again by the allocation rule, counting the units this reservation
    holds as available, so stock that arrived since the checkout can save a split parcel. One
    ``allocation`` movement per stock row (reserved down by what it held there, allocated up by
    what it gets). Idempotent: a reservation already allocated returns its allocations. Raises
    ReservationNotActiveError for a released or expired reservation, InsufficientStockError if
    stock was counted away meanwhile (nothing changes then).
    """
    reference = (reference or key).strip()[:100]
    with transaction.atomic():
        reservation = reservation_locked(key)
        if reservation is None:
            raise ReservationNotActiveError(_("There is no reservation %(key)s.") % {"key": key})
        if reservation.status == ReservationStatus.ALLOCATED:
            return list(Allocation.objects.filter(reference=reference).order_by("pk"))
        if reservation.status != ReservationStatus.ACTIVE:
            raise ReservationNotActiveError(
                _("The reservation %(key)s has ended (%(status)s); reserve again.")
                % {"key": key, "status": reservation.get_status_display()}
            )
        lines = list(reservation.lines.all())
        mine: dict[int, int] = {line.stock_id: line.quantity for line in lines}
        quantities: dict[int, int] = defaultdict(int)
        for line in lines:
            quantities[line.variant_id] += line.quantity
        rows = stock_locked(
            Stock.objects.filter(
                variant_id__in=sorted(quantities),
                warehouse__is_active=True,
                warehouse__serves__country=reservation.country,
            )
            | Stock.objects.filter(pk__in=sorted(mine))
        )
        checkpoint("allocation.stock_read")
        by_variant: dict[int, list[Stock]] = defaultdict(list)
        for stock in rows:
            by_variant[stock.variant_id].append(stock)

        def capacity(stock: Stock) -> int:
            return stock.salable + mine.get(stock.pk, 0)

        planned: dict[int, int] = defaultdict(int)
        shortages: list[Shortage] = []
        for variant_id, quantity in sorted(quantities.items()):
            candidates = by_variant[variant_id]
            plan = _plan(candidates, quantity, country=reservation.country, capacity=capacity)
            if plan is None:
                available = sum(capacity(s) for s in candidates)
                sku = candidates[0].variant.sku if candidates else str(variant_id)
                shortages.append(Shortage(variant_id, sku, quantity, available))
                continue
            for stock, take in plan:
                planned[stock.pk] += take
        if shortages:
            raise InsufficientStockError(shortages)
        now = timezone.now()
        ledger = _Ledger(actor=None, reference=reference, reason=f"reservation {key}", now=now)
        by_pk = {stock.pk: stock for stock in rows}
        for stock_pk in sorted(set(mine) | set(planned)):
            ledger.move(
                by_pk[stock_pk],
                MovementKind.ALLOCATION,
                reserved=-mine.get(stock_pk, 0),
                allocated=planned.get(stock_pk, 0),
            )
        allocations = Allocation.objects.bulk_create(
            [
                Allocation(
                    reference=reference,
                    stock_id=stock_pk,
                    variant_id=by_pk[stock_pk].variant_id,
                    quantity=quantity,
                    created_at=now,
                )
                for stock_pk, quantity in sorted(planned.items())
            ]
        )
        ledger.write()
        reservation.status = ReservationStatus.ALLOCATED
        reservation.closed_at = now
        reservation.save(update_fields=["status", "closed_at"])
    return allocations


def _allocations_locked(reference: str) -> list[Allocation]:
    return list(
        Allocation.objects.select_for_update(of=("self",))
        .select_related("stock")
        .filter(reference=reference)
        .order_by("pk")
    )


def allocation_ship(
    *,
    reference: str,
    lines: Sequence[StockLine] | None = None,
    actor: User | None = None,
    warehouse_id: int | None = None,
) -> list[Allocation]:
    """Record that allocated units of the order ``reference`` left the warehouse: on hand and
    allocated go down together (``shipment`` movements). ``lines`` None ships everything still
    open; otherwise each line must be covered by open allocations (a partial shipment).
    ``warehouse_id`` limits it to the allocations of one warehouse (a split order's parcel).
    Returns the allocations changed."""
    with transaction.atomic():
        allocations = [
            a
            for a in _allocations_locked(reference)
            if a.open_quantity > 0
            and (warehouse_id is None or a.stock.warehouse_id == warehouse_id)
        ]
        if lines is None:
            wanted: dict[int, int] = defaultdict(int)
            for allocation in allocations:
                wanted[allocation.variant_id] += allocation.open_quantity
            if not wanted:
                raise StockError(
                    _("Order %(reference)s has nothing left to ship.") % {"reference": reference}
                )
        else:
            wanted = _merged(lines)
        rows = stock_locked_by_id(a.stock_id for a in allocations)
        ledger = _Ledger(actor=actor, reference=reference, reason="shipped")
        changed: list[Allocation] = []
        for variant_id, quantity in sorted(wanted.items()):
            left = quantity
            for allocation in allocations:
                if allocation.variant_id != variant_id or left == 0:
                    continue
                take = min(allocation.open_quantity, left)
                if take == 0:
                    continue
                allocation.shipped += take
                left -= take
                ledger.move(
                    rows[allocation.stock_id], MovementKind.SHIPMENT, on_hand=-take, allocated=-take
                )
                changed.append(allocation)
            if left:
                raise StockError(
                    _("Order %(reference)s has only %(open)d of variant %(variant)d left to ship.")
                    % {"reference": reference, "open": quantity - left, "variant": variant_id}
                )
        Allocation.objects.bulk_update(changed, ["shipped"])
        ledger.write()
    return changed


def allocation_release(
    *, reference: str, actor: User | None = None, reason: str = "order cancelled"
) -> int:
    """Give back every unit still allocated to the order ``reference`` and not shipped (the
    order was cancelled). Idempotent. Returns the units released."""
    with transaction.atomic():
        allocations = [a for a in _allocations_locked(reference) if a.open_quantity > 0]
        if not allocations:
            return 0
        rows = stock_locked_by_id(a.stock_id for a in allocations)
        ledger = _Ledger(actor=actor, reference=reference, reason=reason)
        units = 0
        for allocation in allocations:
            quantity = allocation.open_quantity
            ledger.move(rows[allocation.stock_id], MovementKind.RELEASE, allocated=-quantity)
            allocation.released += quantity
            units += quantity
        Allocation.objects.bulk_update(allocations, ["released"])
        ledger.write()
    return units


# --- warehouses -----------------------------------------------------------------------------


def warehouse_ensure(
    *,
    code: str,
    name: str,
    country: str,
    serves: Sequence[str],
    priority: int = 100,
    low_stock_threshold: int = 0,
) -> Warehouse:
    """The warehouse with ``code``, created if missing, serving exactly ``serves``. When the
    countries it serves change, its stock counts for other shoppers: publishes
    StockLevelsChanged for the variants it holds."""
    countries = sorted({_country(c) for c in serves})
    with transaction.atomic():
        served_before = set(
            WarehouseCountry.objects.filter(warehouse__code=code).values_list("country", flat=True)
        )
        warehouse, _created = Warehouse.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "country": _country(country),
                "priority": priority,
                "low_stock_threshold": low_stock_threshold,
            },
        )
        warehouse.serves.exclude(country__in=countries).delete()
        WarehouseCountry.objects.bulk_create(
            [WarehouseCountry(warehouse=warehouse, country=c) for c in countries],
            ignore_conflicts=True,
        )
        if served_before != set(countries):
            variant_ids = list(
                Stock.objects.filter(warehouse=warehouse)
                .order_by("variant_id")
                .values_list("variant_id", flat=True)
            )
            for start in range(0, len(variant_ids), EVENT_CHUNK):
                event_publish(
                    StockLevelsChanged(variant_ids=variant_ids[start : start + EVENT_CHUNK])
                )
    return warehouse
