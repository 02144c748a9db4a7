"""Errors of cart and checkout; messages are safe to show to shoppers."""

from __future__ import annotations

from storeteam.core.errors import DomainError


class CheckoutError(DomainError):
    """The cart or checkout cannot do this; nothing was written."""


class CartLineError(CheckoutError):
    """The line cannot be put in the cart as asked."""

    code = "cart_line"


class CheckoutInputError(CheckoutError):
    """Details of the checkout are missing or wrong; ``problems`` says which, by field."""

    code = "invalid_checkout"

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{field}: {message}" for field, message in problems.items()))


class CartChangedError(CheckoutError):
    """The cart changed since the checkout was opened (in another tab?): check it and place
    the order again."""

    code = "cart_changed"


class CartEmptyError(CheckoutError):
    """The cart is empty."""

    code = "cart_empty"
