"""How checkout reacts to payments: a payment confirmed or declined after the shopper left the
page (3-D Secure, a late webhook) finishes or undoes its checkout; a refund made anywhere (the
order, the payments page, the provider's dashboard) is recorded on the order once."""

from __future__ import annotations

from storeteam.checkout.services import checkout_complete, checkout_fail, order_refund_settled
from storeteam.core.events import Envelope, event_handler
from storeteam.payments.events import (
    PaymentAuthorised,
    PaymentCaptured,
    PaymentFailed,
    PaymentRefunded,
    PaymentVoided,
)


@event_handler(PaymentAuthorised, name="checkout.complete_on_authorised")
def complete_on_authorised(event: PaymentAuthorised, envelope: Envelope) -> None:
    checkout_complete(key=event.reference)


@event_handler(PaymentCaptured, name="checkout.complete_on_captured")
def complete_on_captured(event: PaymentCaptured, envelope: Envelope) -> None:
    checkout_complete(key=event.reference)


@event_handler(PaymentFailed, name="checkout.fail_on_declined")
def fail_on_declined(event: PaymentFailed, envelope: Envelope) -> None:
    checkout_fail(key=event.reference, code="payment_declined", message=event.reason)


@event_handler(PaymentVoided, name="checkout.fail_on_voided")
def fail_on_voided(event: PaymentVoided, envelope: Envelope) -> None:
    checkout_fail(key=event.reference, code="payment_voided", message="The payment was cancelled.")


@event_handler(PaymentRefunded, name="checkout.record_refund_on_order")
def record_refund_on_order(event: PaymentRefunded, envelope: Envelope) -> None:
    order_refund_settled(
        reference=event.reference, refund_id=event.refund_id, amount=event.refunded_amount
    )
