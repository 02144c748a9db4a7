"""The Stripe adapter: PaymentIntent calls through the official SDK over real HTTP to a local
imitation of the Stripe API, and webhooks signed and verified with the SDK's own code."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import stripe
from django.test import Client

from storeteam.payments.choices import PaymentState, WebhookOutcome
from storeteam.payments.errors import PaymentRefusedError, PaymentStateError
from storeteam.payments.models import Payment, PaymentTransition, WebhookEvent
from storeteam.payments.services import (
    payment_authorise,
    payment_capture,
    payment_refund,
    payment_void,
    payments_reconcile,
)
from tests.payments.stripe_server import FakeStripe

pytestmark = pytest.mark.django_db
WEBHOOK_SECRET = "whsec_test_local_only"
URL = "/payments/webhooks/stripe/"


@pytest.fixture
def fake_stripe(settings: Any) -> Iterator[FakeStripe]:
    fake = FakeStripe().start()
    settings.PAYMENT_GATEWAYS = {
        **settings.PAYMENT_GATEWAYS,
        "stripe": {
            "BACKEND": "storeteam.payments.gateways.stripe_gateway.StripeGateway",
            "OPTIONS": {
                "api_key": "sk_test_local_only",
                "webhook_secret": WEBHOOK_SECRET,
                "api_base": fake.url,
            },
        },
    }
    yield fake
    fake.stop()


def authorise(pm: str = "pm_card_visa", key: str = "auth-1", *, capture: bool = False) -> Payment:
    return payment_authorise(
        reference="order-1",
        amount="25.50",
        currency="EUR",
        method={"payment_method": pm},
        idempotency_key=key,
        gateway="stripe",
        capture=capture,
    )


def states(payment: Payment) -> list[tuple[str, str]]:
    return list(
        PaymentTransition.objects.filter(payment=payment)
        .order_by("pk")
        .values_list("from_state", "to_state")
    )


def test_authorise_capture_refund_through_the_sdk(fake_stripe: FakeStripe) -> None:
    payment = authorise()
    assert payment.state == PaymentState.AUTHORISED
    assert payment.provider_id.startswith("pi_")
    intent = fake_stripe.intents[payment.provider_id]
    assert (intent["amount"], intent["currency"], intent["capture_method"]) == (
        2550,
        "eur",
        "manual",
    )
    assert intent["metadata"] == {"reference": "order-1", "storeteam_payment": str(payment.pk)}
    # The store's key is Stripe's Idempotency-Key.
    assert ("POST", "/v1/payment_intents", "auth-1") in fake_stripe.requests
    payment = payment_capture(payment_id=payment.pk, idempotency_key="cap-1")
    assert payment.state == PaymentState.CAPTURED
    assert str(payment.captured_amount) == "25.50"
    refund = payment_refund(
        payment_id=payment.pk, amount="5.50", reason="late", idempotency_key="ref-1"
    )
    assert refund.provider_refund_id.startswith("re_")
    payment.refresh_from_db()
    assert payment.state == PaymentState.PARTIALLY_REFUNDED
    assert fake_stripe.intents[payment.provider_id]["amount_refunded"] == 550


def test_a_repeated_key_is_answered_by_the_store_without_a_second_request(
    fake_stripe: FakeStripe,
) -> None:
    first = authorise(key="auth-x")
    assert authorise(key="auth-x").pk == first.pk
    assert fake_stripe.calls("POST", "/v1/payment_intents") == 1


def test_a_declined_card_fails_the_payment(fake_stripe: FakeStripe) -> None:
    payment = authorise("pm_card_chargeDeclined")
    assert payment.state == PaymentState.FAILED
    assert payment.failure_reason == "generic_decline"
    assert payment.provider_id.startswith("pi_")
    with pytest.raises(PaymentStateError):
        payment_capture(payment_id=payment.pk, idempotency_key="cap")


def test_three_d_secure_then_the_signed_succeeded_webhook(fake_stripe: FakeStripe) -> None:
    payment = authorise("pm_card_threeDSecure2Required")
    assert payment.state == PaymentState.REQUIRES_ACTION
    intent = fake_stripe.intents[payment.provider_id]
    intent["status"] = "requires_capture"
    event = stripe_event("evt_1", "payment_intent.amount_capturable_updated", intent)
    assert post_signed(event).status_code == 200
    assert post_signed(event).json()["duplicate"] is True
    payment.refresh_from_db()
    assert payment.state == PaymentState.AUTHORISED
    assert WebhookEvent.objects.get().duplicates == 1


def test_void_cancels_the_intent_and_the_provider_refuses_a_capture_after(
    fake_stripe: FakeStripe,
) -> None:
    payment = authorise()
    assert payment_void(payment_id=payment.pk, idempotency_key="v").state == PaymentState.VOIDED
    assert fake_stripe.intents[payment.provider_id]["status"] == "canceled"
    # Behind the store's back: Stripe itself refuses, and the store says so.
    Payment.objects.filter(pk=payment.pk).update(state=PaymentState.AUTHORISED)
    with pytest.raises(PaymentRefusedError):
        payment_capture(payment_id=payment.pk, idempotency_key="cap-after-cancel")
    payment.refresh_from_db()
    assert payment.operation_in_flight == ""


def test_reconciliation_retrieves_the_intent(fake_stripe: FakeStripe) -> None:
    from datetime import timedelta

    from django.utils import timezone

    payment = authorise("pm_card_threeDSecure2Required")
    fake_stripe.intents[payment.provider_id]["status"] = "requires_capture"
    report = payments_reconcile(now=timezone.now() + timedelta(hours=1))
    assert report.payments_settled == 1
    payment.refresh_from_db()
    assert payment.state == PaymentState.AUTHORISED
    assert fake_stripe.calls("GET", f"/v1/payment_intents/{payment.provider_id}") == 1


def stripe_event(event_id: str, kind: str, obj: dict[str, Any]) -> str:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": kind,
            "created": int(time.time()),
            "data": {"object": obj},
        }
    )


def post_signed(payload: str, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> Any:
    header = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=timestamp)
    return Client().post(
        URL, data=payload, content_type="application/json", headers={"Stripe-Signature": header}
    )


def test_webhook_signatures_are_verified_by_the_sdk(fake_stripe: FakeStripe) -> None:
    payment = authorise()
    intent = dict(
        fake_stripe.intents[payment.provider_id], status="succeeded", amount_received=2550
    )
    payload = stripe_event("evt_cap", "payment_intent.succeeded", intent)
    # tampered: signed, then changed
    header = stripe.WebhookSignature.generate_signature_header(payload, WEBHOOK_SECRET)
    tampered = payload.replace("2550", "9999")
    response = Client().post(
        URL, data=tampered, content_type="application/json", headers={"Stripe-Signature": header}
    )
    assert response.status_code == 400
    # wrong secret, and expired (outside the tolerance)
    assert post_signed(payload, secret="whsec_other").status_code == 400
    assert post_signed(payload, timestamp=int(time.time()) - 3600).status_code == 400
    # no header at all
    assert Client().post(URL, data=payload, content_type="application/json").status_code == 400
    assert WebhookEvent.objects.count() == 0
    # the genuine message
    response = post_signed(payload)
    assert response.status_code == 200
    assert response.json()["outcome"] == WebhookOutcome.APPLIED
    payment.refresh_from_db()
    assert payment.state == PaymentState.CAPTURED
    assert str(payment.captured_amount) == "25.50"


def test_an_out_of_order_stripe_event_is_kept_as_stale(fake_stripe: FakeStripe) -> None:
    payment = authorise("pm_card_threeDSecure2Required")
    intent = fake_stripe.intents[payment.provider_id]
    captured = dict(intent, status="succeeded", amount_received=2550)
    authorised = dict(intent, status="requires_capture")
    assert (
        post_signed(stripe_event("evt_2", "payment_intent.succeeded", captured)).status_code == 200
    )
    response = post_signed(
        stripe_event("evt_1", "payment_intent.amount_capturable_updated", authorised)
    )
    assert response.json()["outcome"] == WebhookOutcome.STALE
    payment.refresh_from_db()
    assert payment.state == PaymentState.CAPTURED


# --- sales: capture_method=automatic ---------------------------------------------------------


def test_a_sale_is_captured_by_stripe_in_the_same_call(fake_stripe: FakeStripe) -> None:
    payment = authorise(key="sale-1", capture=True)

    assert payment.state == PaymentState.CAPTURED
    assert str(payment.captured_amount) == "25.50"
    assert states(payment) == [("created", "captured")]
    intent = fake_stripe.intents[payment.provider_id]
    assert (intent["capture_method"], intent["status"], intent["amount_received"]) == (
        "automatic",
        "succeeded",
        2550,
    )
    assert fake_stripe.requests == [("POST", "/v1/payment_intents", "sale-1")]
    assert payment.attempts.get().request["capture"] is True
    # nothing is left to capture: the store refuses and Stripe is not asked
    with pytest.raises(PaymentStateError):
        payment_capture(payment_id=payment.pk, idempotency_key="cap")
    assert fake_stripe.calls("POST", f"/v1/payment_intents/{payment.provider_id}/capture") == 0
    refund = payment_refund(
        payment_id=payment.pk, amount="25.50", reason="returned", idempotency_key="ref-1"
    )
    assert refund.state == "succeeded"
    payment.refresh_from_db()
    assert payment.state == PaymentState.REFUNDED


def test_a_declined_sale_fails_the_payment(fake_stripe: FakeStripe) -> None:
    payment = authorise("pm_card_chargeDeclined", capture=True)
    assert payment.state == PaymentState.FAILED
    assert payment.failure_reason == "generic_decline"
    assert payment.captured_amount == 0
    assert fake_stripe.intents[payment.provider_id]["capture_method"] == "automatic"


def test_a_sale_confirmed_by_the_bank_is_captured_by_the_succeeded_webhook(
    fake_stripe: FakeStripe,
) -> None:
    payment = authorise("pm_card_threeDSecure2Required", capture=True)
    assert payment.state == PaymentState.REQUIRES_ACTION
    waiting = dict(fake_stripe.intents[payment.provider_id])
    # the shopper passes the bank's check in Stripe.js: Stripe captures at once
    confirmed = fake_stripe.confirm(payment.provider_id)
    assert (confirmed["status"], confirmed["amount_received"]) == ("succeeded", 2550)

    succeeded = stripe_event("evt_s1", "payment_intent.succeeded", confirmed)
    assert post_signed(succeeded).json()["outcome"] == WebhookOutcome.APPLIED
    assert post_signed(succeeded).json()["duplicate"] is True
    # an older message arriving late changes nothing
    late = stripe_event("evt_s0", "payment_intent.requires_action", waiting)
    assert post_signed(late).json()["outcome"] == WebhookOutcome.STALE

    payment.refresh_from_db()
    assert payment.state == PaymentState.CAPTURED
    assert str(payment.captured_amount) == "25.50"
    assert states(payment) == [("created", "requires_action"), ("requires_action", "captured")]
    assert fake_stripe.calls("POST", f"/v1/payment_intents/{payment.provider_id}/capture") == 0


def test_reconciliation_finds_a_confirmed_sale_captured(fake_stripe: FakeStripe) -> None:
    from datetime import timedelta

    from django.utils import timezone

    payment = authorise("pm_card_threeDSecure2Required", capture=True)
    fake_stripe.confirm(payment.provider_id)  # Stripe's webhook never comes

    report = payments_reconcile(now=timezone.now() + timedelta(hours=1))

    assert report.payments_settled == 1
    payment.refresh_from_db()
    assert payment.state == PaymentState.CAPTURED
    assert str(payment.captured_amount) == "25.50"
    assert states(payment)[-1] == ("requires_action", "captured")
