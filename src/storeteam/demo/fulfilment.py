"""Demo packing stations (F2): one per demo warehouse, two in Stockholm (the playbook's story of
the label printer that cannot keep up: two stations printing 120 labels an hour each). Their
printers are directories, ``var/prints/<station>/``, where each label and slip lands as a file
the moment a worker sends it. Idempotent: running the demo again sets them to these values."""

from __future__ import annotations

from datetime import time, timedelta

from django.utils import timezone

from storeteam.demo.inventory import WAREHOUSES
from storeteam.fulfilment.capacity import (
    expected_orders_add,
    same_day_cutoff_set,
    shifts_set,
)
from storeteam.fulfilment.models import ExpectedOrders, LabelFormat, PackingStation, Shift
from storeteam.fulfilment.printing import packing_station_ensure
from storeteam.inventory.models import Warehouse

STATIONS = (
    # warehouse code, station code, name, labels per hour, label format
    ("sto", "sto-1", "Stockholm packing 1", 120, LabelFormat.ZPL),
    ("sto", "sto-2", "Stockholm packing 2", 120, LabelFormat.PDF),
    ("lyon", "lyon-1", "Lyon packing 1", 90, LabelFormat.PDF),
    ("tilburg", "tilburg-1", "Tilburg packing 1", 100, LabelFormat.ZPL),
)


def demo_stations_ensure() -> list[PackingStation]:
    """The demo's packing stations, each printing into ``var/prints/<station code>/``."""
    known = {code for code, *_rest in WAREHOUSES}
    warehouses = {w.code: w for w in Warehouse.objects.filter(code__in=known)}
    return [
        packing_station_ensure(
            warehouse=warehouses[warehouse],
            code=code,
            name=name,
            printer=f"dir:prints/{code}",
            labels_per_hour=per_hour,
            label_format=label_format,
        )
        for warehouse, code, name, per_hour, label_format in STATIONS
        if warehouse in warehouses
    ]


# warehouse code -> (first shift, second shift, orders packed per hour in each), Monday to Saturday
SHIFTS = {
    "sto": ((time(7, 0), time(15, 0), 60), (time(15, 0), time(22, 0), 40)),
    "lyon": ((time(8, 0), time(17, 0), 45), None),
    "tilburg": ((time(6, 0), time(14, 0), 50), (time(14, 0), time(22, 0), 50)),
}


def demo_shifts_ensure() -> int:
    """The demo warehouses' packing shifts (F3), so the logistics workspace projects today's
    backlog against a real capacity. Idempotent. Returns how many warehouses have shifts."""
    warehouses = {w.code: w for w in Warehouse.objects.filter(code__in=SHIFTS)}
    for code, shifts in SHIFTS.items():
        if code not in warehouses:
            continue
        first, second = shifts
        shifts_set(
            warehouse=warehouses[code],
            weekdays=list(range(6)),
            starts=first[0],
            ends=first[1],
            orders_per_hour=first[2],
        )
        if second is not None:
            Shift.objects.bulk_create(
                [
                    Shift(
                        warehouse=warehouses[code],
                        weekday=day,
                        starts_at=second[0],
                        ends_at=second[1],
                        orders_per_hour=second[2],
                    )
                    for day in range(6)
                ]
            )
    return len(warehouses)


# warehouse code -> same-day cut-off: orders placed before it leave that day
CUTOFFS = {"sto": time(15, 0), "tilburg": time(14, 0)}
FORECAST_SOURCE = "Demo: winter sale newsletter"


def demo_capacity_plans_ensure() -> int:
    """Same-day cut-offs, and a campaign's forecast for Stockholm: 300 more orders over the three
    hours from now, so the capacity projection has the playbook's campaign to weigh. Idempotent
    (the demo's forecast is replaced). Returns how many forecasts there are."""
    warehouses = {w.code: w for w in Warehouse.objects.filter(code__in=CUTOFFS)}
    for code, until in CUTOFFS.items():
        if code in warehouses:
            same_day_cutoff_set(warehouse=warehouses[code], until=until, actor=None)
    ExpectedOrders.objects.filter(source=FORECAST_SOURCE).delete()
    if "sto" not in warehouses:
        return 0
    now = timezone.now()
    expected_orders_add(
        warehouse=warehouses["sto"],
        orders=300,
        starts_at=now,
        ends_at=now + timedelta(hours=3),
        source=FORECAST_SOURCE,
        actor=None,
    )
    return 1
