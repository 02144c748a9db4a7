"""Concurrent buyers on real connections (I2: never sell what is not there, under any
concurrency). Run on SQLite and on PostgreSQL (`make test` runs the suite on both): on SQLite
the IMMEDIATE transaction serialises writers, on PostgreSQL the stock rows' FOR UPDATE locks do
(ADR 0003, ADR 0005)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from storeteam.inventory.checkpoints import checkpoint_hook
from storeteam.inventory.errors import InsufficientStockError
from storeteam.inventory.models import Reservation, Stock, StockMovement
from storeteam.inventory.selectors import salable_quantities
from storeteam.inventory.services import StockLine, reservation_create, stock_adjust
from tests.inventory.fixtures import assert_ledger_balances, build_stock_place, receive

pytestmark = pytest.mark.django_db(transaction=True)

BUYERS = 50


def run_in_threads(jobs: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """Run each job in its own thread with its own database connection, all released at once by
    a barrier; return each job's result or the exception it raised."""
    results: dict[str, Any] = {}
    barrier = threading.Barrier(len(jobs))

    def run(name: str, job: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=60)
            results[name] = job()
        except Exception as exc:
            results[name] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item, name=item[0]) for item in jobs.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results


@pytest.mark.parametrize("quantity", [1, 2])
def test_fifty_buyers_race_for_the_last_units(deliver_events: Any, quantity: int) -> None:
    # given: 10 units of one jacket for Belgian shoppers, in two warehouses (Lyon 6, Tilburg 4)
    place = build_stock_place(deliver_events)
    jacket = place.variants["WOOL-JACKET-M"]
    receive(place.fr, jacket, 6)
    receive(place.nl, jacket, 4)
    units = 10

    # when: 50 buyers check out at the same moment, each with their own connection
    def buyer(n: int) -> Callable[[], Any]:
        return lambda: reservation_create(
            key=f"checkout-{n}", lines=[StockLine(jacket, quantity)], country="BE"
        )

    results = run_in_threads({f"buyer-{n}": buyer(n) for n in range(BUYERS)})

    # then: exactly the units there were are held, every other buyer is told it is sold out
    won = [r for r in results.values() if isinstance(r, Reservation)]
    lost = [r for r in results.values() if isinstance(r, InsufficientStockError)]
    others = [
        r for r in results.values() if not isinstance(r, Reservation | InsufficientStockError)
    ]
    assert others == []
    assert len(won) == units // quantity
    assert len(lost) == BUYERS - units // quantity
    assert all(e.shortages[0].available < quantity for e in lost)
    rows = Stock.objects.filter(variant_id=jacket)
    assert sum(r.reserved for r in rows) == units
    assert all(r.reserved <= r.on_hand for r in rows)
    assert salable_quantities(variant_ids=[jacket], country="BE") == {jacket: 0}
    assert Reservation.objects.count() == units // quantity
    assert_ledger_balances()


def test_fifty_retries_of_one_checkout_hold_stock_once(deliver_events: Any) -> None:
    place = build_stock_place(deliver_events)
    jacket = place.variants["WOOL-JACKET-M"]
    receive(place.se, jacket, 5)

    def retry() -> Reservation:
        return reservation_create(key="one-checkout", lines=[StockLine(jacket, 2)], country="SE")

    results = run_in_threads({f"tab-{n}": retry for n in range(BUYERS)})

    assert {type(r) for r in results.values()} == {Reservation}
    assert {r.pk for r in results.values()} == {Reservation.objects.get().pk}
    assert Stock.objects.get(variant_id=jacket).reserved == 2
    assert StockMovement.objects.filter(kind="reservation").count() == 1
    assert_ledger_balances()


class Pause:
    """Hold the thread named ``who`` at a checkpoint until ``go`` is set; ``reached`` tells the
    test it is there (after its locked stock read, before its write)."""

    def __init__(self, who: str) -> None:
        self.who = who
        self.reached = threading.Event()
        self.go = threading.Event()

    def __call__(self) -> None:
        if threading.current_thread().name == self.who:
            self.reached.set()
            assert self.go.wait(timeout=60)


def start(name: str, job: Callable[[], Any], results: dict[str, Any]) -> threading.Thread:
    def run() -> None:
        try:
            results[name] = job()
        except Exception as exc:
            results[name] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread


@pytest.mark.parametrize("second", ["buyer", "stock adjustment"])
def test_a_buyer_paused_after_reading_stock_keeps_the_last_unit(
    deliver_events: Any, second: str
) -> None:
    # given: one unit left
    place = build_stock_place(deliver_events)
    jacket = place.variants["WOOL-JACKET-M"]
    receive(place.se, jacket, 1)
    pause = Pause("buyer-a")
    results: dict[str, Any] = {}
    if second == "buyer":

        def other() -> Any:
            return reservation_create(key="b", lines=[StockLine(jacket, 1)], country="SE")

    else:

        def other() -> Any:
            return stock_adjust(
                actor=None, warehouse=place.se, variant_id=jacket, change=-1, reason="Damaged"
            )

    with checkpoint_hook("reservation.stock_read", pause):
        # when: buyer A has read the stock (1 salable) under its lock and is paused there ...
        a = start(
            "buyer-a",
            lambda: reservation_create(key="a", lines=[StockLine(jacket, 1)], country="SE"),
            results,
        )
        assert pause.reached.wait(timeout=30)
        # ... the second one starts and must wait for A's lock instead of reading the same unit
        b = start("second", other, results)
        b.join(timeout=1.0)
        assert b.is_alive(), f"the {second} did not wait for the lock: {results.get('second')!r}"
        pause.go.set()
        a.join(timeout=60)
        b.join(timeout=60)

    # then: A holds the unit; the second one saw A's write and was refused
    assert isinstance(results["buyer-a"], Reservation)
    refused = results["second"]
    if second == "buyer":
        assert isinstance(refused, InsufficientStockError)
        assert refused.message == "WOOL-JACKET-M is sold out"
    else:
        assert "Only 0 of WOOL-JACKET-M in sto can be taken away" in refused.message
    row = Stock.objects.get(variant_id=jacket)
    assert (row.on_hand, row.reserved) == (1, 1)
    assert_ledger_balances()
