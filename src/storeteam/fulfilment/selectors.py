"""Reads for the logistics manager's workspace: open work per warehouse, oldest ship-by first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, Count, IntegerField, Min, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from storeteam.fulfilment.models import (
    ACTIVE,
    PackingStation,
    PickList,
    PrintJob,
    PrintStatus,
    Shipment,
    ShipmentStatus,
)


def open_work(*, warehouse_id: int | None = None) -> QuerySet[Shipment]:
    """Parcels still to pick, pack or ship, oldest ship-by first, with their units to ship
    (``units``) and packed (``units_packed``)."""
    shipments = (
        Shipment.objects.filter(status__in=ACTIVE)
        .select_related("order", "warehouse", "pick_list")
        .annotate(units=Sum("lines__quantity"), units_packed=Sum("lines__packed"))
    )
    if warehouse_id is not None:
        shipments = shipments.filter(warehouse_id=warehouse_id)
    return shipments.order_by("ship_by", "id")


@dataclass(frozen=True)
class WarehouseWork:
    warehouse_id: int
    code: str
    name: str
    to_pick: int
    picking: int
    packed: int
    late: int
    oldest_ship_by: datetime | None


def work_by_warehouse(*, now: datetime | None = None) -> list[WarehouseWork]:
    """How much open work each warehouse has, and how much of it is already late."""
    now = now or timezone.now()
    rows = (
        Shipment.objects.filter(status__in=ACTIVE)
        .values("warehouse_id", "warehouse__code", "warehouse__name")
        .annotate(
            to_pick=Count("id", filter=Q(status=ShipmentStatus.OPEN)),
            picking=Count("id", filter=Q(status=ShipmentStatus.PICKING)),
            packed=Count("id", filter=Q(status=ShipmentStatus.PACKED)),
            late=Count("id", filter=Q(ship_by__lt=now)),
            oldest=Min("ship_by"),
        )
        .order_by("warehouse__code")
    )
    return [
        WarehouseWork(
            warehouse_id=row["warehouse_id"],
            code=row["warehouse__code"],
            name=row["warehouse__name"],
            to_pick=row["to_pick"],
            picking=row["picking"],
            packed=row["packed"],
            late=row["late"],
            oldest_ship_by=row["oldest"],
        )
        for row in rows
    ]


def shipment_for_packing(shipment_id: int) -> Shipment | None:
    """One parcel with its order and warehouse (its lines and print jobs are read after)."""
    return (
        Shipment.objects.select_related("order", "warehouse", "pick_list")
        .filter(pk=shipment_id)
        .first()
    )


def pick_lists_open(*, warehouse_id: int) -> QuerySet[PickList]:
    """The warehouse's pick lists with parcels still being picked, newest first."""
    return (
        PickList.objects.filter(warehouse_id=warehouse_id, shipments__status=ShipmentStatus.PICKING)
        .annotate(parcels=Count("shipments"))
        .order_by("-created_at", "-id")
    )


def packing_stations(*, warehouse_id: int | None = None) -> QuerySet[PackingStation]:
    """Active packing stations, of one warehouse or all."""
    stations = PackingStation.objects.filter(is_active=True).select_related("warehouse")
    if warehouse_id is not None:
        stations = stations.filter(warehouse_id=warehouse_id)
    return stations


def print_jobs_list(*, station_id: int, limit: int = 100) -> Sequence[PrintJob]:
    """A station's jobs: those waiting for a person first, then the queue in sending order,
    then the most recently printed. The documents' bytes are not read."""
    needs_person = (PrintStatus.UNCERTAIN, PrintStatus.FAILED)
    waiting = (PrintStatus.SENDING, PrintStatus.QUEUED)
    jobs = (
        PrintJob.objects.filter(station_id=station_id)
        .defer("content")
        .select_related("shipment__order")
        .annotate(
            rank=Case(
                When(status__in=needs_person, then=Value(0)),
                When(status__in=waiting, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
    )
    open_jobs = list(jobs.filter(rank__lt=2).order_by("rank", "created_at", "id")[:limit])
    done = list(
        jobs.filter(rank=2).order_by("-printed_at", "-id")[: max(limit - len(open_jobs), 20)]
    )
    return open_jobs + done


def print_jobs_of(*, shipment_id: int) -> QuerySet[PrintJob]:
    """The documents queued for one parcel, without their bytes."""
    return (
        PrintJob.objects.filter(shipment_id=shipment_id)
        .defer("content")
        .select_related("station")
        .order_by("created_at", "id")
    )
