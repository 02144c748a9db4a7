"""Several workers drain one station's queue at once, each on its own database connection: the
conditional UPDATE that claims a job lets exactly one of them send it (F2: no label twice). Runs
on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from storeteam.fulfilment.models import PrintJob, PrintKind, PrintStatus
from storeteam.fulfilment.printing import (
    QueueRun,
    packing_station_ensure,
    print_enqueue,
    print_queue_run,
)
from tests.checkout.fixtures import build_shop
from tests.fulfilment.fixtures import RawPrinter, shipped_parcel
from tests.inventory.test_concurrency import run_in_threads

pytestmark = pytest.mark.django_db(transaction=True)

WORKERS = 4
COPIES = 16


@pytest.fixture
def printer() -> Iterator[RawPrinter]:
    server = RawPrinter()
    yield server
    server.stop()


def test_workers_racing_for_one_queue_print_every_label_once(
    deliver_events: Any, printer: RawPrinter
) -> None:
    shop = build_shop(deliver_events)
    station = packing_station_ensure(
        warehouse=shop.place.se, code="sto-1", name="Stockholm 1", printer=printer.address
    )
    parcel = shipped_parcel(shop, deliver_events, tracking="PN7777SE")
    print_enqueue(shipment_id=parcel.pk, station_id=station.pk, kinds=[PrintKind.LABEL_ZPL])
    for _ in range(COPIES - 1):
        print_enqueue(
            shipment_id=parcel.pk,
            station_id=station.pk,
            kinds=[PrintKind.LABEL_ZPL],
            reprint=True,
            actor="lead@store.example",
        )

    results = run_in_threads(
        {f"worker-{n}": lambda: print_queue_run(station_id=station.pk) for n in range(WORKERS)}
    )

    assert all(isinstance(run, QueueRun) for run in results.values()), results
    assert sum(run.printed for run in results.values()) == COPIES
    assert len(printer.received) == COPIES
    jobs = PrintJob.objects.all()
    assert {(job.status, job.attempts) for job in jobs} == {(PrintStatus.PRINTED, 1)}
    assert sorted(job.copy for job in jobs) == list(range(1, COPIES + 1))
