"""What fulfilment tells the other teams."""

from __future__ import annotations

from dataclasses import dataclass

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
