"""Helpers for the payment tests: send the test gateway's webhooks to the store over HTTP."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.test import Client

from storeteam.core.models import OutboxEvent
from storeteam.payments.gateways.testgateway import (
    CARD_SUCCEEDS,
    SIGNATURE_HEADER,
    sandbox_webhooks,
    sandbox_webhooks_send,
)
from storeteam.payments.models import Payment, PaymentTransition, SandboxWebhook
from storeteam.payments.services import payment_authorise

WEBHOOK_URL = "/payments/webhooks/test/"


def authorise(
    card: str = CARD_SUCCEEDS,
    *,
    key: str = "auth-1",
    amount: str = "100.00",
    capture: bool = False,
) -> Payment:
    """A payment of ``amount`` SEK for "checkout-1" through the test gateway (a sale with
    ``capture``)."""
    return payment_authorise(
        reference="checkout-1",
        amount=amount,
        currency="SEK",
        method={"card_number": card},
        idempotency_key=key,
        capture=capture,
    )


def events_named(name: str) -> list[dict[str, Any]]:
    """The payloads of the outbox events called ``name``, oldest first."""
    return list(
        OutboxEvent.objects.filter(name=name).order_by("pk").values_list("payload", flat=True)
    )


def states(payment: Payment) -> list[tuple[str, str]]:
    """The payment's moves, oldest first."""
    return list(
        PaymentTransition.objects.filter(payment=payment)
        .order_by("pk")
        .values_list("from_state", "to_state")
    )


def http_post(client: Client | None = None):  # type: ignore[no-untyped-def]
    """A sender that posts a signed webhook to the store's endpoint, as the provider would."""
    client = client or Client()

    def post(headers: dict[str, str], body: bytes) -> int:
        response = client.post(
            WEBHOOK_URL,
            data=body,
            content_type="application/json",
            headers={SIGNATURE_HEADER: headers[SIGNATURE_HEADER]},
        )
        return int(response.status_code)

    return post


def send(webhooks: Iterable[SandboxWebhook], **kwargs) -> list[int]:  # type: ignore[no-untyped-def]
    return sandbox_webhooks_send(list(webhooks), post=http_post(), **kwargs)


def pending_webhooks(provider_id: str) -> list[SandboxWebhook]:
    return sandbox_webhooks(provider_id=provider_id, unsent_only=True)
