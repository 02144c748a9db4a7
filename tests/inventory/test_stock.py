"""Stock services on a real database: the ledger, the constraints, reservations, allocation,
low-stock events, expiry and the audit command."""

from __future__ import annotations

import random
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from storeteam.core.models import AuditEntry, OutboxEvent
from storeteam.core.scheduling import periodic_jobs, scheduler_tick
from storeteam.inventory.errors import (
    InsufficientStockError,
    ReservationConflictError,
    ReservationNotActiveError,
    StockError,
)
from storeteam.inventory.models import (
    Allocation,
    MovementKind,
    Reservation,
    ReservationStatus,
    Stock,
    StockMovement,
)
from storeteam.inventory.selectors import salable_quantities, stock_drift_find
from storeteam.inventory.services import (
    StockLine,
    allocation_release,
    allocation_ship,
    reservation_allocate,
    reservation_create,
    reservation_release,
    stock_adjust,
    stock_count,
    stock_levels_set,
    stock_receive,
    stock_return,
    stock_transfer,
)
from tests.factories import StaffFactory
from tests.inventory.fixtures import Place, assert_ledger_balances, build_stock_place, receive

JACKET = "WOOL-JACKET-M"
SHIRT = "LINEN-SHIRT-S"


@pytest.fixture
def place(db: Any, deliver_events: Any) -> Place:
    return build_stock_place(deliver_events)


def stock(place: Place, warehouse: Any, sku: str) -> Stock:
    return Stock.objects.get(warehouse=warehouse, variant_id=place.variants[sku])


def events(name: str) -> list[dict[str, Any]]:
    return list(
        OutboxEvent.objects.filter(name=name).order_by("pk").values_list("payload", flat=True)
    )


# --- staff operations and the ledger ----------------------------------------------------------


def test_receipt_adjustment_count_and_transfer_are_each_a_movement(place: Place) -> None:
    manager = StaffFactory(role="inventory_manager")
    jacket = place.variants[JACKET]
    stock_receive(
        actor=manager, warehouse=place.se, lines=[StockLine(jacket, 20)], reference="PO-1"
    )
    stock_adjust(actor=manager, warehouse=place.se, variant_id=jacket, change=-2, reason="Torn")
    stock_count(actor=manager, warehouse=place.se, variant_id=jacket, counted=17, reason="Shelf")
    result = stock_transfer(
        actor=manager, source=place.se, destination=place.fr, variant_id=jacket, quantity=5
    )

    assert stock(place, place.se, JACKET).on_hand == 12
    assert stock(place, place.fr, JACKET).on_hand == 5
    rows = list(
        StockMovement.objects.order_by("pk").values_list("kind", "on_hand_delta", "reference")
    )
    assert rows == [
        ("receipt", 20, "PO-1"),
        ("adjustment", -2, ""),
        ("count", -1, ""),
        ("transfer_out", -5, result.reference),
        ("transfer_in", 5, result.reference),
    ]
    assert StockMovement.objects.filter(actor=manager).count() == 5
    assert list(AuditEntry.objects.order_by("pk").values_list("action", flat=True)) == [
        "stock.receive",
        "stock.adjust",
        "stock.count",
        "stock.transfer",
    ]
    assert_ledger_balances()


def test_an_adjustment_needs_a_reason_and_cannot_take_held_units(place: Place) -> None:
    jacket = place.variants[JACKET]
    receive(place.se, jacket, 3)
    reservation_create(key="c1", lines=[StockLine(jacket, 2)], country="SE")
    with pytest.raises(StockError, match="reason"):
        stock_adjust(actor=None, warehouse=place.se, variant_id=jacket, change=-1, reason="  ")
    with pytest.raises(StockError, match="Only 1 of WOOL-JACKET-M in sto can be taken away"):
        stock_adjust(actor=None, warehouse=place.se, variant_id=jacket, change=-2, reason="Lost")
    with pytest.raises(StockError, match="reserved or allocated, more than the 1 counted"):
        stock_count(actor=None, warehouse=place.se, variant_id=jacket, counted=1)
    with pytest.raises(StockError, match="Only 1 of WOOL-JACKET-M in sto are free"):
        stock_transfer(
            actor=None, source=place.se, destination=place.nl, variant_id=jacket, quantity=2
        )
    row = stock(place, place.se, JACKET)
    assert (row.on_hand, row.reserved) == (3, 2)
    assert StockMovement.objects.count() == 2  # the receipt and the reservation only


def test_a_bad_receipt_writes_nothing(place: Place) -> None:
    with pytest.raises(StockError, match="above zero"):
        stock_receive(
            actor=None,
            warehouse=place.se,
            lines=[StockLine(place.variants[JACKET], 5), StockLine(place.variants[SHIRT], 0)],
        )
    with pytest.raises(StockError, match="Unknown variant: 987654"):
        stock_receive(actor=None, warehouse=place.se, lines=[StockLine(987654, 1)])
    assert Stock.objects.count() == 0
    assert StockMovement.objects.count() == 0


@pytest.mark.parametrize(
    ("on_hand", "reserved", "allocated"),
    [(-1, 0, 0), (5, -1, 0), (5, 0, -1), (5, 3, 3)],
)
def test_check_constraints_refuse_impossible_stock(
    place: Place, on_hand: int, reserved: int, allocated: int
) -> None:
    row = receive(place.se, place.variants[JACKET], 5)
    with pytest.raises(IntegrityError), transaction.atomic():
        Stock.objects.filter(pk=row.pk).update(
            on_hand=on_hand, reserved=reserved, allocated=allocated
        )
    row.refresh_from_db()
    assert (row.on_hand, row.reserved, row.allocated) == (5, 0, 0)


def test_the_ledger_balances_after_a_random_mix_of_operations(place: Place) -> None:
    rng = random.Random(4)
    skus = sorted(place.variants)
    warehouses = [place.se, place.fr, place.nl]
    countries = ["SE", "FR", "NL", "BE", "DE"]
    for sku in skus:
        for warehouse in warehouses:
            receive(warehouse, place.variants[sku], rng.randint(0, 6) or 1)
    open_keys: list[str] = []
    allocated: list[str] = []
    done = {"ok": 0, "refused": 0}
    for n in range(300):
        variant = place.variants[rng.choice(skus)]
        warehouse = rng.choice(warehouses)
        op = rng.choice(
            [
                "receive",
                "adjust",
                "count",
                "transfer",
                "reserve",
                "reserve",
                "release",
                "allocate",
                "ship",
                "cancel",
                "return",
                "levels",
            ]
        )
        try:
            if op == "receive":
                receive(warehouse, variant, rng.randint(1, 5))
            elif op == "adjust":
                stock_adjust(
                    actor=None,
                    warehouse=warehouse,
                    variant_id=variant,
                    change=rng.choice([-3, -1, 1, 2]),
                    reason="random",
                )
            elif op == "count":
                stock_count(
                    actor=None, warehouse=warehouse, variant_id=variant, counted=rng.randint(0, 8)
                )
            elif op == "transfer":
                other = rng.choice([w for w in warehouses if w != warehouse])
                stock_transfer(
                    actor=None,
                    source=warehouse,
                    destination=other,
                    variant_id=variant,
                    quantity=rng.randint(1, 3),
                )
            elif op == "reserve":
                key = f"k{n}"
                reservation_create(
                    key=key,
                    lines=[
                        StockLine(variant, rng.randint(1, 3)),
                        StockLine(place.variants[rng.choice(skus)], 1),
                    ],
                    country=rng.choice(countries),
                )
                open_keys.append(key)
            elif op == "release" and open_keys:
                reservation_release(key=open_keys.pop(rng.randrange(len(open_keys))))
            elif op == "allocate" and open_keys:
                key = open_keys.pop(rng.randrange(len(open_keys)))
                reservation_allocate(key=key, reference=f"order-{key}")
                allocated.append(f"order-{key}")
            elif op == "ship" and allocated:
                allocation_ship(reference=allocated.pop(rng.randrange(len(allocated))))
            elif op == "cancel" and allocated:
                allocation_release(reference=allocated.pop(rng.randrange(len(allocated))))
            elif op == "return":
                stock_return(
                    actor=None, warehouse=warehouse, variant_id=variant, quantity=1, reference="R"
                )
            elif op == "levels":
                row = Stock.objects.get(warehouse=warehouse, variant_id=variant)
                stock_levels_set(
                    actor=None,
                    stock_id=row.pk,
                    safety_stock=rng.randint(0, 2),
                    low_stock_threshold=rng.randint(0, 4),
                )
            done["ok"] += 1
        except StockError:
            done["refused"] += 1
        # then: after every operation, every row is its ledger, and salable is never negative
        assert_ledger_balances()
        assert (
            min(salable_quantities(variant_ids=place.variants.values(), country=None).values()) >= 0
        )
    assert done["ok"] > 150
    assert done["refused"] > 5
    assert set(StockMovement.objects.values_list("kind", flat=True)) == set(MovementKind.values)


# --- salable quantity ---------------------------------------------------------------------------


def test_salable_sums_the_warehouses_serving_the_country_in_one_query(
    place: Place, django_assert_num_queries: Any
) -> None:
    jacket, shirt = place.variants[JACKET], place.variants[SHIRT]
    receive(place.se, jacket, 10)
    receive(place.fr, jacket, 4)
    receive(place.nl, jacket, 6)
    row = stock(place, place.nl, JACKET)
    stock_levels_set(actor=None, stock_id=row.pk, safety_stock=2, low_stock_threshold=0)
    reservation_create(key="r", lines=[StockLine(jacket, 1)], country="NL")
    receive(place.fr, shirt, 1)
    stock_levels_set(
        actor=None, stock_id=stock(place, place.fr, SHIRT).pk, safety_stock=5, low_stock_threshold=0
    )
    ids = list(place.variants.values())
    with django_assert_num_queries(1):
        be = salable_quantities(variant_ids=ids, country="BE")
    # Belgium is served by Lyon (4) and Tilburg (6 - 1 reserved - 2 safety = 3); the shirt's
    # safety stock is above its on hand and counts as 0, never negative.
    assert be[jacket] == 7
    assert be[shirt] == 0
    assert salable_quantities(variant_ids=[jacket], country="SE") == {jacket: 10}
    assert salable_quantities(variant_ids=[jacket], country="US") == {jacket: 0}
    assert salable_quantities(variant_ids=[jacket], country=None) == {jacket: 17}


# --- reservations and allocation -----------------------------------------------------------------


def test_reservation_is_idempotent_on_its_key(place: Place) -> None:
    jacket = place.variants[JACKET]
    receive(place.se, jacket, 5)
    first = reservation_create(key="checkout-1", lines=[StockLine(jacket, 2)], country="SE")
    again = reservation_create(key="checkout-1", lines=[StockLine(jacket, 2)], country="se")
    assert again.pk == first.pk
    assert Reservation.objects.count() == 1
    assert stock(place, place.se, JACKET).reserved == 2
    with pytest.raises(ReservationConflictError):
        reservation_create(key="checkout-1", lines=[StockLine(jacket, 3)], country="SE")
    # Released, the same key still answers with that reservation, never a second hold.
    reservation_release(key="checkout-1")
    assert reservation_release(key="checkout-1").status == ReservationStatus.RELEASED  # type: ignore[union-attr]
    again = reservation_create(key="checkout-1", lines=[StockLine(jacket, 2)], country="SE")
    assert again.status == ReservationStatus.RELEASED
    assert stock(place, place.se, JACKET).reserved == 0
    assert_ledger_balances()


def test_not_enough_stock_names_the_variant_and_what_is_available(place: Place) -> None:
    jacket, shirt = place.variants[JACKET], place.variants[SHIRT]
    receive(place.se, jacket, 3)
    with pytest.raises(InsufficientStockError) as error:
        reservation_create(key="c", lines=[StockLine(jacket, 5), StockLine(shirt, 1)], country="SE")
    assert error.value.message == (
        "WOOL-JACKET-M: only 3 are available (5 asked for); LINEN-SHIRT-S is sold out"
    )
    assert [(s.sku, s.available) for s in error.value.shortages] == [
        ("WOOL-JACKET-M", 3),
        ("LINEN-SHIRT-S", 0),
    ]
    assert Reservation.objects.count() == 0
    assert stock(place, place.se, JACKET).reserved == 0


def test_allocation_prefers_one_warehouse_for_the_whole_line_then_proximity_and_priority(
    place: Place,
) -> None:
    jacket = place.variants[JACKET]
    receive(place.fr, jacket, 2)  # Lyon, priority 20, serves BE
    receive(place.nl, jacket, 5)  # Tilburg, priority 10, serves BE
    # A Belgian shopper: Tilburg ranks first by priority (neither is in Belgium).
    reservation_create(key="a", lines=[StockLine(jacket, 2)], country="BE")
    assert stock(place, place.nl, JACKET).reserved == 2
    # 4 units: Tilburg has 3 left, Lyon 2: no one warehouse can fill it, so it is split,
    # Tilburg first.
    reservation_create(key="b", lines=[StockLine(jacket, 4)], country="BE")
    assert (stock(place, place.nl, JACKET).reserved, stock(place, place.fr, JACKET).reserved) == (
        5,
        1,
    )
    # A French shopper is served from France.
    reservation_release(key="a")
    reservation_create(key="c", lines=[StockLine(jacket, 1)], country="FR")
    assert stock(place, place.fr, JACKET).reserved == 2

    # At order time the split line is planned again: Tilburg now has room for all 4 (the two
    # units of "a" came back), so it ships in one parcel from there.
    allocations = reservation_allocate(key="b", reference="order-b")
    assert [(a.stock.warehouse.code, a.quantity) for a in allocations] == [("tilburg", 4)]
    tilburg, lyon = stock(place, place.nl, JACKET), stock(place, place.fr, JACKET)
    assert (tilburg.reserved, tilburg.allocated, lyon.reserved, lyon.allocated) == (0, 4, 1, 0)
    assert reservation_allocate(key="b", reference="order-b") == allocations  # idempotent
    assert Reservation.objects.get(key="b").status == ReservationStatus.ALLOCATED
    with pytest.raises(ReservationNotActiveError):
        reservation_allocate(key="a")

    shipped = allocation_ship(reference="order-b", lines=[StockLine(jacket, 3)])
    assert [a.shipped for a in shipped] == [3]
    tilburg.refresh_from_db()
    assert (tilburg.on_hand, tilburg.allocated) == (2, 1)
    assert allocation_release(reference="order-b") == 1
    assert Allocation.objects.get(reference="order-b").open_quantity == 0
    assert allocation_release(reference="order-b") == 0
    assert_ledger_balances()


def test_stock_low_is_published_once_per_crossing(place: Place) -> None:
    jacket = place.variants[JACKET]
    row = receive(place.se, jacket, 10)
    stock_levels_set(actor=None, stock_id=row.pk, safety_stock=0, low_stock_threshold=3)
    assert events("inventory.StockLow") == []
    reservation_create(key="a", lines=[StockLine(jacket, 6)], country="SE")  # 4 left: not low
    reservation_create(key="b", lines=[StockLine(jacket, 1)], country="SE")  # 3: low
    reservation_create(key="c", lines=[StockLine(jacket, 2)], country="SE")  # 1: still low
    assert events("inventory.StockLow") == [
        {"variant_id": jacket, "sku": JACKET, "warehouse_code": "sto", "salable": 3, "threshold": 3}
    ]
    assert Stock.objects.get(pk=row.pk).is_low
    reservation_release(key="a")  # 7: above again
    assert not Stock.objects.get(pk=row.pk).is_low
    reservation_create(key="d", lines=[StockLine(jacket, 5)], country="SE")  # 2: a new crossing
    assert [e["salable"] for e in events("inventory.StockLow")] == [3, 2]
    changed = events("inventory.StockLevelsChanged")
    assert changed
    assert all(e["variant_ids"] == [jacket] for e in changed)


def test_a_warehouse_serving_other_countries_announces_its_stock(place: Place) -> None:
    from storeteam.inventory.services import warehouse_ensure

    receive(place.fr, place.variants[JACKET], 3)
    receive(place.fr, place.variants[SHIRT], 2)
    before = len(events("inventory.StockLevelsChanged"))
    warehouse_ensure(code="lyon", name="Lyon", country="FR", serves=["LU", "BE", "FR"])
    assert len(events("inventory.StockLevelsChanged")) == before  # the same countries
    warehouse_ensure(code="lyon", name="Lyon", country="FR", serves=["FR", "BE", "LU", "SE"])
    assert events("inventory.StockLevelsChanged")[before:] == [
        {"variant_ids": sorted([place.variants[JACKET], place.variants[SHIRT]])}
    ]
    assert salable_quantities(variant_ids=[place.variants[SHIRT]], country="SE") == {
        place.variants[SHIRT]: 2
    }


@pytest.mark.django_db(transaction=True)
def test_the_periodic_job_releases_expired_reservations(deliver_events: Any) -> None:
    place = build_stock_place(deliver_events)
    jacket = place.variants[JACKET]
    receive(place.se, jacket, 4)
    reservation_create(key="late", lines=[StockLine(jacket, 3)], country="SE")
    reservation_create(key="fresh", lines=[StockLine(jacket, 1)], country="SE")
    # The shopper behind "late" left 20 minutes ago.
    Reservation.objects.filter(key="late").update(expires_at=timezone.now() - timedelta(minutes=5))
    name = "storeteam.inventory.tasks.reservations_expire_due"
    assert name in {job.name for job in periodic_jobs()}
    assert name in scheduler_tick()
    call_command("worker", batch=True, verbosity=0)
    assert Reservation.objects.get(key="late").status == ReservationStatus.EXPIRED
    assert Reservation.objects.get(key="fresh").status == ReservationStatus.ACTIVE
    assert stock(place, place.se, JACKET).reserved == 1
    assert salable_quantities(variant_ids=[jacket], country="SE") == {jacket: 3}
    release = StockMovement.objects.get(kind=MovementKind.RELEASE)
    assert (release.reserved_delta, release.reference, release.reason) == (-3, "late", "expired")
    assert_ledger_balances()


# --- the audit command --------------------------------------------------------------------------


def test_stock_audit_finds_and_explains_a_drift(place: Place) -> None:
    jacket = place.variants[JACKET]
    row = receive(place.se, jacket, 8)
    reservation_create(key="k", lines=[StockLine(jacket, 2)], country="SE")
    out = StringIO()
    call_command("stock-audit", stdout=out)
    assert "Stock is explained" in out.getvalue()

    # Someone edits the table behind the ledger's back.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE inventory_stock SET on_hand = 11 WHERE id = %s", [row.pk])
    out = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("stock-audit", stdout=out)
    assert failed.value.returncode == 1
    text = out.getvalue()
    assert (
        f"stock {row.pk} (WOOL-JACKET-M in sto): on_hand is 11, but the sum of its movements "
        "is 8 (drift +3)"
    ) in text
    assert "receipt" in text
    assert "reservation" in text
    assert [(d.quantity, d.source) for d in stock_drift_find()] == [("on_hand", "ledger")]


def test_stock_audit_finds_reserved_units_no_reservation_holds(place: Place) -> None:
    jacket = place.variants[JACKET]
    row = receive(place.se, jacket, 8)
    reservation_create(key="k", lines=[StockLine(jacket, 2)], country="SE")
    Reservation.objects.filter(key="k").update(status=ReservationStatus.RELEASED)
    drifts = stock_drift_find()
    assert [(d.stock_id, d.quantity, d.stored, d.expected, d.source) for d in drifts] == [
        (row.pk, "reserved", 2, 0, "reservations")
    ]
