"""How fulfilment reacts to orders: an allocated order becomes the warehouses' work (through
the outbox, so none is lost while a warehouse side is down, G4), a cancelled one leaves it."""

from __future__ import annotations

from storeteam.core.events import Envelope, event_handler
from storeteam.fulfilment.services import shipments_cancel_for_order, shipments_create_for_order
from storeteam.orders.events import OrderAllocated, OrderCancelled


@event_handler(OrderAllocated, name="fulfilment.open_shipments")
def open_shipments(event: OrderAllocated, envelope: Envelope) -> None:
    shipments_create_for_order(order_id=event.order_id)


@event_handler(OrderCancelled, name="fulfilment.cancel_shipments")
def cancel_shipments(event: OrderCancelled, envelope: Envelope) -> None:
    shipments_cancel_for_order(order_id=event.order_id)
