"""What orders tell the other teams, through the outbox (I3). The warehouse (issue F1), customer
service, marketing and analytics react to these; every change of state publishes exactly one."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from storeteam.core.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class OrderEvent(DomainEvent):
    order_id: int
    number: str
    status: str
    from_status: str = ""


@dataclass(frozen=True, kw_only=True)
class OrderPlaced(OrderEvent):
    """A shopper's checkout became an order. ``lines`` are dicts of sku, variant_id, quantity,
    unit_price; the confirmation email is sent from this."""

    email: str
    language: str
    country: str
    currency: str
    total: Decimal
    customer_id: int | None = None
    lines: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class OrderPaid(OrderEvent):
    """The order's payment was taken."""


@dataclass(frozen=True, kw_only=True)
class OrderAllocated(OrderEvent):
    """Every line is promised stock in a warehouse; the warehouse can pick it."""


@dataclass(frozen=True, kw_only=True)
class OrderShipped(OrderEvent):
    """Some (``partly_shipped``) or all (``shipped``) of the order left the warehouse."""


@dataclass(frozen=True, kw_only=True)
class OrderDelivered(OrderEvent):
    """The carrier delivered the order."""


@dataclass(frozen=True, kw_only=True)
class OrderCancelled(OrderEvent):
    reason: str


@dataclass(frozen=True, kw_only=True)
class OrderRefunded(OrderEvent):
    """Money went back to the customer: ``amount`` this time, ``refunded_total`` so far.
    ``status`` is ``refunded`` when all of it went back, else the order's unchanged state."""

    amount: Decimal
    refunded_total: Decimal
    currency: str
