"""Demo packing stations (F2): one per demo warehouse, two in Stockholm (the playbook's story of
the label printer that cannot keep up: two stations printing 120 labels an hour each). Their
printers are directories, ``var/prints/<station>/``, where each label and slip lands as a file
the moment a worker sends it. Idempotent: running the demo again sets them to these values."""

from __future__ import annotations

from storeteam.demo.inventory import WAREHOUSES
from storeteam.fulfilment.models import LabelFormat, PackingStation
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
