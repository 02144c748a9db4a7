"""The built-in test gateway (S10): a payment provider that lives in the store's database.

It behaves like a real provider so that everything above it is tested as it will run: its provider
side keeps its own books (``SandboxCharge``, ``SandboxRequest``, ``SandboxWebhook``), answers a
repeated idempotency key with its first answer, refuses to capture a charge it does not know or
that was declined, and tells the store about changes by signed webhooks that the caller can send
late, twice or out of order (``sandbox_webhooks_send``).

Test cards (``method={"card_number": ...}``):

=================== ==========================================================================
4242424242424242    authorised
4000000000000002    declined: ``card_declined``
4000000000009995    declined: ``insufficient_funds``
4000000000003220    needs the shopper's confirmation (3-D Secure); ``sandbox_confirm`` finishes it
4000000000000119    authorised, but the answer is lost on the way back (the store sees a timeout)
=================== ==========================================================================

An authorisation asked with ``capture=True`` (a sale) is captured in full where the table says
authorised, and when ``sandbox_confirm`` confirms it; declines and lost answers are as above.

Webhooks are signed like Stripe's: header ``Storeteam-Test-Signature: t=<unix time>,v1=<hex>``,
where ``v1`` is HMAC-SHA256 of ``"<t>.<body>"`` with ``PAYMENTS_TEST_WEBHOOK_SECRET``; messages
older than ``PAYMENTS_WEBHOOK_TOLERANCE_SECONDS`` are refused, against replays.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from storeteam.core.signing import SignatureError, signature_header, signature_verify
from storeteam.payments.gateways.base import (
    AUTHORISED,
    CAPTURED,
    FAILED,
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
from storeteam.payments.models import SandboxCharge, SandboxRequest, SandboxWebhook

SIGNATURE_HEADER = "Storeteam-Test-Signature"

CARD_SUCCEEDS = "4242424242424242"
CARD_DECLINED = "4000000000000002"
CARD_INSUFFICIENT_FUNDS = "4000000000009995"
CARD_REQUIRES_ACTION = "4000000000003220"
CARD_ANSWER_LOST = "4000000000000119"

DECLINES = {CARD_DECLINED: "card_declined", CARD_INSUFFICIENT_FUNDS: "insufficient_funds"}


def webhook_secret() -> str:
    secret: str = settings.PAYMENTS_TEST_WEBHOOK_SECRET
    return secret


def webhook_sign(body: bytes, *, secret: str, timestamp: int | None = None) -> str:
    """The signature header value for ``body``, as the test gateway's provider side makes it."""
    return signature_header(body, secret=secret, timestamp=timestamp)


def webhook_verify(body: bytes, header: str | None, *, secret: str, tolerance: int) -> None:
    """Refuse a message whose signature is missing, wrong, or older than ``tolerance`` seconds."""
    try:
        signature_verify(body, header, secret=secret, tolerance=tolerance)
    except SignatureError as exc:
        raise WebhookSignatureError(exc.message) from None


def _snapshot(charge: SandboxCharge) -> dict[str, Any]:
    return {
        "id": charge.id,
        "state": charge.state,
        "amount_minor": charge.amount_minor,
        "currency": charge.currency,
        "captured_minor": charge.captured_minor,
        "refunded_minor": charge.refunded_minor,
        "decline_code": charge.decline_code,
        "card_last4": charge.card_last4,
        "metadata": charge.metadata,
    }


def _result(snapshot: Mapping[str, Any]) -> GatewayResult:
    return GatewayResult(
        status=snapshot["state"],
        provider_id=snapshot["id"],
        amount_minor=snapshot["amount_minor"],
        captured_minor=snapshot["captured_minor"],
        refunded_minor=snapshot["refunded_minor"],
        decline_code=snapshot["decline_code"],
        message=snapshot["decline_code"],
        method_summary=f"card •••• {snapshot['card_last4']}",
        raw=dict(snapshot),
    )


def _emit(charge: SandboxCharge, event_type: str, *, first: bool = False) -> None:
    """Queue a message about ``charge`` (inside the provider side's transaction). ``first``: the
    charge was just created with its sequence at 1 already."""
    if not first:
        charge.event_sequence += 1
        charge.save(update_fields=["event_sequence"])
    SandboxWebhook.objects.create(
        event_id=f"tgevt_{secrets.token_hex(10)}",
        charge=charge,
        event_type=event_type,
        payload=_snapshot(charge),
        sequence=charge.event_sequence,
        created_at=timezone.now(),
    )


class _Replayed(Exception):
    def __init__(self, response: dict[str, Any]) -> None:
        self.response = response


def _provider_request(
    *, idempotency_key: str, operation: str, act: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    """Run ``act`` once per idempotency key, in the provider side's own transaction; a repeated
    key gets the first answer (a refusal is answered again as the same refusal)."""
    if not idempotency_key:
        raise GatewayRefusedError("an idempotency key is required", code="missing_key")
    try:
        with transaction.atomic():
            known = SandboxRequest.objects.select_for_update().filter(
                idempotency_key=idempotency_key
            )
            first = known.first()
            if first is not None:
                SandboxRequest.objects.filter(pk=first.pk).update(replays=F("replays") + 1)
                raise _Replayed(first.response)
            try:
                response = act()
            except GatewayRefusedError as refused:
                response = {"refused": str(refused), "code": refused.code}
            SandboxRequest.objects.create(
                idempotency_key=idempotency_key,
                operation=operation,
                charge_id=str(response.get("id", response.get("charge", ""))),
                response=response,
                created_at=timezone.now(),
            )
    except _Replayed as replayed:
        response = replayed.response
    except IntegrityError:
        # The same key at the same moment: the first one's answer is the answer.
        response = SandboxRequest.objects.get(idempotency_key=idempotency_key).response
    if "refused" in response:
        raise GatewayRefusedError(response["refused"], code=response["code"])
    return response


def _locked_charge(charge_id: str) -> SandboxCharge:
    charge = SandboxCharge.objects.select_for_update().filter(pk=charge_id).first()
    if charge is None:
        raise GatewayRefusedError(f"no such charge: {charge_id}", code="resource_missing")
    return charge


class TestGateway:
    """The store's side of the test gateway: calls its provider side and reads its webhooks."""

    __test__ = False  # not a pytest test class

    def __init__(self, *, code: str = "test", webhook_tolerance: int | None = None) -> None:
        self.code = code
        self.tolerance = (
            webhook_tolerance
            if webhook_tolerance is not None
            else settings.PAYMENTS_WEBHOOK_TOLERANCE_SECONDS
        )

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
        number = "".join(ch for ch in str(method.get("card_number", "")) if ch.isdigit())
        if len(number) < 12:
            raise GatewayRefusedError("the card number is not valid", code="invalid_number")

        def act() -> dict[str, Any]:
            decline = DECLINES.get(number, "")
            if decline:
                state = FAILED
            elif number == CARD_REQUIRES_ACTION:
                state = REQUIRES_ACTION
            else:
                state = CAPTURED if capture else AUTHORISED
            charge = SandboxCharge.objects.create(
                id=f"tgch_{secrets.token_hex(10)}",
                amount_minor=amount_minor,
                currency=currency,
                card_last4=number[-4:],
                state=state,
                captured_minor=amount_minor if state == CAPTURED else 0,
                decline_code=decline,
                metadata={
                    "reference": reference,
                    "storeteam_payment": str(store_payment_id),
                    "answer_lost": number == CARD_ANSWER_LOST,
                    "capture": capture,
                },
                event_sequence=1,  # the message below is its first
                created_at=timezone.now(),
            )
            _emit(charge, f"payment.{state}", first=True)
            return _snapshot(charge)

        response = _provider_request(
            idempotency_key=idempotency_key, operation="authorise", act=act
        )
        if response["metadata"].get("answer_lost") and not _already_answered(idempotency_key):
            # The provider acted; the answer never reached the store. Only the first call loses
            # it, so a retry with the same key (which the provider answers from its records) works.
            raise GatewayUnavailableError("the connection to the test gateway was reset")
        return _result(response)

    def capture(
        self, *, provider_id: str, amount_minor: int, idempotency_key: str
    ) -> GatewayResult:
        def act() -> dict[str, Any]:
            charge = _locked_charge(provider_id)
            if charge.state == CAPTURED:
                raise GatewayRefusedError("the charge is already captured", code="already_captured")
            if charge.state != AUTHORISED:
                raise GatewayRefusedError(
                    f"a {charge.state} charge cannot be captured", code="not_capturable"
                )
            if not 0 < amount_minor <= charge.amount_minor:
                raise GatewayRefusedError("the amount is not capturable", code="amount_too_large")
            charge.state = CAPTURED
            charge.captured_minor = amount_minor
            charge.save(update_fields=["state", "captured_minor"])
            _emit(charge, "payment.captured")
            return _snapshot(charge)

        return _result(
            _provider_request(idempotency_key=idempotency_key, operation="capture", act=act)
        )

    def void(self, *, provider_id: str, idempotency_key: str) -> GatewayResult:
        def act() -> dict[str, Any]:
            charge = _locked_charge(provider_id)
            if charge.state not in (AUTHORISED, REQUIRES_ACTION):
                raise GatewayRefusedError(
                    f"a {charge.state} charge cannot be voided", code="not_voidable"
                )
            charge.state = VOIDED
            charge.save(update_fields=["state"])
            _emit(charge, "payment.voided")
            return _snapshot(charge)

        return _result(
            _provider_request(idempotency_key=idempotency_key, operation="void", act=act)
        )

    def refund(
        self, *, provider_id: str, amount_minor: int, reason: str, idempotency_key: str
    ) -> RefundResult:
        def act() -> dict[str, Any]:
            charge = _locked_charge(provider_id)
            if charge.state != CAPTURED:
                raise GatewayRefusedError(
                    f"a {charge.state} charge cannot be refunded", code="not_refundable"
                )
            if amount_minor <= 0 or charge.refunded_minor + amount_minor > charge.captured_minor:
                raise GatewayRefusedError(
                    "the refund is more than what is left", code="amount_too_large"
                )
            charge.refunded_minor += amount_minor
            charge.save(update_fields=["refunded_minor"])
            _emit(charge, "payment.refunded")
            return {
                "refund": f"tgre_{secrets.token_hex(10)}",
                "charge": charge.id,
                "amount_minor": amount_minor,
                "reason": reason[:200],
            }

        response = _provider_request(idempotency_key=idempotency_key, operation="refund", act=act)
        return RefundResult(
            status=REFUND_SUCCEEDED,
            provider_refund_id=response["refund"],
            amount_minor=response["amount_minor"],
            raw=response,
        )

    def retrieve(self, *, provider_id: str, store_payment_id: int) -> GatewayResult | None:
        charges = SandboxCharge.objects.all()
        if provider_id:
            charge = charges.filter(pk=provider_id).first()
        else:
            charge = charges.filter(metadata__storeteam_payment=str(store_payment_id)).first()
        return _result(_snapshot(charge)) if charge is not None else None

    def webhook_parse(self, *, headers: Mapping[str, str], body: bytes) -> WebhookMessage | None:
        webhook_verify(
            body, headers.get(SIGNATURE_HEADER), secret=webhook_secret(), tolerance=self.tolerance
        )
        try:
            message = json.loads(body)
            charge = message["data"]["charge"]
            status = message["type"].removeprefix("payment.")
            metadata = charge.get("metadata") or {}
            return WebhookMessage(
                event_id=str(message["id"]),
                event_type=str(message["type"]),
                provider_payment_id=str(charge["id"]),
                status=charge["state"] if status != "refunded" else CAPTURED,
                created_at=datetime.fromtimestamp(int(message["created"]), tz=UTC),
                sequence=int(message["sequence"]),
                captured_minor=int(charge["captured_minor"]),
                refunded_minor=int(charge["refunded_minor"]),
                decline_code=str(charge.get("decline_code", "")),
                store_payment_id=int(metadata["storeteam_payment"])
                if metadata.get("storeteam_payment")
                else None,
                payload=message,
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise WebhookSignatureError(_("The webhook's body cannot be read.")) from exc


def _already_answered(idempotency_key: str) -> bool:
    """Whether the provider side has answered this key more than once (a retry)."""
    return SandboxRequest.objects.filter(idempotency_key=idempotency_key, replays__gt=0).exists()


# --- the provider side's own controls: what a shopper or the provider does -------------------


def sandbox_confirm(*, provider_id: str, succeed: bool = True) -> None:
    """The shopper finishes (or fails) the 3-D Secure step of a charge that waits for it; the
    provider side queues the webhook that tells the store. A charge asked as a sale
    (``capture=True``) is captured in full on confirmation, otherwise it is authorised."""
    with transaction.atomic():
        charge = _locked_charge(provider_id)
        if charge.state != REQUIRES_ACTION:
            raise GatewayRefusedError(f"a {charge.state} charge needs no confirmation")
        if not succeed:
            charge.state = FAILED
        elif (charge.metadata or {}).get("capture"):
            charge.state = CAPTURED
            charge.captured_minor = charge.amount_minor
        else:
            charge.state = AUTHORISED
        charge.decline_code = "" if succeed else "authentication_failed"
        charge.save(update_fields=["state", "captured_minor", "decline_code"])
        _emit(charge, f"payment.{charge.state}")


def sandbox_webhook_body(webhook: SandboxWebhook) -> bytes:
    return json.dumps(
        {
            "id": webhook.event_id,
            "type": webhook.event_type,
            "created": int(webhook.created_at.timestamp()),
            "sequence": webhook.sequence,
            "data": {"charge": webhook.payload},
        },
        sort_keys=True,
    ).encode()


def sandbox_webhooks(
    *, provider_id: str | None = None, unsent_only: bool = True
) -> list[SandboxWebhook]:
    webhooks = SandboxWebhook.objects.all()
    if provider_id:
        webhooks = webhooks.filter(charge_id=provider_id)
    if unsent_only:
        webhooks = webhooks.filter(sent_count=0)
    return list(webhooks.order_by("created_at", "sequence", "id"))


def sandbox_webhooks_send(
    webhooks: Iterable[SandboxWebhook],
    *,
    post: Callable[[dict[str, str], bytes], int],
    secret: str | None = None,
    timestamp: int | None = None,
) -> list[int]:
    """Send each webhook, in the order given (reverse it, repeat it: real providers do), signed
    now (or at ``timestamp``, to play a late or replayed message). Returns each answer's status."""
    statuses = []
    for webhook in webhooks:
        body = sandbox_webhook_body(webhook)
        header = webhook_sign(body, secret=secret or webhook_secret(), timestamp=timestamp)
        statuses.append(post({SIGNATURE_HEADER: header, "Content-Type": "application/json"}, body))
        SandboxWebhook.objects.filter(pk=webhook.pk).update(sent_count=F("sent_count") + 1)
    return statuses
