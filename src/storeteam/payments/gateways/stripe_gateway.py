"""The Stripe adapter (S10): PaymentIntents through the official SDK.

``authorise`` creates and confirms a PaymentIntent with the store's payment id in its metadata,
with ``capture_method=manual`` (authorise only; ``capture`` takes it later) or, for a sale
(``capture=True``), ``capture_method=automatic``: Stripe captures the whole amount as soon as it
is authorised, and the intent is ``succeeded`` (captured) at once or once the shopper has
confirmed it (webhook ``payment_intent.succeeded``). ``capture``, ``void`` (cancel) and
``refund`` follow. Every call passes the store's idempotency key as Stripe's ``Idempotency-Key``.
Webhook signatures are verified by the SDK (``stripe.Webhook.construct_event``). Configuration:
``STRIPE_SECRET_KEY``, ``STRIPE_WEBHOOK_SECRET`` (and ``STRIPE_API_BASE`` only to point the SDK
elsewhere), see docs/payments.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import stripe
from django.conf import settings
from django.utils.translation import gettext as _

from storeteam.payments.gateways.base import (
    AUTHORISED,
    CAPTURED,
    FAILED,
    REFUND_FAILED,
    REFUND_PENDING,
    REFUND_SUCCEEDED,
    REQUIRES_ACTION,
    VOIDED,
    GatewayRefusedError,
    GatewayResult,
    GatewayUnavailableError,
    RefundResult,
    WebhookMessage,
    WebhookSignatureError,
)

# A PaymentIntent's status in the store's words.
STATUSES = {
    "requires_payment_method": FAILED,  # confirmed and declined: a new method is needed
    "requires_confirmation": REQUIRES_ACTION,
    "requires_action": REQUIRES_ACTION,
    "processing": REQUIRES_ACTION,
    "requires_capture": AUTHORISED,
    "succeeded": CAPTURED,
    "canceled": VOIDED,
}
REFUND_STATUSES = {
    "succeeded": REFUND_SUCCEEDED,
    "pending": REFUND_PENDING,
    "requires_action": REFUND_PENDING,
    "failed": REFUND_FAILED,
    "canceled": REFUND_FAILED,
}


def _intent_result(intent: Mapping[str, Any], *, decline_code: str = "") -> GatewayResult:
    error = intent.get("last_payment_error") or {}
    card = ((intent.get("payment_method_details") or {}).get("card")) or {}
    return GatewayResult(
        status=STATUSES.get(str(intent.get("status")), REQUIRES_ACTION),
        provider_id=str(intent["id"]),
        amount_minor=int(intent.get("amount") or 0),
        captured_minor=int(intent.get("amount_received") or 0),
        decline_code=decline_code or str(error.get("decline_code") or error.get("code") or ""),
        message=str(error.get("message") or ""),
        method_summary=f"card •••• {card['last4']}" if card.get("last4") else "stripe",
        raw={"id": intent["id"], "status": intent.get("status")},
    )


def _plain(value: Any) -> Any:
    """The SDK's objects as plain dicts and lists (they are not dicts since SDK 12)."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    return value


class StripeGateway:
    """Stripe, as one of the store's payment gateways."""

    def __init__(
        self,
        *,
        code: str = "stripe",
        api_key: str,
        webhook_secret: str,
        api_base: str = "",
        webhook_tolerance: int | None = None,
    ) -> None:
        self.code = code
        self.webhook_secret = webhook_secret
        self.tolerance = (
            webhook_tolerance
            if webhook_tolerance is not None
            else settings.PAYMENTS_WEBHOOK_TOLERANCE_SECONDS
        )
        base_addresses: Any = {"api": api_base} if api_base else None
        # The store retries through its own attempt log and reconciliation, with the same key.
        self.client = stripe.StripeClient(
            api_key, base_addresses=base_addresses, max_network_retries=0
        )

    def _call(self, call: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return _plain(call(*args, **kwargs))
        except stripe.CardError:
            raise
        except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
            raise GatewayUnavailableError(str(exc)) from exc
        except stripe.StripeError as exc:
            status = exc.http_status or 0
            if status >= 500 or status == 0:
                raise GatewayUnavailableError(str(exc)) from exc
            raise GatewayRefusedError(
                str(exc.user_message or exc), code=str(exc.code or status)
            ) from exc

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
        payment_method = method.get("payment_method", "")
        if not payment_method:
            raise GatewayRefusedError("a Stripe payment method id is required", code="no_method")
        params: Any = {
            "amount": amount_minor,
            "currency": currency.lower(),
            "payment_method": payment_method,
            "payment_method_types": ["card"],
            "confirm": True,
            "capture_method": "automatic" if capture else "manual",
            "metadata": {"reference": reference, "storeteam_payment": str(store_payment_id)},
        }
        try:
            intent = self._call(
                self.client.v1.payment_intents.create,
                params,
                options={"idempotency_key": idempotency_key},
            )
        except stripe.CardError as declined:
            json_body: Any = declined.json_body or {}
            body: Any = json_body.get("error", {})
            intent = body.get("payment_intent")
            decline = str(body.get("decline_code") or declined.code or "card_declined")
            if not intent:
                raise GatewayRefusedError(str(declined.user_message), code=decline) from declined
            return _intent_result(intent, decline_code=decline)
        return _intent_result(intent)

    def capture(
        self, *, provider_id: str, amount_minor: int, idempotency_key: str
    ) -> GatewayResult:
        intent = self._call(
            self.client.v1.payment_intents.capture,
            provider_id,
            {"amount_to_capture": amount_minor},
            options={"idempotency_key": idempotency_key},
        )
        return _intent_result(intent)

    def void(self, *, provider_id: str, idempotency_key: str) -> GatewayResult:
        intent = self._call(
            self.client.v1.payment_intents.cancel,
            provider_id,
            options={"idempotency_key": idempotency_key},
        )
        return _intent_result(intent)

    def refund(
        self, *, provider_id: str, amount_minor: int, reason: str, idempotency_key: str
    ) -> RefundResult:
        refund = self._call(
            self.client.v1.refunds.create,
            {
                "payment_intent": provider_id,
                "amount": amount_minor,
                "metadata": {"reason": reason[:500]},
            },
            options={"idempotency_key": idempotency_key},
        )
        return RefundResult(
            status=REFUND_STATUSES.get(str(refund.get("status")), REFUND_PENDING),
            provider_refund_id=str(refund["id"]),
            amount_minor=int(refund.get("amount") or amount_minor),
            raw={"id": refund["id"], "status": refund.get("status")},
        )

    def retrieve(self, *, provider_id: str, store_payment_id: int) -> GatewayResult | None:
        if provider_id:
            try:
                intent = self._call(self.client.v1.payment_intents.retrieve, provider_id)
            except GatewayRefusedError as refused:
                if refused.code == "resource_missing":
                    return None
                raise
            return _intent_result(intent)
        found = self._call(
            self.client.v1.payment_intents.search,
            {"query": f"metadata['storeteam_payment']:'{store_payment_id}'"},
        )
        data = list(found.get("data") or [])
        return _intent_result(data[0]) if data else None

    def browser_secret(self, *, provider_id: str) -> str:
        """The intent's client secret, for Stripe.js in the shopper's browser to finish a step
        only the shopper can do (3-D Secure). Asked of Stripe each time, never stored."""
        intent = self._call(self.client.v1.payment_intents.retrieve, provider_id)
        return str(intent.get("client_secret") or "")

    def webhook_parse(self, *, headers: Mapping[str, str], body: bytes) -> WebhookMessage | None:
        try:
            event = _plain(
                stripe.Webhook.construct_event(
                    body,
                    headers.get("Stripe-Signature"),
                    self.webhook_secret,
                    tolerance=self.tolerance,
                )
            )
        except stripe.SignatureVerificationError as exc:
            raise WebhookSignatureError(_("The webhook's signature does not match.")) from exc
        except ValueError as exc:
            raise WebhookSignatureError(_("The webhook's body cannot be read.")) from exc
        obj = event["data"]["object"]
        kind = str(event["type"])
        if kind.startswith("payment_intent."):
            intent: Any = obj
            status = STATUSES.get(str(intent.get("status")))
            refunded = 0
        elif kind == "charge.refunded":
            intent = {"id": obj.get("payment_intent"), "metadata": obj.get("metadata") or {}}
            status = CAPTURED
            refunded = int(obj.get("amount_refunded") or 0)
        else:
            return None
        if not intent.get("id"):
            return None
        metadata = intent.get("metadata") or {}
        store_id = metadata.get("storeteam_payment")
        error = intent.get("last_payment_error") or {}
        return WebhookMessage(
            event_id=str(event["id"]),
            event_type=kind,
            provider_payment_id=str(intent["id"]),
            status=status,
            created_at=datetime.fromtimestamp(int(event["created"]), tz=UTC),
            sequence=0,
            captured_minor=int(intent.get("amount_received") or obj.get("amount_captured") or 0),
            refunded_minor=refunded,
            decline_code=str(error.get("decline_code") or error.get("code") or ""),
            store_payment_id=int(store_id) if store_id and str(store_id).isdigit() else None,
            payload=event,
        )
