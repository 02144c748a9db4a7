"""What fulfilment tells the other teams."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from storeteam.core.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class ShipmentShipped(DomainEvent):
    """A parcel left the warehouse with a carrier; customer service and the customer's tracking
    page use the tracking number."""

    shipment_id: int
    order_id: int
    order_number: str
    warehouse_code: str
    carrier: str
    service: str
    tracking_number: str


@dataclass(frozen=True, kw_only=True)
class CapacityShortfallProjected(DomainEvent):
    """A warehouse will not pack all parcels due today before its last shift ends (F3, G3):
    ``shortfall`` parcels short. Marketing's guard reads this before a campaign starts."""

    warehouse_code: str
    day: str
    due: int
    capacity: int
    shortfall: int
    deadline: datetime
    expected: int = 0  # of ``due``, orders forecast still to arrive before the same-day cut-off
    station_hours_needed: Decimal | None = None
