"""How fulfilment reacts to orders: an allocated order becomes the warehouses' work (through
the outbox, so none is lost while a warehouse side is down, G4), a cancelled one leaves it."""

from __future__ import annotations

from storeteam.core.events import Envelope, event_handler
from storeteam.fulfilment.events import ShipmentShipped
from storeteam.fulfilment.services import shipments_cancel_for_order, shipments_create_for_order
from storeteam.fulfilment.tracking import notify_delivered, notify_shipped
from storeteam.orders.events import OrderAllocated, OrderCancelled, OrderDelivered


@event_handler(OrderAllocated, name="fulfilment.open_shipments")
def open_shipments(event: OrderAllocated, envelope: Envelope) -> None:
    shipments_create_for_order(order_id=event.order_id)


@event_handler(OrderCancelled, name="fulfilment.cancel_shipments")
def cancel_shipments(event: OrderCancelled, envelope: Envelope) -> None:
    shipments_cancel_for_order(order_id=event.order_id)


@event_handler(ShipmentShipped, name="fulfilment.email_shipped")
def email_shipped(event: ShipmentShipped, envelope: Envelope) -> None:
    notify_shipped(shipment_id=event.shipment_id)


@event_handler(OrderDelivered, name="fulfilment.email_delivered")
def email_delivered(event: OrderDelivered, envelope: Envelope) -> None:
    notify_delivered(order_id=event.order_id)
