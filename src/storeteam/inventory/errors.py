"""Errors of the inventory domain; messages are safe to show to staff and shoppers."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from storeteam.core.errors import DomainError


class StockError(DomainError):
    """The stock change cannot be made as asked; nothing was written."""


@dataclass(frozen=True)
class Shortage:
    variant_id: int
    sku: str
    requested: int
    available: int


class InsufficientStockError(StockError):
    """Not enough salable stock for one or more lines; nothing was reserved or allocated."""

    code = "insufficient_stock"

    def __init__(self, shortages: list[Shortage]) -> None:
        self.shortages = shortages
        parts = [
            ngettext(
                "%(sku)s: only %(available)d is available (%(requested)d asked for)",
                "%(sku)s: only %(available)d are available (%(requested)d asked for)",
                s.available,
            )
            % {"sku": s.sku, "available": s.available, "requested": s.requested}
            if s.available
            else _("%(sku)s is sold out") % {"sku": s.sku}
            for s in shortages
        ]
        super().__init__("; ".join(parts))


class ReservationConflictError(StockError):
    """This reservation key was already used for different lines or another country."""

    code = "reservation_conflict"


class ReservationNotActiveError(StockError):
    """The reservation is no longer active (released, expired or already allocated)."""

    code = "reservation_not_active"
