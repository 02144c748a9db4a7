"""Payment errors: each a rule of the store broken by a request, with a message safe to show."""

from __future__ import annotations

from storeteam.core.errors import DomainError, NotFoundError


class PaymentError(DomainError):
    """The payment request cannot be done."""

    code = "payment_error"


class PaymentInputError(PaymentError):
    """The payment request is incomplete or malformed; nothing was written."""

    code = "payment_input"


class PaymentNotFoundError(NotFoundError):
    """There is no such payment."""


class PaymentStateError(PaymentError):
    """The payment is not in a state that allows this."""

    code = "payment_state"


class PaymentRefusedError(PaymentError):
    """The payment provider refused the request; nothing changed."""

    code = "payment_refused"


class PaymentOutcomeUnknownError(PaymentError):
    """The provider's answer was lost; the reconciliation job will find out what happened."""

    code = "payment_outcome_unknown"


class IdempotencyKeyReusedError(PaymentError):
    """The idempotency key was already used for a different request."""

    code = "idempotency_key_reused"


class RefundTooLargeError(PaymentError):
    """The refund is more than what is left to refund."""

    code = "refund_too_large"
