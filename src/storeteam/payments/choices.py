"""The payment's states and the transitions between them (S10): one table, used by the services
and by the webhook handling, so a late or repeated message can never move a payment backwards."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentState(models.TextChoices):
    CREATED = "created", _("Created")
    REQUIRES_ACTION = "requires_action", _("Waiting for the shopper")
    AUTHORISED = "authorised", _("Authorised")
    CAPTURED = "captured", _("Captured")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
    REFUNDED = "refunded", _("Refunded")
    FAILED = "failed", _("Failed")
    VOIDED = "voided", _("Voided")


S = PaymentState

# Where a payment may go from each state. Moves skip steps when the provider's messages arrive
# out of order (a capture heard of before the authorisation); they never go back.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.CREATED: frozenset({S.REQUIRES_ACTION, S.AUTHORISED, S.CAPTURED, S.FAILED, S.VOIDED}),
    S.REQUIRES_ACTION: frozenset({S.AUTHORISED, S.CAPTURED, S.FAILED, S.VOIDED}),
    S.AUTHORISED: frozenset({S.CAPTURED, S.VOIDED}),
    S.CAPTURED: frozenset({S.PARTIALLY_REFUNDED, S.REFUNDED}),
    S.PARTIALLY_REFUNDED: frozenset({S.PARTIALLY_REFUNDED, S.REFUNDED}),
    S.REFUNDED: frozenset(),
    S.FAILED: frozenset(),
    S.VOIDED: frozenset(),
}

# States the store still waits on the provider or the shopper in; the reconciliation job looks
# at payments that stay in them too long.
IN_BETWEEN = frozenset({S.CREATED, S.REQUIRES_ACTION, S.AUTHORISED})
CAPTURED_STATES = frozenset({S.CAPTURED, S.PARTIALLY_REFUNDED, S.REFUNDED})


def can_move(from_state: str, to_state: str) -> bool:
    return to_state in TRANSITIONS.get(from_state, frozenset())


class Operation(models.TextChoices):
    AUTHORISE = "authorise", _("Authorise")
    CAPTURE = "capture", _("Capture")
    VOID = "void", _("Void")
    REFUND = "refund", _("Refund")
    RETRIEVE = "retrieve", _("Look up")


class AttemptOutcome(models.TextChoices):
    # Recorded before the call; still "pending" afterwards means the worker stopped mid-call.
    PENDING = "pending", _("In progress")
    SUCCEEDED = "succeeded", _("Succeeded")
    REQUIRES_ACTION = "requires_action", _("Waiting for the shopper")
    DECLINED = "declined", _("Declined")
    # The provider could not be reached or its answer was lost: the effect may or may not exist.
    UNKNOWN = "unknown", _("Unknown")
    # A pending or unknown attempt whose effect the reconciliation job found out.
    RECONCILED = "reconciled", _("Reconciled")


class RefundState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class WebhookOutcome(models.TextChoices):
    APPLIED = "applied", _("Applied")
    STALE = "stale", _("Older than what is known")
    IGNORED = "ignored", _("Ignored")
    UNKNOWN_PAYMENT = "unknown_payment", _("Unknown payment")
