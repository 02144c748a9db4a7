"""Sales through the built-in test gateway (S10): ``payment_authorise(..., capture=True)`` takes the
money in one provider call. The payment goes from created (or from waiting for the shopper)
straight to captured, with one attempt, and however the provider's messages arrive afterwards it
is captured exactly once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from storeteam.payments.choices import AttemptOutcome, PaymentState, WebhookOutcome
from storeteam.payments.errors import (
    IdempotencyKeyReusedError,
    PaymentOutcomeUnknownError,
    PaymentStateError,
)
from storeteam.payments.gateways.testgateway import (
    CARD_ANSWER_LOST,
    CARD_DECLINED,
    CARD_INSUFFICIENT_FUNDS,
    CARD_REQUIRES_ACTION,
    CARD_SUCCEEDS,
    _snapshot,
    sandbox_confirm,
)
from storeteam.payments.models import (
    Payment,
    PaymentAttempt,
    PaymentTransition,
    SandboxCharge,
    SandboxRequest,
    SandboxWebhook,
    WebhookEvent,
)
from storeteam.payments.services import (
    payment_authorise,
    payment_capture,
    payment_refund,
    payments_reconcile,
)
from tests.payments.helpers import authorise, events_named, pending_webhooks, send, states

pytestmark = pytest.mark.django_db


def sale(card: str = CARD_SUCCEEDS, *, key: str = "sale-1", amount: str = "100.00") -> Payment:
    return authorise(card, key=key, amount=amount, capture=True)


def test_a_good_card_is_captured_in_one_provider_call() -> None:
    payment = sale()

    assert payment.state == PaymentState.CAPTURED
    assert payment.captured_amount == Decimal("100.00")
    assert payment.provider_id.startswith("tgch_")
    assert payment.method_summary == "card •••• 4242"
    assert states(payment) == [("created", "captured")]
    attempt = PaymentAttempt.objects.get()
    assert (attempt.payment_id, attempt.operation, attempt.outcome) == (
        payment.pk,
        "authorise",
        AttemptOutcome.SUCCEEDED,
    )
    assert attempt.request["capture"] is True
    assert attempt.response["status"] == "captured"
    assert attempt.response["captured_minor"] == 10000
    # The provider side: one request, one charge, captured in full, one message about it.
    assert list(SandboxRequest.objects.values_list("operation", flat=True)) == ["authorise"]
    charge = SandboxCharge.objects.get()
    assert (charge.state, charge.captured_minor, charge.amount_minor) == ("captured", 10000, 10000)
    assert charge.metadata["capture"] is True
    assert [w.event_type for w in pending_webhooks(charge.pk)] == ["payment.captured"]
    assert [e["captured_amount"] for e in events_named("payments.PaymentCaptured")] == ["100.00"]
    assert events_named("payments.PaymentAuthorised") == []
    # Nothing is left to capture: a capture is refused by the store, the provider is not asked.
    with pytest.raises(PaymentStateError):
        payment_capture(payment_id=payment.pk, idempotency_key="cap-after-sale")
    assert SandboxRequest.objects.filter(operation="capture").count() == 0
    # and the money can be given back as from any captured payment
    payment_refund(payment_id=payment.pk, amount="100.00", reason="x", idempotency_key="r")
    payment.refresh_from_db()
    assert payment.state == PaymentState.REFUNDED


def test_an_authorisation_without_capture_is_unchanged() -> None:
    payment = payment_authorise(
        reference="checkout-1",
        amount="100.00",
        currency="SEK",
        method={"card_number": CARD_SUCCEEDS},
        idempotency_key="auth-only",
    )
    assert payment.state == PaymentState.AUTHORISED
    assert payment.captured_amount == Decimal("0")
    # The request of a plain authorisation has no "capture" entry, so keys recorded before
    # sales existed still compare equal to their retries.
    assert "capture" not in PaymentAttempt.objects.get().request
    assert SandboxCharge.objects.get().captured_minor == 0


@pytest.mark.parametrize(
    ("card", "reason"),
    [(CARD_DECLINED, "card_declined"), (CARD_INSUFFICIENT_FUNDS, "insufficient_funds")],
)
def test_a_declined_sale_fails_and_takes_nothing(card: str, reason: str) -> None:
    payment = sale(card)

    assert payment.state == PaymentState.FAILED
    assert payment.failure_reason == reason
    assert payment.captured_amount == Decimal("0")
    assert states(payment) == [("created", "failed")]
    assert PaymentAttempt.objects.get().outcome == AttemptOutcome.DECLINED
    charge = SandboxCharge.objects.get()
    assert (charge.state, charge.captured_minor) == ("failed", 0)
    assert [e["reason"] for e in events_named("payments.PaymentFailed")] == [reason]
    assert events_named("payments.PaymentCaptured") == []


def test_a_sale_the_shopper_confirms_is_captured_by_the_webhook() -> None:
    payment = sale(CARD_REQUIRES_ACTION)
    assert payment.state == PaymentState.REQUIRES_ACTION
    assert payment.captured_amount == Decimal("0")
    assert SandboxCharge.objects.get().captured_minor == 0

    sandbox_confirm(provider_id=payment.provider_id)
    webhooks = pending_webhooks(payment.provider_id)
    assert [w.event_type for w in webhooks] == ["payment.requires_action", "payment.captured"]
    assert send(webhooks) == [200, 200]

    payment.refresh_from_db()
    assert payment.state == PaymentState.CAPTURED
    assert payment.captured_amount == Decimal("100.00")
    assert states(payment) == [("created", "requires_action"), ("requires_action", "captured")]
    assert PaymentTransition.objects.filter(payment=payment).last().source == "webhook"
    charge = SandboxCharge.objects.get()
    assert (charge.state, charge.captured_minor) == ("captured", 10000)
    assert len(events_named("payments.PaymentCaptured")) == 1
    assert events_named("payments.PaymentAuthorised") == []
    assert PaymentAttempt.objects.count() == 1
    assert SandboxRequest.objects.filter(operation="capture").count() == 0


def test_a_sale_the_shopper_does_not_confirm_fails() -> None:
    payment = sale(CARD_REQUIRES_ACTION)
    sandbox_confirm(provider_id=payment.provider_id, succeed=False)
    send(pending_webhooks(payment.provider_id))
    payment.refresh_from_db()
    assert payment.state == PaymentState.FAILED
    assert payment.failure_reason == "authentication_failed"
    assert SandboxCharge.objects.get().captured_minor == 0


def test_a_confirmed_sale_whose_webhook_never_came_is_captured_by_reconciliation() -> None:
    payment = sale(CARD_REQUIRES_ACTION)
    sandbox_confirm(provider_id=payment.provider_id)  # its webhook is never sent

    report = payments_reconcile(now=timezone.now() + timedelta(hours=1))

    assert (report.payments_settled, report.flagged) == (1, 0)
    payment.refresh_from_db()
    assert payment.state == PaymentState.CAPTURED
    assert payment.captured_amount == Decimal("100.00")
    assert states(payment)[-1] == ("requires_action", "captured")


def test_a_lost_answer_then_a_retry_with_the_same_key_takes_the_money_once() -> None:
    # given a provider that captures but whose answer never reaches the store
    with pytest.raises(PaymentOutcomeUnknownError):
        sale(CARD_ANSWER_LOST, key="sale-lost")
    payment = Payment.objects.get()
    assert (payment.state, payment.provider_id) == (PaymentState.CREATED, "")
    assert payment.attempts.get().outcome == AttemptOutcome.UNKNOWN
    charge = SandboxCharge.objects.get()
    assert (charge.state, charge.captured_minor) == ("captured", 10000)
    # a retry with the same key is not answered from a half-known result, nor sent again
    with pytest.raises(PaymentOutcomeUnknownError):
        sale(CARD_ANSWER_LOST, key="sale-lost")
    assert SandboxRequest.objects.get(idempotency_key="sale-lost").replays == 0

    # when the reconciliation job looks the payment up at the provider
    assert payments_reconcile().attempts_settled == 1

    # then it is captured as the provider has it, and the retry gets that payment
    payment.refresh_from_db()
    assert payment.state == PaymentState.CAPTURED
    assert payment.captured_amount == Decimal("100.00")
    assert payment.provider_id == charge.pk
    assert states(payment) == [("created", "captured")]
    assert PaymentTransition.objects.get(payment=payment).source == "reconciliation"
    assert payment.attempts.get().outcome == AttemptOutcome.RECONCILED
    again = sale(CARD_ANSWER_LOST, key="sale-lost")
    assert (again.pk, again.state) == (payment.pk, PaymentState.CAPTURED)
    assert SandboxCharge.objects.count() == 1
    assert SandboxRequest.objects.count() == 1
    assert len(events_named("payments.PaymentCaptured")) == 1


def test_a_repeated_key_returns_the_first_result_without_asking_the_provider() -> None:
    first = sale(key="sale-same")
    again = sale(key="sale-same")

    assert (again.pk, again.state) == (first.pk, PaymentState.CAPTURED)
    assert Payment.objects.count() == 1
    assert PaymentAttempt.objects.count() == 1
    assert SandboxRequest.objects.get(idempotency_key="sale-same").replays == 0
    assert SandboxCharge.objects.count() == 1
    assert len(events_named("payments.PaymentCaptured")) == 1
    # A declined first result is the result too.
    declined = sale(CARD_DECLINED, key="sale-declined")
    assert sale(CARD_DECLINED, key="sale-declined").pk == declined.pk
    assert SandboxRequest.objects.get(idempotency_key="sale-declined").replays == 0
    # The same key for an authorisation only is another request: refused.
    with pytest.raises(IdempotencyKeyReusedError):
        payment_authorise(
            reference="checkout-1",
            amount="100.00",
            currency="SEK",
            method={"card_number": CARD_SUCCEEDS},
            idempotency_key="sale-same",
        )
    assert Payment.objects.count() == 2


def late_message(charge: SandboxCharge, state: str) -> SandboxWebhook:
    """A message the provider might also send about a sale: the authorisation on its own,
    reported with the charge as it stood before the capture."""
    charge.event_sequence += 1
    charge.save(update_fields=["event_sequence"])
    return SandboxWebhook.objects.create(
        event_id=f"tgevt_late_{state}_{charge.event_sequence}",
        charge=charge,
        event_type=f"payment.{state}",
        payload={**_snapshot(charge), "state": state, "captured_minor": 0},
        sequence=charge.event_sequence,
        created_at=timezone.now(),
    )


def test_duplicated_and_out_of_order_webhooks_give_one_capture() -> None:
    # given a sale confirmed by the shopper, whose provider also reports the authorisation
    payment = sale(CARD_REQUIRES_ACTION)
    sandbox_confirm(provider_id=payment.provider_id)
    charge = SandboxCharge.objects.get()
    requires_action, captured = pending_webhooks(charge.pk)
    authorised = late_message(charge, "authorised")

    # when the messages arrive newest first, then all of them again
    assert send([captured, authorised, requires_action, captured, authorised]) == [200] * 5

    # then the payment is captured once and never moved back
    payment.refresh_from_db()
    assert payment.state == PaymentState.CAPTURED
    assert payment.captured_amount == Decimal("100.00")
    assert states(payment) == [("created", "requires_action"), ("requires_action", "captured")]
    outcomes = dict(WebhookEvent.objects.values_list("event_type", "outcome"))
    assert outcomes == {
        "payment.captured": WebhookOutcome.APPLIED,
        "payment.authorised": WebhookOutcome.STALE,
        "payment.requires_action": WebhookOutcome.STALE,
    }
    assert WebhookEvent.objects.get(event_type="payment.captured").duplicates == 1
    assert len(events_named("payments.PaymentCaptured")) == 1
    assert events_named("payments.PaymentAuthorised") == []
    assert SandboxRequest.objects.filter(operation="capture").count() == 0


def test_authorised_then_captured_messages_move_forward_to_one_capture() -> None:
    # given a sale confirmed by the shopper whose provider reports the authorisation first
    payment = sale(CARD_REQUIRES_ACTION)
    sandbox_confirm(provider_id=payment.provider_id)
    charge = SandboxCharge.objects.get()
    requires_action, captured = pending_webhooks(charge.pk)
    authorised = late_message(charge, "authorised")

    # when they arrive in the provider's order, each of them twice
    send([requires_action, authorised, captured, authorised, captured])

    # then the payment passed through authorised to captured, once
    payment.refresh_from_db()
    assert payment.state == PaymentState.CAPTURED
    assert payment.captured_amount == Decimal("100.00")
    assert states(payment) == [
        ("created", "requires_action"),
        ("requires_action", "authorised"),
        ("authorised", "captured"),
    ]
    assert len(events_named("payments.PaymentCaptured")) == 1
    # and a reconciliation run later finds nothing to change
    report = payments_reconcile(now=timezone.now() + timedelta(days=10))
    assert (report.attempts_settled, report.payments_settled, report.flagged) == (0, 0, 0)
    assert PaymentTransition.objects.filter(payment=payment, to_state="captured").count() == 1


def test_repeated_messages_about_an_immediate_sale_change_nothing() -> None:
    payment = sale()
    webhooks = pending_webhooks(payment.provider_id)

    assert send(webhooks + webhooks + webhooks) == [200, 200, 200]

    payment.refresh_from_db()
    assert payment.state == PaymentState.CAPTURED
    assert states(payment) == [("created", "captured")]
    event = WebhookEvent.objects.get()
    assert (event.outcome, event.duplicates) == (WebhookOutcome.IGNORED, 2)
    assert len(events_named("payments.PaymentCaptured")) == 1
