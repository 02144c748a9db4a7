"""Payment services (S10): authorise, capture, void, refund, webhooks and reconciliation.

A payment is either authorised and captured later (``payment_authorise``, then
``payment_capture``) or taken in one provider call, a sale (``payment_authorise(...,
capture=True)``): the provider captures the whole amount as soon as it is authorised, and the
payment goes from created (or requires_action, once the shopper confirms) straight to captured.

Three rules hold everywhere (ADR 0007):

1. **The first result of an idempotency key is the result.** Every call to a provider is a
   ``PaymentAttempt`` whose idempotency key is unique; it is written before the call and completed
   after it. A retry with the same key is answered from the attempt, without calling the provider.
2. **No lock is held while the provider is called.** A capture, void or refund is claimed first by
   a conditional UPDATE in a short transaction; the provider is called with no transaction open;
   then the payment row is locked and the answer applied.
3. **A payment only moves forward** (``choices.TRANSITIONS``): a late, repeated or out-of-order
   message from the provider never moves it back, so the end state does not depend on the order
   the messages arrive in. Every move is a ``PaymentTransition`` and a domain event in the outbox.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from storeteam.core.audit import audit_record
from storeteam.core.events import event_publish
from storeteam.core.money import Money, MoneyError
from storeteam.payments import events
from storeteam.payments.choices import (
    CAPTURED_STATES,
    AttemptOutcome,
    Operation,
    PaymentState,
    RefundState,
    WebhookOutcome,
    can_move,
)
from storeteam.payments.errors import (
    IdempotencyKeyReusedError,
    PaymentInputError,
    PaymentNotFoundError,
    PaymentOutcomeUnknownError,
    PaymentRefusedError,
    PaymentStateError,
    RefundTooLargeError,
)
from storeteam.payments.gateways import gateway_for
from storeteam.payments.gateways.base import (
    AUTHORISED,
    CAPTURED,
    FAILED,
    REFUND_FAILED,
    REQUIRES_ACTION,
    VOIDED,
    GatewayRefusedError,
    GatewayResult,
    GatewayUnavailableError,
    RefundResult,
)
from storeteam.payments.models import (
    Payment,
    PaymentAttempt,
    PaymentTransition,
    Refund,
    WebhookEvent,
)

logger = logging.getLogger(__name__)
T = TypeVar("T")
Source = PaymentTransition.Source

STATE_OF_STATUS = {
    REQUIRES_ACTION: PaymentState.REQUIRES_ACTION,
    AUTHORISED: PaymentState.AUTHORISED,
    CAPTURED: PaymentState.CAPTURED,
    VOIDED: PaymentState.VOIDED,
    FAILED: PaymentState.FAILED,
}
OPEN_OUTCOMES = (AttemptOutcome.PENDING, AttemptOutcome.UNKNOWN)


@dataclass(frozen=True)
class WebhookReceipt:
    """What became of a webhook: its stored row, whether it was a repeat, and its outcome."""

    event: WebhookEvent | None
    duplicate: bool
    outcome: str


@dataclass
class ReconcileReport:
    attempts_settled: int = 0
    payments_settled: int = 0
    flagged: int = 0
    unreachable: int = 0


# --- helpers ------------------------------------------------------------------------------


def _key(idempotency_key: str) -> str:
    key = (idempotency_key or "").strip()
    if not key or len(key) > 200:
        raise PaymentInputError(_("An idempotency key of 1 to 200 characters is required."))
    return key


def _money(amount: Decimal | str | int, currency: str) -> Money:
    try:
        money = Money(amount, currency)
    except MoneyError as exc:
        raise PaymentInputError(str(exc)) from exc
    if money.amount <= 0:
        raise PaymentInputError(_("The amount must be more than zero."))
    return money


def _timed(call: Callable[[], T]) -> tuple[T | None, Exception | None, int]:
    """Call the provider, timing it; a refusal or an unknown outcome is returned, not raised."""
    started = time.monotonic()
    try:
        value = call()
        error: Exception | None = None
    except (GatewayRefusedError, GatewayUnavailableError) as exc:
        value, error = None, exc
    except Exception as exc:
        # Anything else (an SDK surprise, a bug) leaves the provider's side unknown.
        logger.exception("payment provider call failed unexpectedly")
        value, error = None, GatewayUnavailableError(f"{type(exc).__name__}: {exc}")
    return value, error, int((time.monotonic() - started) * 1000)


def _payment(payment_id: int) -> Payment:
    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None:
        raise PaymentNotFoundError(_("There is no such payment."))
    return payment


def _locked(payment_id: int) -> Payment:
    return Payment.objects.select_for_update().get(pk=payment_id)


def _event_fields(payment: Payment) -> dict[str, Any]:
    return {
        "payment_id": payment.pk,
        "reference": payment.reference,
        "gateway": payment.gateway,
        "amount": payment.amount,
        "currency": payment.currency,
    }


def _replay(key: str, operation: str, request: Mapping[str, Any]) -> PaymentAttempt | None:
    """The attempt already made with this key, or None. A key used for another request is
    refused: its first result belongs to that request."""
    attempt = (
        PaymentAttempt.objects.select_related("payment", "refund")
        .filter(idempotency_key=key)
        .first()
    )
    if attempt is None:
        return None
    if attempt.operation != operation or attempt.request != dict(request):
        raise IdempotencyKeyReusedError(
            _("This idempotency key was already used for a different payment request.")
        )
    return attempt


def _first_result(attempt: PaymentAttempt) -> Payment:
    """Answer a repeated key from its attempt, exactly as the first call was answered."""
    if attempt.outcome in OPEN_OUTCOMES:
        raise PaymentOutcomeUnknownError(
            _("The payment provider has not answered this request yet; it will be checked again.")
        )
    if attempt.outcome == AttemptOutcome.DECLINED and attempt.operation != Operation.AUTHORISE:
        raise PaymentRefusedError(attempt.error or _("The payment provider refused the request."))
    return _payment(attempt.payment_id)


def _transition(payment: Payment, to_state: str, *, source: str, detail: str = "") -> None:
    """Move ``payment`` (locked by the caller) to ``to_state``; record it and tell the others."""
    now = timezone.now()
    PaymentTransition.objects.create(
        payment=payment,
        from_state=payment.state,
        to_state=to_state,
        source=source,
        detail=detail[:300],
        at=now,
    )
    payment.state = to_state
    payment.updated_at = now
    fields = _event_fields(payment)
    event: events.PaymentEvent | None = None
    if to_state == PaymentState.REQUIRES_ACTION:
        event = events.PaymentActionRequired(**fields)
    elif to_state == PaymentState.AUTHORISED:
        event = events.PaymentAuthorised(**fields)
    elif to_state == PaymentState.CAPTURED:
        event = events.PaymentCaptured(**fields, captured_amount=payment.captured_amount)
    elif to_state == PaymentState.FAILED:
        event = events.PaymentFailed(**fields, reason=payment.failure_reason)
    elif to_state == PaymentState.VOIDED:
        event = events.PaymentVoided(**fields)
    if event is not None:
        event_publish(event)


def _apply_status(
    payment: Payment, result: GatewayResult, *, source: str, detail: str = ""
) -> bool:
    """Bring ``payment`` (locked) to where the provider says it is, if that is forward of where
    it is now. Returns whether it moved. The caller saves the payment."""
    if result.provider_id and not payment.provider_id:
        payment.provider_id = result.provider_id
    if result.method_summary and not payment.method_summary:
        payment.method_summary = result.method_summary[:60]
    target = STATE_OF_STATUS[result.status]
    if target == PaymentState.CAPTURED and payment.state in CAPTURED_STATES:
        return False
    if not can_move(payment.state, target):
        return False
    if target == PaymentState.CAPTURED:
        captured = result.captured_minor or payment.money.minor
        payment.captured_amount = Money.from_minor(captured, payment.currency).amount
    if target == PaymentState.FAILED:
        payment.failure_reason = (result.decline_code or result.message or "declined")[:200]
    _transition(payment, target, source=source, detail=detail)
    return True


def _attempt_close(
    attempt: PaymentAttempt,
    outcome: str,
    *,
    response: Mapping[str, Any] | None = None,
    error: str = "",
    duration_ms: int | None = None,
) -> None:
    attempt.outcome = outcome
    if response is not None:
        attempt.response = dict(response)
    attempt.error = error[:4000]
    if duration_ms is not None:
        attempt.duration_ms = duration_ms
    attempt.finished_at = timezone.now()
    attempt.save(update_fields=["outcome", "response", "error", "duration_ms", "finished_at"])


def _result_response(result: GatewayResult) -> dict[str, Any]:
    return {
        "status": result.status,
        "provider_id": result.provider_id,
        "captured_minor": result.captured_minor,
        "decline_code": result.decline_code,
        "message": result.message[:300],
    }


def _finish(
    attempt: PaymentAttempt,
    result: GatewayResult | None,
    error: Exception | None,
    duration_ms: int,
    *,
    source: str = Source.STORE,
) -> Payment:
    """Apply a provider's answer to the attempt's payment, under the payment's row lock."""
    with transaction.atomic():
        payment = _locked(attempt.payment_id)
        if result is not None:
            outcome = {
                REQUIRES_ACTION: AttemptOutcome.REQUIRES_ACTION,
                FAILED: AttemptOutcome.DECLINED,
            }.get(result.status, AttemptOutcome.SUCCEEDED)
            _attempt_close(
                attempt, outcome, response=_result_response(result), duration_ms=duration_ms
            )
            _apply_status(payment, result, source=source, detail=attempt.operation)
            payment.operation_in_flight = ""
        elif isinstance(error, GatewayRefusedError):
            _attempt_close(
                attempt,
                AttemptOutcome.DECLINED,
                response={"code": error.code},
                error=str(error),
                duration_ms=duration_ms,
            )
            payment.operation_in_flight = ""
            if attempt.operation == Operation.AUTHORISE and can_move(
                payment.state, PaymentState.FAILED
            ):
                payment.failure_reason = error.code[:200]
                _transition(payment, PaymentState.FAILED, source=source, detail=str(error))
        else:
            # Unknown: the claim stays, so nothing else is tried until reconciliation settles it.
            _attempt_close(
                attempt, AttemptOutcome.UNKNOWN, error=str(error), duration_ms=duration_ms
            )
        payment.updated_at = timezone.now()
        payment.save()
    if isinstance(error, GatewayUnavailableError):
        raise PaymentOutcomeUnknownError(
            _("The payment provider did not answer; the payment will be checked again shortly.")
        )
    if isinstance(error, GatewayRefusedError) and attempt.operation != Operation.AUTHORISE:
        raise PaymentRefusedError(str(error))
    return payment


def _method_summary(method: Mapping[str, str]) -> dict[str, str]:
    """What of the means of payment is kept: never a full card number."""
    summary: dict[str, str] = {}
    number = "".join(ch for ch in str(method.get("card_number", "")) if ch.isdigit())
    if number:
        summary["card_last4"] = number[-4:]
    if method.get("payment_method"):
        summary["payment_method"] = str(method["payment_method"])[:100]
    return summary


# --- the store's requests -------------------------------------------------------------------


def payment_authorise(
    *,
    reference: str,
    amount: Decimal | str | int,
    currency: str,
    method: Mapping[str, str],
    idempotency_key: str,
    gateway: str = "test",
    capture: bool = False,
) -> Payment:
    """Create a payment of ``amount`` for ``reference`` and ask ``gateway`` to authorise it.

    Returns the payment: ``authorised``, ``requires_action`` (the provider's webhook finishes it),
    or ``failed`` (declined; ``failure_reason`` says why). With ``capture`` it is a sale: the
    provider captures the whole amount as soon as it authorises it, in the same call, so the
    payment is ``captured`` instead of ``authorised`` (and a confirmation the shopper gives later
    arrives as captured too); nothing is left for ``payment_capture``.

    A repeated ``idempotency_key`` returns the payment of the first call without calling the
    provider; the same key with a different request (a sale is not an authorisation only) raises
    ``IdempotencyKeyReusedError``. Raises ``PaymentOutcomeUnknownError`` when the provider's
    answer was lost (the reconciliation job settles the payment).
    """
    reference = (reference or "").strip()
    if not reference or len(reference) > 100:
        raise PaymentInputError(_("A payment needs a reference of 1 to 100 characters."))
    key = _key(idempotency_key)
    money = _money(amount, currency)
    provider = gateway_for(gateway)
    request: dict[str, Any] = {
        "reference": reference,
        "amount": str(money.amount),
        "currency": money.currency,
        "gateway": gateway,
        "method": _method_summary(method),
    }
    if capture:
        # Only when asked, so the requests of keys recorded without it still compare equal.
        request["capture"] = True
    now = timezone.now()
    try:
        # A repeated key fails on the attempt's unique key (a concurrent request with the same
        # key waits for the first to commit) and is answered from the first attempt.
        with transaction.atomic():
            payment = Payment.objects.create(
                reference=reference,
                gateway=gateway,
                amount=money.amount,
                currency=money.currency,
                created_at=now,
                updated_at=now,
            )
            attempt = PaymentAttempt.objects.create(
                payment=payment,
                operation=Operation.AUTHORISE,
                idempotency_key=key,
                request=request,
                started_at=now,
            )
    except IntegrityError:
        first = _replay(key, Operation.AUTHORISE, request)
        if first is None:
            raise
        return _first_result(first)
    result, error, duration = _timed(
        lambda: provider.authorise(
            amount_minor=money.minor,
            currency=money.currency,
            method=method,
            reference=reference,
            store_payment_id=payment.pk,
            idempotency_key=key,
            capture=capture,
        )
    )
    return _finish(attempt, result, error, duration)


def _claim(
    *,
    payment: Payment,
    operation: str,
    from_states: frozenset[str],
    key: str,
    request: dict[str, Any],
) -> PaymentAttempt | None:
    """Claim ``operation`` on the payment (one at a time) and record its attempt. None when the
    payment is not in ``from_states`` or another operation holds it."""
    now = timezone.now()
    try:
        with transaction.atomic():
            claimed = Payment.objects.filter(
                pk=payment.pk, state__in=from_states, operation_in_flight=""
            ).update(operation_in_flight=operation, updated_at=now)
            if not claimed:
                return None
            return PaymentAttempt.objects.create(
                payment_id=payment.pk,
                operation=operation,
                idempotency_key=key,
                request=request,
                started_at=now,
            )
    except IntegrityError:
        return None


def payment_capture(
    *, payment_id: int, idempotency_key: str, amount: Decimal | str | None = None
) -> Payment:
    """Capture an authorised payment (all of it, or ``amount``), once.

    Of several captures at the same moment one is claimed and sent to the provider; the others
    raise ``PaymentStateError``. A repeated key returns the first call's result.
    """
    key = _key(idempotency_key)
    payment = _payment(payment_id)
    money = _money(payment.amount if amount is None else amount, payment.currency)
    if money.amount > payment.amount:
        raise PaymentInputError(_("A payment cannot capture more than it authorised."))
    request = {"payment": payment.pk, "amount": str(money.amount)}
    first = _replay(key, Operation.CAPTURE, request)
    if first is not None:
        return _first_result(first)
    attempt = _claim(
        payment=payment,
        operation=Operation.CAPTURE,
        from_states=frozenset({PaymentState.AUTHORISED}),
        key=key,
        request=request,
    )
    if attempt is None:
        first = _replay(key, Operation.CAPTURE, request)
        if first is not None:
            return _first_result(first)
        payment.refresh_from_db()
        raise PaymentStateError(
            _("Only an authorised payment can be captured, once; this one is %(state)s.")
            % {"state": payment.get_state_display()}
        )
    provider = gateway_for(payment.gateway)
    result, error, duration = _timed(
        lambda: provider.capture(
            provider_id=payment.provider_id, amount_minor=money.minor, idempotency_key=key
        )
    )
    return _finish(attempt, result, error, duration)


def payment_void(*, payment_id: int, idempotency_key: str) -> Payment:
    """Release an authorisation (or a payment waiting for the shopper) that will not be captured."""
    key = _key(idempotency_key)
    payment = _payment(payment_id)
    request = {"payment": payment.pk}
    first = _replay(key, Operation.VOID, request)
    if first is not None:
        return _first_result(first)
    attempt = _claim(
        payment=payment,
        operation=Operation.VOID,
        from_states=frozenset({PaymentState.AUTHORISED, PaymentState.REQUIRES_ACTION}),
        key=key,
        request=request,
    )
    if attempt is None:
        first = _replay(key, Operation.VOID, request)
        if first is not None:
            return _first_result(first)
        payment.refresh_from_db()
        raise PaymentStateError(
            _("Only an authorised payment can be voided; this one is %(state)s.")
            % {"state": payment.get_state_display()}
        )
    provider = gateway_for(payment.gateway)
    result, error, duration = _timed(
        lambda: provider.void(provider_id=payment.provider_id, idempotency_key=key)
    )
    return _finish(attempt, result, error, duration)


def _refund_finish(
    attempt: PaymentAttempt,
    result: RefundResult | None,
    error: Exception | None,
    duration_ms: int,
    *,
    settled_outcome: str = AttemptOutcome.SUCCEEDED,
) -> Refund:
    """Apply the provider's answer to a refund under the payment's row lock."""
    assert attempt.refund_id is not None
    with transaction.atomic():
        payment = _locked(attempt.payment_id)
        refund = Refund.objects.select_for_update().get(pk=attempt.refund_id)
        now = timezone.now()
        if result is not None and result.status != REFUND_FAILED:
            _attempt_close(
                attempt,
                settled_outcome,
                response={"status": result.status, "refund": result.provider_refund_id},
                duration_ms=duration_ms,
            )
            payment.refund_pending_amount -= refund.amount
            payment.refunded_amount += refund.amount
            refund.state = RefundState.SUCCEEDED
            refund.provider_refund_id = result.provider_refund_id
            refund.finished_at = now
            refund.save()
            target = (
                PaymentState.REFUNDED
                if payment.refunded_amount >= payment.captured_amount
                else PaymentState.PARTIALLY_REFUNDED
            )
            if target != payment.state:
                _transition(payment, target, source=Source.STORE, detail=f"refund {refund.pk}")
            event_publish(
                events.PaymentRefunded(
                    **_event_fields(payment),
                    refund_id=refund.pk,
                    refunded_amount=refund.amount,
                    total_refunded=payment.refunded_amount,
                )
            )
        elif result is not None or isinstance(error, GatewayRefusedError):
            message = str(error) if error is not None else (result.message if result else "")
            _attempt_close(attempt, AttemptOutcome.DECLINED, error=message, duration_ms=duration_ms)
            payment.refund_pending_amount -= refund.amount
            refund.state = RefundState.FAILED
            refund.failure_reason = message[:200]
            refund.finished_at = now
            refund.save()
        else:
            _attempt_close(
                attempt, AttemptOutcome.UNKNOWN, error=str(error), duration_ms=duration_ms
            )
        payment.updated_at = now
        payment.save()
    if isinstance(error, GatewayUnavailableError):
        raise PaymentOutcomeUnknownError(
            _("The payment provider did not answer; the refund will be checked again shortly.")
        )
    if refund.state == RefundState.FAILED:
        raise PaymentRefusedError(refund.failure_reason or _("The refund was refused."))
    return refund


def payment_refund(
    *,
    payment_id: int,
    amount: Decimal | str,
    reason: str,
    idempotency_key: str,
    actor: Any = None,
) -> Refund:
    """Give back ``amount`` of a captured payment (in part or in full), audited as ``actor``.

    The amount is reserved against what is left to refund in one conditional UPDATE before the
    provider is called, so refunds together never exceed the captured amount, even at the same
    moment (the CHECK constraint ``payment_refunds_within_captured`` backs it). Raises
    ``RefundTooLargeError`` when it would, ``PaymentStateError`` when nothing was captured.
    """
    key = _key(idempotency_key)
    reason = (reason or "").strip()
    if not reason or len(reason) > 300:
        raise PaymentInputError(_("A refund needs a reason of 1 to 300 characters."))
    payment = _payment(payment_id)
    money = _money(amount, payment.currency)
    request = {"payment": payment.pk, "amount": str(money.amount), "reason": reason}
    first = _replay(key, Operation.REFUND, request)
    if first is not None:
        _first_result(first)
        assert first.refund is not None
        return first.refund
    now = timezone.now()
    attempt: PaymentAttempt | None = None
    try:
        with transaction.atomic():
            room = F("refunded_amount") + F("refund_pending_amount") + Value(money.amount)
            claimed = Payment.objects.filter(
                Q(pk=payment.pk)
                & Q(state__in=[PaymentState.CAPTURED, PaymentState.PARTIALLY_REFUNDED])
                & Q(captured_amount__gte=room)
            ).update(
                refund_pending_amount=F("refund_pending_amount") + money.amount, updated_at=now
            )
            if claimed:
                refund = Refund.objects.create(
                    payment_id=payment.pk,
                    amount=money.amount,
                    reason=reason,
                    idempotency_key=key,
                    actor=actor if getattr(actor, "pk", None) else None,
                    actor_label=str(getattr(actor, "email", "") or "system")[:200],
                    created_at=now,
                )
                attempt = PaymentAttempt.objects.create(
                    payment_id=payment.pk,
                    refund=refund,
                    operation=Operation.REFUND,
                    idempotency_key=key,
                    request=request,
                    started_at=now,
                )
                audit_record(
                    actor=actor,
                    action="payment.refund",
                    target=payment,
                    after={"amount": str(money.amount), "currency": money.currency},
                    reason=reason,
                )
    except IntegrityError:
        attempt = None
    if attempt is None:
        first = _replay(key, Operation.REFUND, request)
        if first is not None and first.refund is not None:
            _first_result(first)
            return first.refund
        payment.refresh_from_db()
        if payment.state not in (PaymentState.CAPTURED, PaymentState.PARTIALLY_REFUNDED):
            raise PaymentStateError(
                _("Only a captured payment can be refunded; this one is %(state)s.")
                % {"state": payment.get_state_display()}
            )
        raise RefundTooLargeError(
            _("At most %(amount)s %(currency)s is left to refund.")
            % {"amount": payment.refundable.amount, "currency": payment.currency}
        )
    provider = gateway_for(payment.gateway)
    result, error, duration = _timed(
        lambda: provider.refund(
            provider_id=payment.provider_id,
            amount_minor=money.minor,
            reason=reason,
            idempotency_key=key,
        )
    )
    return _refund_finish(attempt, result, error, duration)


# --- the provider's messages -----------------------------------------------------------------


@dataclass(frozen=True)
class BrowserStep:
    """What the provider's script in the shopper's browser needs to finish a payment waiting on
    the shopper (3-D Secure): the gateway and the provider's client secret for this payment."""

    gateway: str
    secret: str


def payment_browser_step(*, reference: str) -> BrowserStep | None:
    """The browser step of the latest payment for ``reference`` that waits on the shopper, or
    None (nothing waits, or its gateway has no browser step). Raises
    ``GatewayUnavailableError`` when the provider cannot be asked now."""
    payment = (
        Payment.objects.filter(reference=reference, state=PaymentState.REQUIRES_ACTION)
        .exclude(provider_id="")
        .order_by("-created_at", "-id")
        .first()
    )
    if payment is None:
        return None
    gateway: Any = gateway_for(payment.gateway)
    if not hasattr(gateway, "browser_secret"):
        return None
    secret = gateway.browser_secret(provider_id=payment.provider_id)
    return BrowserStep(gateway=payment.gateway, secret=secret) if secret else None


def webhook_receive(*, provider: str, headers: Mapping[str, str], body: bytes) -> WebhookReceipt:
    """Verify, store once and apply a provider's webhook.

    Raises ``WebhookSignatureError`` for a bad, tampered or too old signature (nothing stored) and
    ``UnknownGatewayError`` for a provider the store does not use. A message seen before (same
    provider event id) is counted and changes nothing. Otherwise the payment is brought forward
    to the state the message reports, under its row lock, in one transaction with the stored
    message; a message older than what the store knows is kept with the outcome ``stale``.
    """
    gateway = gateway_for(provider)
    message = gateway.webhook_parse(headers=headers, body=body)
    if message is None:
        return WebhookReceipt(event=None, duplicate=False, outcome=WebhookOutcome.IGNORED)
    now = timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                stored = WebhookEvent.objects.create(
                    provider=provider,
                    event_id=message.event_id[:200],
                    event_type=message.event_type[:100],
                    provider_payment_id=message.provider_payment_id[:100],
                    payload=message.payload,
                    provider_created_at=message.created_at,
                    sequence=message.sequence,
                    received_at=now,
                )
        except IntegrityError:
            WebhookEvent.objects.filter(provider=provider, event_id=message.event_id).update(
                duplicates=F("duplicates") + 1
            )
            seen = WebhookEvent.objects.get(provider=provider, event_id=message.event_id)
            return WebhookReceipt(event=seen, duplicate=True, outcome=seen.outcome)
        match = Payment.objects.filter(gateway=provider, provider_id=message.provider_payment_id)
        payment_id = match.values_list("pk", flat=True).first()
        if payment_id is None and message.store_payment_id is not None:
            payment_id = (
                Payment.objects.filter(
                    Q(provider_id="") | Q(provider_id=message.provider_payment_id),
                    pk=message.store_payment_id,
                    gateway=provider,
                )
                .values_list("pk", flat=True)
                .first()
            )
        if payment_id is None:
            stored.outcome = WebhookOutcome.UNKNOWN_PAYMENT
        else:
            payment = _locked(payment_id)
            stored.payment = payment
            stored.outcome = _webhook_apply(payment, message, stored)
            payment.save()
        stored.processed_at = timezone.now()
        stored.save()
    return WebhookReceipt(event=stored, duplicate=False, outcome=stored.outcome)


def _webhook_apply(payment: Payment, message: Any, stored: WebhookEvent) -> str:
    if message.status is None:
        return WebhookOutcome.IGNORED
    before = payment.state
    result = GatewayResult(
        status=message.status,
        provider_id=message.provider_payment_id,
        captured_minor=message.captured_minor,
        decline_code=message.decline_code,
    )
    moved = _apply_status(
        payment, result, source=Source.WEBHOOK, detail=f"{message.event_type} {message.event_id}"
    )
    refunded_elsewhere = _provider_refund_record(payment, message.refunded_minor, stored)
    if moved or refunded_elsewhere:
        payment.updated_at = timezone.now()
        return WebhookOutcome.APPLIED
    target = STATE_OF_STATUS[message.status]
    if target == before or (target == PaymentState.CAPTURED and before in CAPTURED_STATES):
        stored.detail = _("Already %(state)s.") % {"state": payment.get_state_display()}
        return WebhookOutcome.IGNORED
    stored.detail = _("The payment is already %(state)s.") % {"state": payment.get_state_display()}
    return WebhookOutcome.STALE


def _provider_refund_record(payment: Payment, refunded_minor: int, stored: WebhookEvent) -> bool:
    """A refund the provider reports that the store did not ask for (made in the provider's
    dashboard): recorded as a refund, so the store's books match the provider's."""
    if payment.state not in (PaymentState.CAPTURED, PaymentState.PARTIALLY_REFUNDED):
        return False
    known = Money(payment.refunded_amount + payment.refund_pending_amount, payment.currency).minor
    if refunded_minor <= known:
        return False
    extra = Money.from_minor(refunded_minor - known, payment.currency).amount
    extra = min(extra, payment.refundable.amount)
    if extra <= 0:
        return False
    now = timezone.now()
    refund = Refund.objects.create(
        payment=payment,
        amount=extra,
        reason=_("Refunded at the payment provider"),
        state=RefundState.SUCCEEDED,
        idempotency_key=f"webhook-{payment.gateway}-{stored.event_id}"[:200],
        actor_label=payment.gateway,
        created_at=now,
        finished_at=now,
    )
    payment.refunded_amount += extra
    target = (
        PaymentState.REFUNDED
        if payment.refunded_amount >= payment.captured_amount
        else PaymentState.PARTIALLY_REFUNDED
    )
    if target != payment.state:
        _transition(payment, target, source=Source.WEBHOOK, detail=stored.event_id)
    event_publish(
        events.PaymentRefunded(
            **_event_fields(payment),
            refund_id=refund.pk,
            refunded_amount=extra,
            total_refunded=payment.refunded_amount,
        )
    )
    return True


# --- reconciliation ---------------------------------------------------------------------------


def _flag(payment_id: int, reason: str) -> bool:
    """Put the payment on the staff's list with ``reason`` (once), publishing
    ``PaymentNeedsAttention``. Returns whether it was newly flagged."""
    with transaction.atomic():
        payment = _locked(payment_id)
        if payment.needs_attention:
            return False
        payment.needs_attention = True
        payment.attention_reason = reason[:300]
        payment.updated_at = timezone.now()
        payment.save()
        event_publish(events.PaymentNeedsAttention(**_event_fields(payment), reason=reason))
    return True


def payment_flag(*, payment_id: int, reason: str) -> bool:
    """Put the payment on the staff's list with ``reason`` (a payment no order accounts for, a
    refund that could not be made ...). Returns whether it was newly flagged."""
    return _flag(payment_id, reason)


def _attempt_settle(attempt: PaymentAttempt, report: ReconcileReport) -> None:
    payment = attempt.payment
    gateway = gateway_for(payment.gateway)
    if attempt.operation == Operation.REFUND:
        refund = attempt.refund
        assert refund is not None
        # The same key again: the provider answers with its first answer, or acts now if the
        # first request never reached it. Either way the refund happens once.
        refund_result, error, duration = _timed(
            lambda: gateway.refund(
                provider_id=payment.provider_id,
                amount_minor=Money(refund.amount, payment.currency).minor,
                reason=refund.reason,
                idempotency_key=attempt.idempotency_key,
            )
        )
        if isinstance(error, GatewayUnavailableError):
            report.unreachable += 1
            return
        # A refusal is recorded on the refund, where the staff see it.
        with contextlib.suppress(PaymentRefusedError):
            _refund_finish(
                attempt,
                refund_result,
                error,
                duration,
                settled_outcome=AttemptOutcome.RECONCILED,
            )
        report.attempts_settled += 1
        return
    found, error, duration = _timed(
        lambda: gateway.retrieve(provider_id=payment.provider_id, store_payment_id=payment.pk)
    )
    if error is not None:
        report.unreachable += 1
        return
    with transaction.atomic():
        locked = _locked(payment.pk)
        current = PaymentAttempt.objects.select_for_update().get(pk=attempt.pk)
        if current.outcome not in OPEN_OUTCOMES:
            return
        if found is None:
            if current.operation == Operation.AUTHORISE and can_move(
                locked.state, PaymentState.FAILED
            ):
                locked.failure_reason = "not_received_by_provider"
                _transition(
                    locked,
                    PaymentState.FAILED,
                    source=Source.RECONCILIATION,
                    detail=_("The request never reached the provider."),
                )
            _attempt_close(
                current,
                AttemptOutcome.RECONCILED,
                response={"found": False},
                duration_ms=duration,
            )
        else:
            _attempt_close(
                current,
                AttemptOutcome.RECONCILED,
                response=_result_response(found),
                duration_ms=duration,
            )
            _apply_status(locked, found, source=Source.RECONCILIATION, detail=current.operation)
        locked.operation_in_flight = ""
        locked.updated_at = timezone.now()
        locked.save()
    report.attempts_settled += 1


def _payment_settle(payment: Payment, waiting_reason: str, report: ReconcileReport) -> None:
    gateway = gateway_for(payment.gateway)
    found, error, _duration = _timed(
        lambda: gateway.retrieve(provider_id=payment.provider_id, store_payment_id=payment.pk)
    )
    if error is not None:
        report.unreachable += 1
        return
    if found is not None:
        with transaction.atomic():
            locked = _locked(payment.pk)
            moved = _apply_status(
                locked, found, source=Source.RECONCILIATION, detail="looked up at the provider"
            )
            locked.save()
        if moved:
            report.payments_settled += 1
            return
    if _flag(payment.pk, waiting_reason):
        report.flagged += 1


def payments_reconcile(*, now: datetime | None = None) -> ReconcileReport:
    """Settle what was left half-done; flag for staff what cannot be settled.

    1. An attempt without an answer (the provider's answer was lost, or the worker stopped during
       the call and the attempt is older than ``PAYMENTS_ATTEMPT_TIMEOUT_SECONDS``): the payment
       is looked up at the provider and brought to where the provider has it (a refund is asked
       again with the same idempotency key, which the provider answers once).
    2. A payment waiting for the shopper longer than ``PAYMENTS_ACTION_TIMEOUT_SECONDS``, or
       authorised and not captured for ``PAYMENTS_CAPTURE_DEADLINE_SECONDS``: looked up; if the
       provider has it where the store has it, it is flagged (``needs_attention``) for staff.

    Calls the provider with no transaction open. Safe to run on several workers at once: every
    result is applied under the payment's row lock and only moves a payment forward.
    """
    now = now or timezone.now()
    report = ReconcileReport()
    stale = now - timedelta(seconds=settings.PAYMENTS_ATTEMPT_TIMEOUT_SECONDS)
    open_attempts = (
        PaymentAttempt.objects.select_related("payment", "refund")
        .filter(
            Q(outcome=AttemptOutcome.UNKNOWN)
            | Q(outcome=AttemptOutcome.PENDING, started_at__lt=stale)
        )
        .order_by("pk")
    )
    for attempt in open_attempts:
        _attempt_settle(attempt, report)
    waiting = Payment.objects.filter(
        state=PaymentState.REQUIRES_ACTION,
        needs_attention=False,
        updated_at__lt=now - timedelta(seconds=settings.PAYMENTS_ACTION_TIMEOUT_SECONDS),
    )
    for payment in waiting:
        _payment_settle(
            payment,
            _("The shopper has not confirmed the payment for too long."),
            report,
        )
    uncaptured = Payment.objects.filter(
        state=PaymentState.AUTHORISED,
        needs_attention=False,
        operation_in_flight="",
        updated_at__lt=now - timedelta(seconds=settings.PAYMENTS_CAPTURE_DEADLINE_SECONDS),
    )
    for payment in uncaptured:
        _payment_settle(
            payment,
            _("Authorised long ago and not captured; the authorisation will expire."),
            report,
        )
    return report


def payment_attention_clear(*, payment_id: int, actor: Any, note: str = "") -> Payment:
    """Take a flagged payment off the staff's list once someone has dealt with it (audited)."""
    with transaction.atomic():
        payment = _locked(payment_id)
        before = {"needs_attention": payment.needs_attention, "reason": payment.attention_reason}
        payment.needs_attention = False
        payment.attention_reason = ""
        payment.updated_at = timezone.now()
        payment.save()
        audit_record(
            actor=actor,
            action="payment.attention_clear",
            target=payment,
            before=before,
            after={"needs_attention": False},
            reason=note,
        )
    return payment
