"""The order's states and the moves between them (I3, S10): one table, used by every service that
changes an order, so an order never skips backwards or leaves a final state."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("Placed")
    PAID = "paid", _("Paid")
    ALLOCATED = "allocated", _("Allocated")
    PARTLY_SHIPPED = "partly_shipped", _("Partly shipped")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")


S = OrderStatus

# placed -> paid -> allocated -> partly shipped -> shipped -> delivered; an order can be cancelled
# until it leaves the warehouse, and refunded once paid (in full: ``refunded``; a partial refund
# is recorded on the order without changing its state).
TRANSITIONS: dict[str, frozenset[str]] = {
    S.PLACED: frozenset({S.PAID, S.CANCELLED}),
    S.PAID: frozenset({S.ALLOCATED, S.CANCELLED, S.REFUNDED}),
    S.ALLOCATED: frozenset({S.PARTLY_SHIPPED, S.SHIPPED, S.CANCELLED, S.REFUNDED}),
    S.PARTLY_SHIPPED: frozenset({S.PARTLY_SHIPPED, S.SHIPPED, S.REFUNDED}),
    S.SHIPPED: frozenset({S.DELIVERED, S.REFUNDED}),
    S.DELIVERED: frozenset({S.REFUNDED}),
    S.CANCELLED: frozenset({S.REFUNDED}),
    S.REFUNDED: frozenset(),
}

# States in which the order can still be cancelled: nothing has left a warehouse.
CANCELLABLE = frozenset({S.PLACED, S.PAID, S.ALLOCATED})
# States in which the customer still waits for goods (the account shows them as open).
OPEN = frozenset({S.PLACED, S.PAID, S.ALLOCATED, S.PARTLY_SHIPPED})
