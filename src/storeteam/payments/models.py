"""Payments (S10): what the store asked a payment provider to do, what it answered, and where each
payment stands.

A payment pays for an opaque ``reference`` (the future checkout or order key), so payments depend on
no higher domain. Amounts are exact decimals with a currency code (ADR 0001). The invariants that
money depends on are CHECK constraints as well as rules in the services (ADR 0007): a payment never
captures more than it authorised, and refunds never exceed what was captured.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from storeteam.core.money import Money
from storeteam.payments.choices import (
    AttemptOutcome,
    Operation,
    PaymentState,
    RefundState,
    WebhookOutcome,
)

ZERO = Decimal("0")


class Payment(models.Model):
    """One payment of one amount for one reference, through one gateway."""

    reference = models.CharField(max_length=100, db_index=True)
    gateway = models.CharField(max_length=30)
    # The provider's id for the payment (a PaymentIntent id, a test-gateway charge id); empty until
    # the provider answered.
    provider_id = models.CharField(max_length=100, blank=True, default="")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    state = models.CharField(
        max_length=20, choices=PaymentState.choices, default=PaymentState.CREATED
    )
    captured_amount = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    refunded_amount = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    # Refunds asked of the provider and not yet answered; counted against the captured amount so
    # two refunds at once can never together exceed it.
    refund_pending_amount = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    method_summary = models.CharField(max_length=60, blank=True, default="")
    failure_reason = models.CharField(max_length=200, blank=True, default="")
    # The capture or void being asked of the provider right now (claimed by a conditional UPDATE
    # before the call, cleared when its result is applied), so two of them never run at once.
    operation_in_flight = models.CharField(max_length=20, blank=True, default="")
    needs_attention = models.BooleanField(default=False)
    attention_reason = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(captured_amount__gte=0) & Q(captured_amount__lte=F("amount")),
                name="payment_captured_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0) & Q(refund_pending_amount__gte=0),
                name="payment_refunds_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(refunded_amount__lte=F("captured_amount") - F("refund_pending_amount")),
                name="payment_refunds_within_captured",
            ),
            models.UniqueConstraint(
                fields=["gateway", "provider_id"],
                condition=~Q(provider_id=""),
                name="payment_one_row_per_provider_id",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "updated_at"], name="payment_by_state"),
            models.Index(fields=["needs_attention"], name="payment_attention"),
        ]
        permissions = [
            ("view_payments", _("Can see payments, their attempts and refunds")),
            ("refund_payments", _("Can refund payments")),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount} {self.currency} ({self.state})"

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)

    @property
    def refundable(self) -> Money:
        """What may still be refunded: captured, less refunded and refunds in flight."""
        return Money(
            self.captured_amount - self.refunded_amount - self.refund_pending_amount,
            self.currency,
        )


class PaymentTransition(models.Model):
    """Every change of a payment's state: from, to, why and when."""

    class Source(models.TextChoices):
        STORE = "store", _("The store's request")
        WEBHOOK = "webhook", _("Provider's message")
        RECONCILIATION = "reconciliation", _("Reconciliation")

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=20, choices=PaymentState.choices)
    to_state = models.CharField(max_length=20, choices=PaymentState.choices)
    source = models.CharField(max_length=20, choices=Source.choices)
    detail = models.CharField(max_length=300, blank=True, default="")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.payment_id}: {self.from_state} → {self.to_state}"


class Refund(models.Model):
    """Money given back on a captured payment, in part or in full."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    reason = models.CharField(max_length=300)
    state = models.CharField(
        max_length=20, choices=RefundState.choices, default=RefundState.PENDING
    )
    provider_refund_id = models.CharField(max_length=100, blank=True, default="")
    idempotency_key = models.CharField(max_length=200, unique=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, default="system")
    failure_reason = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"refund {self.amount} of payment {self.payment_id} ({self.state})"


class PaymentAttempt(models.Model):
    """One call to a payment provider: recorded before the call, completed after it.

    The idempotency key is unique: the first result recorded for a key is the result, and a retry
    with the same key is answered from here without calling the provider again.
    """

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="attempts")
    refund = models.ForeignKey(
        Refund, null=True, blank=True, on_delete=models.CASCADE, related_name="attempts"
    )
    operation = models.CharField(max_length=20, choices=Operation.choices)
    idempotency_key = models.CharField(max_length=200, unique=True)
    request = models.JSONField(default=dict)
    outcome = models.CharField(
        max_length=20, choices=AttemptOutcome.choices, default=AttemptOutcome.PENDING
    )
    response = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True, default="")
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        indexes = [models.Index(fields=["outcome", "started_at"], name="attempt_by_outcome")]

    def __str__(self) -> str:
        return f"{self.operation} {self.idempotency_key} ({self.outcome})"


class WebhookEvent(models.Model):
    """A message from a provider, kept once per provider event id (providers send them again)."""

    provider = models.CharField(max_length=30)
    event_id = models.CharField(max_length=200)
    event_type = models.CharField(max_length=100)
    provider_payment_id = models.CharField(max_length=100, blank=True, default="")
    payload = models.JSONField(default=dict)
    # When the provider made the event; with ``sequence`` it orders a payment's events.
    provider_created_at = models.DateTimeField(null=True, blank=True)
    sequence = models.BigIntegerField(default=0)
    received_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=WebhookOutcome.choices, blank=True)
    detail = models.CharField(max_length=300, blank=True, default="")
    duplicates = models.PositiveIntegerField(default=0)
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.SET_NULL, related_name="webhook_events"
    )

    class Meta:
        ordering = ["received_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], name="webhook_event_once_per_provider"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id} {self.event_type}"


# --- the built-in test gateway's provider side ------------------------------------------------
# The test gateway stands in for a real provider, so it keeps its own books the way a provider
# does: these tables are the provider's, written only by storeteam.payments.gateways.testgateway.


class SandboxCharge(models.Model):
    """A charge as the test gateway's provider side knows it."""

    id = models.CharField(primary_key=True, max_length=40)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    card_last4 = models.CharField(max_length=4)
    state = models.CharField(max_length=20)
    captured_minor = models.BigIntegerField(default=0)
    refunded_minor = models.BigIntegerField(default=0)
    decline_code = models.CharField(max_length=40, blank=True, default="")
    metadata = models.JSONField(default=dict)
    event_sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(captured_minor__lte=F("amount_minor"))
                & Q(refunded_minor__lte=F("captured_minor")),
                name="sandbox_charge_within_amount",
            )
        ]

    def __str__(self) -> str:
        return f"{self.id} ({self.state})"


class SandboxRequest(models.Model):
    """Every request the test gateway's provider side received, with the answer it gave. Its
    idempotency key is unique: a repeated key gets the first answer, as at a real provider."""

    idempotency_key = models.CharField(max_length=200, unique=True)
    operation = models.CharField(max_length=20)
    charge_id = models.CharField(max_length=40, blank=True, default="")
    response = models.JSONField(default=dict)
    replays = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.operation} {self.idempotency_key}"


class SandboxWebhook(models.Model):
    """A message the test gateway's provider side has to send to the store."""

    event_id = models.CharField(max_length=40, unique=True)
    charge = models.ForeignKey(SandboxCharge, on_delete=models.CASCADE, related_name="webhooks")
    event_type = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    sequence = models.PositiveIntegerField()
    created_at = models.DateTimeField()
    sent_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "sequence"]

    def __str__(self) -> str:
        return f"{self.event_id} {self.event_type}"
