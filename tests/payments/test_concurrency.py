"""Captures and refunds of one payment from many threads at once, on real connections (SQLite and
PostgreSQL, whichever the suite runs on): exactly one capture, refunds never above the capture."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from storeteam.core.models import OutboxEvent
from storeteam.payments.choices import PaymentState
from storeteam.payments.errors import (
    PaymentOutcomeUnknownError,
    PaymentStateError,
    RefundTooLargeError,
)
from storeteam.payments.gateways.testgateway import CARD_SUCCEEDS
from storeteam.payments.models import Payment, Refund, SandboxCharge, SandboxRequest
from storeteam.payments.services import payment_authorise, payment_capture, payment_refund

THREADS = 8


def run_together(work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in THREADS threads released at the same moment; collect results/errors."""
    barrier = threading.Barrier(THREADS)
    results: list[Any] = [None] * THREADS

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def authorised(amount: str = "100.00") -> Payment:
    payment = payment_authorise(
        reference="checkout-race",
        amount=amount,
        currency="EUR",
        method={"card_number": CARD_SUCCEEDS},
        idempotency_key="auth-race",
    )
    assert payment.state == PaymentState.AUTHORISED
    return payment


@pytest.mark.django_db(transaction=True)
def test_concurrent_captures_of_one_payment_make_exactly_one_capture() -> None:
    payment = authorised()
    results = run_together(
        lambda i: payment_capture(payment_id=payment.pk, idempotency_key=f"cap-{i}")
    )
    captured = [r for r in results if isinstance(r, Payment)]
    refused = [r for r in results if isinstance(r, PaymentStateError)]
    assert (len(captured), len(refused)) == (1, THREADS - 1), results
    payment.refresh_from_db()
    assert payment.state == PaymentState.CAPTURED
    assert payment.operation_in_flight == ""
    assert SandboxRequest.objects.filter(operation="capture").count() == 1
    assert SandboxCharge.objects.get().captured_minor == 10000
    assert OutboxEvent.objects.filter(name="payments.PaymentCaptured").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_captures_with_the_same_key_make_one_capture() -> None:
    payment = authorised()
    results = run_together(
        lambda i: payment_capture(payment_id=payment.pk, idempotency_key="cap-same")
    )
    # Whoever came later got the first result, or (while the first call was still with the
    # provider) was told its answer is not in yet; nobody captured again.
    assert all(isinstance(r, Payment | PaymentOutcomeUnknownError) for r in results), results
    assert any(isinstance(r, Payment) for r in results)
    assert SandboxRequest.objects.filter(operation="capture").count() == 1
    payment.refresh_from_db()
    assert payment.state == PaymentState.CAPTURED


@pytest.mark.django_db(transaction=True)
def test_concurrent_refunds_never_exceed_the_captured_amount() -> None:
    payment = authorised("100.00")
    payment_capture(payment_id=payment.pk, idempotency_key="cap")
    # 8 refunds of 30.00 at once against 100.00 captured: at most 3 fit.
    results = run_together(
        lambda i: payment_refund(
            payment_id=payment.pk, amount="30.00", reason="race", idempotency_key=f"ref-{i}"
        )
    )
    made = [r for r in results if isinstance(r, Refund)]
    refused = [r for r in results if isinstance(r, RefundTooLargeError)]
    assert (len(made), len(refused)) == (3, THREADS - 3), results
    payment.refresh_from_db()
    assert payment.refunded_amount == Decimal("90.00")
    assert payment.refund_pending_amount == Decimal("0")
    assert payment.state == PaymentState.PARTIALLY_REFUNDED
    assert SandboxCharge.objects.get().refunded_minor == 9000
    assert Refund.objects.count() == 3
