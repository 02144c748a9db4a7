"""What payments tell the other teams (S10), through the outbox. Checkout and orders react to
these later; the payment is named by its ``reference`` (the checkout or order key)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from storeteam.core.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class PaymentEvent(DomainEvent):
    """Base of the payment events: which payment, for what, of how much."""

    payment_id: int
    reference: str
    gateway: str
    amount: Decimal
    currency: str


@dataclass(frozen=True, kw_only=True)
class PaymentActionRequired(PaymentEvent):
    """The provider waits for the shopper to confirm (3-D Secure)."""


@dataclass(frozen=True, kw_only=True)
class PaymentAuthorised(PaymentEvent):
    """The amount is reserved on the shopper's means of payment."""


@dataclass(frozen=True, kw_only=True)
class PaymentCaptured(PaymentEvent):
    """The money was taken."""

    captured_amount: Decimal


@dataclass(frozen=True, kw_only=True)
class PaymentFailed(PaymentEvent):
    """The payment was declined or could not be confirmed; nothing was taken."""

    reason: str


@dataclass(frozen=True, kw_only=True)
class PaymentVoided(PaymentEvent):
    """The authorisation was released; nothing was taken."""


@dataclass(frozen=True, kw_only=True)
class PaymentRefunded(PaymentEvent):
    """Money was given back: ``refunded_amount`` this time, ``total_refunded`` so far."""

    refund_id: int
    refunded_amount: Decimal
    total_refunded: Decimal


@dataclass(frozen=True, kw_only=True)
class PaymentNeedsAttention(PaymentEvent):
    """The reconciliation job could not settle the payment alone; staff must look at it."""

    reason: str
