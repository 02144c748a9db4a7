"""The payments workspace: who sees it, who may refund, and that a refused refund writes nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from storeteam.payments.gateways.testgateway import CARD_SUCCEEDS
from storeteam.payments.models import Payment, Refund
from storeteam.payments.services import payment_authorise, payment_capture

pytestmark = pytest.mark.django_db


@pytest.fixture
def captured() -> Payment:
    payment = payment_authorise(
        reference="order-77",
        amount="80.00",
        currency="SEK",
        method={"card_number": CARD_SUCCEEDS},
        idempotency_key="auth-77",
    )
    return payment_capture(payment_id=payment.pk, idempotency_key="cap-77")


def client_for(staff_factory: Any, role: str) -> Client:
    client = Client()
    client.force_login(staff_factory(role=role))
    return client


def refund_post(client: Client, payment: Payment, amount: str, key: str = "k1") -> Any:
    return client.post(
        f"/staff/payments/{payment.pk}/refund/",
        {"amount": amount, "reason": "Broken on arrival", "idempotency_key": key},
    )


def test_finance_sees_the_payment_and_refunds_part_of_it(
    staff_factory: Any, captured: Payment
) -> None:
    client = client_for(staff_factory, "finance")
    listing = client.get("/staff/payments/").content.decode()
    assert "order-77" in listing
    detail = client.get(f"/staff/payments/{captured.pk}/").content.decode()
    assert "Calls to the provider" in detail
    assert "cap-77" in detail
    assert f'action="/staff/payments/{captured.pk}/refund/"' in detail
    response = refund_post(client, captured, "20.00")
    assert response.status_code == 302
    # The same form sent twice (a double click) refunds once.
    assert refund_post(client, captured, "20.00").status_code == 302
    captured.refresh_from_db()
    assert captured.refunded_amount == Decimal("20.00")
    assert Refund.objects.count() == 1


def test_an_over_refund_is_shown_as_an_error_and_nothing_is_written(
    staff_factory: Any, captured: Payment
) -> None:
    client = client_for(staff_factory, "finance")
    response = refund_post(client, captured, "80.01")
    assert response.status_code == 400
    assert "At most 80.00 SEK is left to refund." in response.content.decode()
    assert Refund.objects.count() == 0


def test_customer_service_sees_payments_but_cannot_refund(
    staff_factory: Any, captured: Payment
) -> None:
    client = client_for(staff_factory, "customer_service_agent")
    assert client.get("/staff/payments/").status_code == 200
    detail = client.get(f"/staff/payments/{captured.pk}/").content.decode()
    assert "/refund/" not in detail
    assert refund_post(client, captured, "10.00").status_code == 403
    assert Refund.objects.count() == 0
    captured.refresh_from_db()
    assert captured.refunded_amount == Decimal("0")


def test_marketing_cannot_see_payments(staff_factory: Any, captured: Payment) -> None:
    client = client_for(staff_factory, "marketing_manager")
    assert client.get("/staff/payments/").status_code == 403
    assert client.get(f"/staff/payments/{captured.pk}/").status_code == 403
    assert 'href="/staff/payments/"' not in client.get("/staff/").content.decode()


def test_the_payments_page_is_translated(staff_factory: Any, captured: Payment) -> None:
    client = client_for(staff_factory, "finance")
    page = client.get("/staff/payments/", headers={"accept-language": "sv"}).content.decode()
    assert "Betalningar" in page
