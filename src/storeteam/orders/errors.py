"""Errors of the orders domain; messages are safe to show to staff and shoppers."""

from __future__ import annotations

from storeteam.core.errors import DomainError, NotFoundError


class OrderError(DomainError):
    """The order cannot be changed as asked; nothing was written."""


class OrderNotFoundError(NotFoundError):
    """There is no such order, or it is not yours to see."""


class OrderStateError(OrderError):
    """The order is not in a state that allows this."""

    code = "order_state"
