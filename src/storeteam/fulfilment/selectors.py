"""Reads for the logistics manager's workspace: open work per warehouse, oldest ship-by first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from storeteam.fulfilment.models import ACTIVE, Shipment, ShipmentStatus


def open_work(*, warehouse_id: int | None = None) -> QuerySet[Shipment]:
    """Parcels still to pick, pack or ship, oldest ship-by first."""
    shipments = Shipment.objects.filter(status__in=ACTIVE).select_related("order", "warehouse")
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
