"""The payment gateway interface (S10): what the store asks of any payment provider.

Every call that changes something takes an idempotency key, which the gateway hands to the
provider: the provider answers a repeated key with its first answer instead of acting twice. The
gateway answers in provider-neutral terms (``GatewayResult``) and raises only two errors:
``GatewayRefusedError`` when the provider definitely did nothing (unknown charge, already
captured, bad request) and ``GatewayUnavailableError`` when nobody knows whether it acted (a
timeout, a lost connection, a 5xx answer). A decline is an answer, not an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from django.utils.translation import gettext_lazy as _

from storeteam.core.errors import DomainError

# Provider-neutral statuses of a payment at the provider.
REQUIRES_ACTION = "requires_action"
AUTHORISED = "authorised"
CAPTURED = "captured"
VOIDED = "voided"
FAILED = "failed"
PAYMENT_STATUSES = frozenset({REQUIRES_ACTION, AUTHORISED, CAPTURED, VOIDED, FAILED})

# Statuses of a refund at the provider.
REFUND_SUCCEEDED = "succeeded"
REFUND_PENDING = "pending"
REFUND_FAILED = "failed"


class UnknownGatewayError(DomainError):
    """No payment gateway of that name is configured."""

    code = "unknown_gateway"

    def __init__(self, gateway: str) -> None:
        super().__init__(str(_("No payment gateway named “%(name)s”.") % {"name": gateway}))


class GatewayRefusedError(Exception):
    """The provider refused the request and did nothing (e.g. capture of an unknown charge)."""

    def __init__(self, message: str, *, code: str = "refused") -> None:
        super().__init__(message)
        self.code = code


class GatewayUnavailableError(Exception):
    """The provider could not be reached or its answer was lost: the effect is unknown."""


class WebhookSignatureError(DomainError):
    """The webhook's signature is missing, wrong or too old."""

    code = "bad_signature"


@dataclass(frozen=True)
class GatewayResult:
    """Where a payment stands at the provider after a call (or a look-up)."""

    status: str
    provider_id: str
    amount_minor: int = 0
    captured_minor: int = 0
    refunded_minor: int = 0
    decline_code: str = ""
    message: str = ""
    method_summary: str = ""
    raw: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status not in PAYMENT_STATUSES:
            raise ValueError(f"unknown payment status {self.status!r}")


@dataclass(frozen=True)
class RefundResult:
    status: str
    provider_refund_id: str
    amount_minor: int
    message: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class WebhookMessage:
    """A verified message from the provider about one payment.

    ``store_payment_id`` comes from the metadata the store sent with the authorisation, so a
    message is matched even when the provider's answer to the authorisation was lost.
    ``created_at`` and ``sequence`` order one payment's messages as the provider made them.
    """

    event_id: str
    event_type: str
    provider_payment_id: str
    status: str | None
    created_at: datetime
    sequence: int
    captured_minor: int = 0
    refunded_minor: int = 0
    decline_code: str = ""
    store_payment_id: int | None = None
    payload: dict[str, Any] = field(default_factory=dict)


class PaymentGateway(Protocol):
    """A payment provider as the store sees it. Implementations: ``testgateway.TestGateway``,
    ``stripe.StripeGateway``. Calls are made outside any database transaction of the store's."""

    code: str

    def authorise(
        self,
        *,
        amount_minor: int,
        currency: str,
        method: Mapping[str, str],
        reference: str,
        store_payment_id: int,
        idempotency_key: str,
        capture: bool = False,
    ) -> GatewayResult:
        """Reserve the amount on the shopper's means of payment (or ask the shopper to confirm).

        With ``capture`` the provider takes the whole amount as soon as it is authorised (a
        "sale"): at once (``CAPTURED``), or when the shopper confirms a payment that required
        action (the confirmation is then reported as ``CAPTURED``, not ``AUTHORISED``)."""
        ...

    def capture(
        self, *, provider_id: str, amount_minor: int, idempotency_key: str
    ) -> GatewayResult:
        """Take the authorised amount (or part of it)."""
        ...

    def void(self, *, provider_id: str, idempotency_key: str) -> GatewayResult:
        """Release an authorisation that will not be captured."""
        ...

    def refund(
        self, *, provider_id: str, amount_minor: int, reason: str, idempotency_key: str
    ) -> RefundResult:
        """Give back part or all of a captured amount."""
        ...

    def retrieve(self, *, provider_id: str, store_payment_id: int) -> GatewayResult | None:
        """Where the payment stands at the provider now: by the provider's id when known, else by
        the store's payment id in its metadata. None when the provider never heard of it."""
        ...

    def webhook_parse(self, *, headers: Mapping[str, str], body: bytes) -> WebhookMessage | None:
        """Verify the message's signature (``WebhookSignatureError`` when it fails) and read it.
        None for a verified message about something other than a payment."""
        ...
