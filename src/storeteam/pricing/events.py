"""Events pricing publishes."""

from __future__ import annotations

from dataclasses import dataclass

from storeteam.core.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class PricesChanged(DomainEvent):
    """Prices of these products' variants changed in some price list."""

    product_ids: list[int]
