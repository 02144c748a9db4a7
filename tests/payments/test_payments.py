"""Payments through the built-in test gateway (S10): every path a real provider takes, with the
provider side's own books checked, over the store's real webhook endpoint."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from storeteam.core.models import AuditEntry
from storeteam.payments.choices import AttemptOutcome, PaymentState, WebhookOutcome
from storeteam.payments.errors import (
    IdempotencyKeyReusedError,
    PaymentInputError,
    PaymentOutcomeUnknownError,
    PaymentStateError,
    RefundTooLargeError,
)
from storeteam.payments.gateways.testgateway import (
    CARD_ANSWER_LOST,
    CARD_DECLINED,
    CARD_INSUFFICIENT_FUNDS,
    CARD_REQUIRES_ACTION,
    SIGNATURE_HEADER,
    sandbox_confirm,
    sandbox_webhook_body,
    webhook_sign,
)
from storeteam.payments.models import (
    Payment,
    PaymentAttempt,
    PaymentTransition,
    Refund,
    SandboxCharge,
    SandboxRequest,
    WebhookEvent,
)
from storeteam.payments.services import (
    payment_authorise,
    payment_capture,
    payment_refund,
    payment_void,
    payments_reconcile,
)
from tests.payments.helpers import (
    WEBHOOK_URL,
    authorise,
    events_named,
    pending_webhooks,
    send,
    states,
)

pytestmark = pytest.mark.django_db


def test_a_good_card_is_authorised_then_captured_once() -> None:
    payment = authorise()
    assert payment.state == PaymentState.AUTHORISED
    assert payment.provider_id.startswith("tgch_")
    assert payment.method_summary == "card •••• 4242"
    payment = payment_capture(payment_id=payment.pk, idempotency_key="cap-1")
    assert payment.state == PaymentState.CAPTURED
    assert payment.captured_amount == Decimal("100.00")
    charge = SandboxCharge.objects.get(pk=payment.provider_id)
    assert (charge.state, charge.captured_minor) == ("captured", 10000)
    assert states(payment) == [("created", "authorised"), ("authorised", "captured")]
    assert [e["captured_amount"] for e in events_named("payments.PaymentCaptured")] == ["100.00"]
    assert len(events_named("payments.PaymentAuthorised")) == 1
    attempts = list(payment.attempts.values_list("operation", "outcome"))
    assert attempts == [("authorise", "succeeded"), ("capture", "succeeded")]
    assert all(a.duration_ms is not None for a in payment.attempts.all())
    # The full card number is never kept.
    assert payment.attempts.get(operation="authorise").request["method"] == {"card_last4": "4242"}


@pytest.mark.parametrize(
    ("card", "reason"),
    [(CARD_DECLINED, "card_declined"), (CARD_INSUFFICIENT_FUNDS, "insufficient_funds")],
)
def test_a_declined_card_fails_with_the_reason_and_cannot_be_captured(
    card: str, reason: str
) -> None:
    payment = authorise(card)
    assert payment.state == PaymentState.FAILED
    assert payment.failure_reason == reason
    assert [e["reason"] for e in events_named("payments.PaymentFailed")] == [reason]
    assert payment.attempts.get().outcome == AttemptOutcome.DECLINED
    with pytest.raises(PaymentStateError):
        payment_capture(payment_id=payment.pk, idempotency_key="cap-declined")
    assert SandboxRequest.objects.filter(operation="capture").count() == 0


def test_bad_input_is_refused_before_anything_is_written() -> None:
    with pytest.raises(PaymentInputError):
        payment_authorise(
            reference="r", amount="-1", currency="SEK", method={}, idempotency_key="k"
        )
    with pytest.raises(PaymentInputError):
        payment_authorise(
            reference="r", amount="1.00", currency="XXX", method={}, idempotency_key="k"
        )
    with pytest.raises(PaymentInputError):
        payment_authorise(
            reference="", amount="1.00", currency="SEK", method={}, idempotency_key="k"
        )
    with pytest.raises(PaymentInputError):
        payment_authorise(
            reference="r", amount="1.00", currency="SEK", method={}, idempotency_key=" "
        )
    assert Payment.objects.count() == 0
    assert PaymentAttempt.objects.count() == 0


def test_a_provider_side_refusal_of_the_card_fails_the_payment() -> None:
    payment = authorise("42")  # not a card number: the provider refuses the request
    assert payment.state == PaymentState.FAILED
    assert payment.failure_reason == "invalid_number"


def test_the_same_key_returns_the_first_result_without_calling_the_provider_again() -> None:
    first = authorise(key="auth-same")
    again = authorise(key="auth-same")
    assert again.pk == first.pk
    assert Payment.objects.count() == 1
    request = SandboxRequest.objects.get(idempotency_key="auth-same")
    assert request.replays == 0  # the provider was called once, not asked again
    assert SandboxRequest.objects.count() == 1
    payment_capture(payment_id=first.pk, idempotency_key="cap-same")
    captured = payment_capture(payment_id=first.pk, idempotency_key="cap-same")
    assert captured.state == PaymentState.CAPTURED
    assert SandboxRequest.objects.filter(operation="capture").count() == 1
    assert PaymentAttempt.objects.filter(operation="capture").count() == 1
    # A declined first result is the result too.
    declined = authorise(CARD_DECLINED, key="auth-declined")
    assert authorise(CARD_DECLINED, key="auth-declined").pk == declined.pk
    assert SandboxRequest.objects.filter(idempotency_key="auth-declined").get().replays == 0


def test_a_key_reused_for_a_different_request_is_refused() -> None:
    authorise(key="auth-k", amount="100.00")
    with pytest.raises(IdempotencyKeyReusedError):
        authorise(key="auth-k", amount="90.00")
    assert Payment.objects.count() == 1


def test_a_second_capture_with_another_key_is_refused_and_never_reaches_the_provider() -> None:
    payment = authorise()
    payment_capture(payment_id=payment.pk, idempotency_key="cap-a")
    with pytest.raises(PaymentStateError):
        payment_capture(payment_id=payment.pk, idempotency_key="cap-b")
    assert SandboxRequest.objects.filter(operation="capture").count() == 1


def test_void_releases_an_authorisation() -> None:
    payment = authorise()
    payment = payment_void(payment_id=payment.pk, idempotency_key="void-1")
    assert payment.state == PaymentState.VOIDED
    assert SandboxCharge.objects.get(pk=payment.provider_id).state == "voided"
    with pytest.raises(PaymentStateError):
        payment_capture(payment_id=payment.pk, idempotency_key="cap-after-void")


def test_async_confirmation_arrives_as_a_signed_webhook_and_authorises() -> None:
    payment = authorise(CARD_REQUIRES_ACTION)
    assert payment.state == PaymentState.REQUIRES_ACTION
    assert len(events_named("payments.PaymentActionRequired")) == 1
    # The provider's first message (requires_action) says nothing new.
    assert send(pending_webhooks(payment.provider_id)) == [200]
    # given the shopper completes 3-D Secure at the provider
    sandbox_confirm(provider_id=payment.provider_id)
    # when the provider's signed webhook arrives
    assert send(pending_webhooks(payment.provider_id)) == [200]
    # then the payment is authorised and can be captured
    payment.refresh_from_db()
    assert payment.state == PaymentState.AUTHORISED
    assert states(payment)[-1] == ("requires_action", "authorised")
    assert PaymentTransition.objects.filter(payment=payment).last().source == "webhook"
    assert payment_capture(payment_id=payment.pk, idempotency_key="c").state == "captured"


def test_failed_confirmation_fails_the_payment() -> None:
    payment = authorise(CARD_REQUIRES_ACTION)
    sandbox_confirm(provider_id=payment.provider_id, succeed=False)
    send(pending_webhooks(payment.provider_id))
    payment.refresh_from_db()
    assert payment.state == PaymentState.FAILED
    assert payment.failure_reason == "authentication_failed"


def test_a_duplicated_webhook_is_stored_once_and_applied_once() -> None:
    payment = authorise(CARD_REQUIRES_ACTION)
    sandbox_confirm(provider_id=payment.provider_id)
    webhooks = pending_webhooks(payment.provider_id)
    confirmation = webhooks[-1]
    assert send([*webhooks, confirmation, confirmation]) == [200, 200, 200, 200]
    assert WebhookEvent.objects.filter(event_id=confirmation.event_id).get().duplicates == 2
    assert len(events_named("payments.PaymentAuthorised")) == 1
    assert states(payment) == [("created", "requires_action"), ("requires_action", "authorised")]


def test_duplicate_capture_webhooks_make_one_capture() -> None:
    payment = authorise()
    payment_capture(payment_id=payment.pk, idempotency_key="cap")
    webhooks = pending_webhooks(payment.provider_id)
    assert [w.event_type for w in webhooks] == ["payment.authorised", "payment.captured"]
    send(webhooks + webhooks + webhooks)
    payment.refresh_from_db()
    assert payment.state == PaymentState.CAPTURED
    assert len(events_named("payments.PaymentCaptured")) == 1
    assert PaymentTransition.objects.filter(payment=payment, to_state="captured").count() == 1
    assert WebhookEvent.objects.count() == 2
    assert SandboxRequest.objects.filter(operation="capture").count() == 1


def test_out_of_order_webhooks_end_in_the_right_state() -> None:
    # given a 3-D Secure payment confirmed and captured at the provider (a capture made from
    # the provider's dashboard, say) while the store has heard nothing yet
    payment = authorise(CARD_REQUIRES_ACTION)
    sandbox_confirm(provider_id=payment.provider_id)
    charge = SandboxCharge.objects.get(pk=payment.provider_id)
    from storeteam.payments.gateways.testgateway import TestGateway

    TestGateway().capture(provider_id=charge.pk, amount_minor=10000, idempotency_key="dash-cap")
    webhooks = pending_webhooks(payment.provider_id)
    assert [w.event_type for w in webhooks] == [
        "payment.requires_action",
        "payment.authorised",
        "payment.captured",
    ]
    # when the messages arrive newest first
    assert send(list(reversed(webhooks))) == [200, 200, 200]
    # then the payment is captured, and the older messages are kept as stale
    payment.refresh_from_db()
    assert payment.state == PaymentState.CAPTURED
    assert payment.captured_amount == Decimal("100.00")
    outcomes = dict(WebhookEvent.objects.values_list("event_type", "outcome"))
    assert outcomes == {
        "payment.captured": WebhookOutcome.APPLIED,
        "payment.authorised": WebhookOutcome.STALE,
        "payment.requires_action": WebhookOutcome.STALE,
    }
    assert len(events_named("payments.PaymentCaptured")) == 1


def test_a_tampered_or_unsigned_or_expired_webhook_is_refused_and_nothing_is_stored() -> None:
    payment = authorise(CARD_REQUIRES_ACTION)
    sandbox_confirm(provider_id=payment.provider_id)
    webhook = pending_webhooks(payment.provider_id)[-1]
    body = sandbox_webhook_body(webhook)
    client = Client()

    def post(data: bytes, header: str | None) -> int:
        headers = {SIGNATURE_HEADER: header} if header is not None else {}
        return client.post(
            WEBHOOK_URL, data=data, content_type="application/json", headers=headers
        ).status_code

    from django.conf import settings

    secret = settings.PAYMENTS_TEST_WEBHOOK_SECRET
    tampered = body.replace(b'"authorised"', b'"captured"')
    assert tampered != body
    assert post(tampered, webhook_sign(body, secret=secret)) == 400
    assert post(body, None) == 400
    assert post(body, webhook_sign(body, secret="not-the-secret")) == 400
    old = int(time.time()) - settings.PAYMENTS_WEBHOOK_TOLERANCE_SECONDS - 5
    assert post(body, webhook_sign(body, secret=secret, timestamp=old)) == 400
    assert WebhookEvent.objects.count() == 0
    payment.refresh_from_db()
    assert payment.state == PaymentState.REQUIRES_ACTION
    # The same message, signed now, is accepted.
    assert post(body, webhook_sign(body, secret=secret)) == 200
    payment.refresh_from_db()
    assert payment.state == PaymentState.AUTHORISED


def test_an_unknown_provider_is_a_404_and_a_get_is_not_allowed() -> None:
    client = Client()
    assert (
        client.post("/payments/webhooks/nobody/", data=b"{}", content_type="x").status_code == 404
    )
    assert client.get(WEBHOOK_URL).status_code == 405


def test_partial_then_full_refunds_and_an_over_refund_is_refused(staff_factory: Any) -> None:
    finance = staff_factory(role="finance")
    payment = authorise(amount="100.00")
    payment_capture(payment_id=payment.pk, idempotency_key="cap")
    first = payment_refund(
        payment_id=payment.pk, amount="30.00", reason="Damaged", idempotency_key="r1", actor=finance
    )
    assert first.state == "succeeded"
    payment.refresh_from_db()
    assert payment.state == PaymentState.PARTIALLY_REFUNDED
    assert payment.refunded_amount == Decimal("30.00")
    with pytest.raises(RefundTooLargeError):
        payment_refund(payment_id=payment.pk, amount="70.01", reason="x", idempotency_key="r2")
    assert Refund.objects.count() == 1
    assert SandboxRequest.objects.filter(operation="refund").count() == 1
    payment_refund(payment_id=payment.pk, amount="70.00", reason="Rest", idempotency_key="r3")
    payment.refresh_from_db()
    assert payment.state == PaymentState.REFUNDED
    assert payment.refunded_amount == Decimal("100.00")
    assert payment.refund_pending_amount == Decimal("0")
    charge = SandboxCharge.objects.get(pk=payment.provider_id)
    assert charge.refunded_minor == 10000
    with pytest.raises(PaymentStateError):
        payment_refund(payment_id=payment.pk, amount="0.01", reason="x", idempotency_key="r4")
    refunds = [
        (e["refunded_amount"], e["total_refunded"])
        for e in events_named("payments.PaymentRefunded")
    ]
    assert refunds == [("30.00", "30.00"), ("70.00", "100.00")]
    # The same key again is the first refund, not a third one.
    assert (
        payment_refund(
            payment_id=payment.pk, amount="30.00", reason="Damaged", idempotency_key="r1"
        ).pk
        == first.pk
    )
    assert Refund.objects.count() == 2
    entry = AuditEntry.objects.filter(action="payment.refund").order_by("pk").first()
    assert entry is not None
    assert (entry.actor_id, entry.reason) == (finance.pk, "Damaged")


def test_a_refund_of_an_uncaptured_payment_is_refused() -> None:
    payment = authorise()
    with pytest.raises(PaymentStateError):
        payment_refund(payment_id=payment.pk, amount="1.00", reason="x", idempotency_key="r")
    assert Refund.objects.count() == 0


def test_the_database_refuses_refunds_above_the_captured_amount() -> None:
    from django.db import IntegrityError, transaction

    payment = authorise()
    payment_capture(payment_id=payment.pk, idempotency_key="cap")
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.filter(pk=payment.pk).update(refunded_amount=Decimal("100.01"))


def test_a_lost_answer_is_settled_by_the_reconciliation_job() -> None:
    # given a provider that authorises but whose answer never reaches the store
    with pytest.raises(PaymentOutcomeUnknownError):
        authorise(CARD_ANSWER_LOST, key="auth-lost")
    payment = Payment.objects.get()
    assert payment.state == PaymentState.CREATED
    assert payment.provider_id == ""
    assert payment.attempts.get().outcome == AttemptOutcome.UNKNOWN
    # a retry with the same key is not answered from a half-known result
    with pytest.raises(PaymentOutcomeUnknownError):
        authorise(CARD_ANSWER_LOST, key="auth-lost")
    # when the reconciliation job runs
    report = payments_reconcile()
    # then the payment is where the provider has it, found by the store's id in its metadata
    assert report.attempts_settled == 1
    payment.refresh_from_db()
    assert payment.state == PaymentState.AUTHORISED
    assert payment.provider_id == SandboxCharge.objects.get().pk
    assert payment.attempts.get().outcome == AttemptOutcome.RECONCILED
    assert PaymentTransition.objects.get(payment=payment).source == "reconciliation"
    assert SandboxCharge.objects.count() == 1
    assert authorise(CARD_ANSWER_LOST, key="auth-lost").state == PaymentState.AUTHORISED
    assert payments_reconcile().attempts_settled == 0


def test_reconciliation_flags_a_payment_the_shopper_never_confirmed() -> None:
    from datetime import timedelta

    from django.utils import timezone

    payment = authorise(CARD_REQUIRES_ACTION)
    assert payments_reconcile().flagged == 0
    later = timezone.now() + timedelta(hours=1)
    report = payments_reconcile(now=later)
    assert report.flagged == 1
    payment.refresh_from_db()
    assert payment.needs_attention
    assert "confirmed" in payment.attention_reason
    assert len(events_named("payments.PaymentNeedsAttention")) == 1
    assert payments_reconcile(now=later).flagged == 0  # flagged once


def test_reconciliation_applies_a_confirmation_whose_webhook_never_came() -> None:
    from datetime import timedelta

    from django.utils import timezone

    payment = authorise(CARD_REQUIRES_ACTION)
    sandbox_confirm(provider_id=payment.provider_id)  # its webhook is never sent
    report = payments_reconcile(now=timezone.now() + timedelta(hours=1))
    assert (report.payments_settled, report.flagged) == (1, 0)
    payment.refresh_from_db()
    assert payment.state == PaymentState.AUTHORISED
    assert not payment.needs_attention


def test_a_capture_whose_worker_died_mid_call_is_settled_after_the_timeout() -> None:
    from datetime import timedelta

    from django.utils import timezone

    from storeteam.payments.gateways.testgateway import TestGateway
    from storeteam.payments.services import _claim

    payment = authorise()
    # given a worker that claimed the capture, recorded its attempt and called the provider,
    # then died before it could apply the answer (the same steps payment_capture takes)
    attempt = _claim(
        payment=payment,
        operation="capture",
        from_states=frozenset({PaymentState.AUTHORISED}),
        key="cap-died",
        request={"payment": payment.pk, "amount": "100.00"},
    )
    assert attempt is not None
    TestGateway().capture(
        provider_id=payment.provider_id, amount_minor=10000, idempotency_key="cap-died"
    )
    # nobody else may capture meanwhile, and the job leaves a fresh attempt alone
    with pytest.raises(PaymentStateError):
        payment_capture(payment_id=payment.pk, idempotency_key="cap-other")
    assert payments_reconcile().attempts_settled == 0
    # when the job runs after the attempt timed out
    report = payments_reconcile(now=timezone.now() + timedelta(minutes=5))
    # then the payment is captured as the provider has it, once, and free again
    assert report.attempts_settled == 1
    payment.refresh_from_db()
    assert payment.state == PaymentState.CAPTURED
    assert payment.operation_in_flight == ""
    assert PaymentAttempt.objects.get(idempotency_key="cap-died").outcome == "reconciled"
    assert SandboxRequest.objects.filter(operation="capture").count() == 1
    assert len(events_named("payments.PaymentCaptured")) == 1


def test_the_reconcile_command_prints_what_it_did() -> None:
    from io import StringIO

    from django.core.management import call_command

    with pytest.raises(PaymentOutcomeUnknownError):
        authorise(CARD_ANSWER_LOST, key="auth-lost-cmd")
    out = StringIO()
    call_command("payments-reconcile", stdout=out)
    assert out.getvalue().strip() == (
        "attempts_settled=1 payments_settled=0 flagged=0 unreachable=0"
    )
    assert Payment.objects.get().state == PaymentState.AUTHORISED
