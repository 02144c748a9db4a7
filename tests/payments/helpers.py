"""Helpers for the payment tests: send the test gateway's webhooks to the store over HTTP."""

from __future__ import annotations

from collections.abc import Iterable

from django.test import Client

from storeteam.payments.gateways.testgateway import (
    SIGNATURE_HEADER,
    sandbox_webhooks,
    sandbox_webhooks_send,
)
from storeteam.payments.models import SandboxWebhook

WEBHOOK_URL = "/payments/webhooks/test/"


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
