"""What returns tell the other teams (customer service, finance, analytics)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from storeteam.core.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class ReturnRequested(DomainEvent):
    return_id: int
    order_id: int
    requested_by: str


@dataclass(frozen=True, kw_only=True)
class ReturnDecided(DomainEvent):
    return_id: int
    order_id: int
    approved: bool
    note: str


@dataclass(frozen=True, kw_only=True)
class ReturnReceived(DomainEvent):
    return_id: int
    order_id: int


@dataclass(frozen=True, kw_only=True)
class ReturnRefunded(DomainEvent):
    return_id: int
    order_id: int
    amount: Decimal
    currency: str
