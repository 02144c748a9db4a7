"""Events inventory publishes."""

from __future__ import annotations

from dataclasses import dataclass

from storeteam.core.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class StockLevelsChanged(DomainEvent):
    """The salable quantity of these variants may have changed (a receipt, a reservation, a
    shipment ...). The storefront refreshes their availability from it."""

    variant_ids: list[int]


@dataclass(frozen=True, kw_only=True)
class StockLow(DomainEvent):
    """A variant's salable quantity in one warehouse fell to or below its low-stock threshold
    (I4). Published once per crossing: not again until it has risen above the threshold."""

    variant_id: int
    sku: str
    warehouse_code: str
    salable: int
    threshold: int
