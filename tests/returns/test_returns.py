"""Returns (R1): request within the window, approve or reject, receive and inspect (restock
through the ledger or scrap), refund through the payment once, reasons per product."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from storeteam.checkout.services import checkout_place
from storeteam.core.errors import NotFoundError
from storeteam.fulfilment.models import Shipment
from storeteam.fulfilment.services import pack_scan
from storeteam.fulfilment.tracking import shipment_book_and_ship
from storeteam.inventory.models import Stock
from storeteam.orders.choices import OrderStatus
from storeteam.orders.models import Order
from storeteam.payments.models import Payment
from storeteam.returns.models import ReturnReason, ReturnStatus
from storeteam.returns.selectors import return_reasons_by_product
from storeteam.returns.services import (
    ReturnError,
    ReturnLineSpec,
    return_decide,
    return_receive,
    return_refund,
    return_request,
)
from tests.checkout.fixtures import build_shop, cart_with, details
from tests.inventory.fixtures import assert_ledger_balances

pytestmark = pytest.mark.django_db

JACKET = "WOOL-JACKET-M"
SHIRT = "LINEN-SHIRT-S"


def shipped_order(shop: Any, lines: dict[str, int], deliver_events: Any) -> Order:
    cart = cart_with(shop, lines)
    result = checkout_place(cart=cart, key=cart.checkout_key, details=details(), language="sv")
    assert result.order is not None
    deliver_events()
    shipment = Shipment.objects.get(order=result.order)
    for line in shipment.lines.all():
        pack_scan(shipment_id=shipment.pk, code=line.sku, quantity=line.quantity, actor="p")
    shipment_book_and_ship(shipment_id=shipment.pk, carrier="test", service="parcel", actor="p")
    return Order.objects.get(pk=result.order.pk)


def line_of(order: Order, sku: str) -> int:
    return order.lines.get(sku=sku).pk


def test_a_customer_returns_one_line_and_is_refunded_once(deliver_events: Any) -> None:
    shop = build_shop(deliver_events)
    order = shipped_order(shop, {JACKET: 1, SHIRT: 2}, deliver_events)
    assert order.status == OrderStatus.SHIPPED
    se_shirt = Stock.objects.get(warehouse=shop.place.se, variant_id=shop.variants[SHIRT])

    request = return_request(
        order_id=order.pk,
        lines=[ReturnLineSpec(line_of(order, SHIRT), 2, ReturnReason.TOO_SMALL)],
        requested_by="customer",
        customer_id=None,
    )
    return_decide(return_id=request.pk, approve=True, note="", actor="staff:1")
    request.refresh_from_db()
    assert request.warehouse == shop.place.se
    line = request.lines.get()
    return_receive(return_id=request.pk, inspected={line.pk: (1, 1)}, actor="staff:2")
    refunded = return_refund(return_id=request.pk, actor="staff:1")
    again = return_refund(return_id=request.pk, actor="staff:1")

    assert refunded.status == again.status == ReturnStatus.REFUNDED
    assert refunded.refund_amount == Decimal("900.00")  # 2 x 450; shipping was free anyway
    order.refresh_from_db()
    assert order.refunded_total == Decimal("900.00")
    assert Payment.objects.get().refunded_amount == Decimal("900.00")
    restocked = Stock.objects.get(pk=se_shirt.pk)
    assert restocked.on_hand == se_shirt.on_hand + 1  # one of the two shipped is back in stock
    assert_ledger_balances()
    report = return_reasons_by_product()
    assert [(r.sku, r.returned, r.by_reason) for r in report] == [(SHIRT, 2, {"Too small": 2})]


def test_more_than_was_shipped_or_claimed_cannot_be_returned(deliver_events: Any) -> None:
    shop = build_shop(deliver_events)
    order = shipped_order(shop, {SHIRT: 2}, deliver_events)
    shirt = line_of(order, SHIRT)
    with pytest.raises(ReturnError):
        return_request(
            order_id=order.pk,
            lines=[ReturnLineSpec(shirt, 3, ReturnReason.TOO_SMALL)],
            requested_by="customer",
        )
    return_request(
        order_id=order.pk,
        lines=[ReturnLineSpec(shirt, 2, ReturnReason.TOO_SMALL)],
        requested_by="customer",
    )
    with pytest.raises(ReturnError) as error:
        return_request(
            order_id=order.pk,
            lines=[ReturnLineSpec(shirt, 1, ReturnReason.DAMAGED)],
            requested_by="customer",
        )
    assert "at most 0" in error.value.message


def test_the_return_window_closes(deliver_events: Any, settings: Any) -> None:
    shop = build_shop(deliver_events)
    order = shipped_order(shop, {SHIRT: 1}, deliver_events)
    with pytest.raises(ReturnError) as error:
        return_request(
            order_id=order.pk,
            lines=[ReturnLineSpec(line_of(order, SHIRT), 1, ReturnReason.CHANGED_MIND)],
            requested_by="customer",
            now=timezone.now() + timedelta(days=settings.RETURN_WINDOW_DAYS + 1),
        )
    assert "closed" in error.value.message


def test_a_customer_cannot_return_someone_elses_order(deliver_events: Any, customer: Any) -> None:
    shop = build_shop(deliver_events)
    order = shipped_order(shop, {SHIRT: 1}, deliver_events)
    with pytest.raises(NotFoundError):
        return_request(
            order_id=order.pk,
            lines=[ReturnLineSpec(line_of(order, SHIRT), 1, ReturnReason.CHANGED_MIND)],
            requested_by="customer",
            customer_id=customer.pk,
        )


def test_a_rejected_return_needs_a_reason_and_frees_the_quantity(deliver_events: Any) -> None:
    shop = build_shop(deliver_events)
    order = shipped_order(shop, {SHIRT: 1}, deliver_events)
    spec = [ReturnLineSpec(line_of(order, SHIRT), 1, ReturnReason.CHANGED_MIND)]
    request = return_request(order_id=order.pk, lines=spec, requested_by="staff:3")
    with pytest.raises(ReturnError):
        return_decide(return_id=request.pk, approve=False, note="", actor="staff:1")
    return_decide(return_id=request.pk, approve=False, note="worn", actor="staff:1")
    assert return_request(order_id=order.pk, lines=spec, requested_by="customer").pk


def test_a_whole_order_back_for_the_stores_fault_refunds_the_shipping(
    deliver_events: Any,
) -> None:
    shop = build_shop(deliver_events)
    order = shipped_order(shop, {SHIRT: 1}, deliver_events)  # 450 SEK: shipping 49 paid
    assert order.shipping_total == Decimal("49.00")
    request = return_request(
        order_id=order.pk,
        lines=[ReturnLineSpec(line_of(order, SHIRT), 1, ReturnReason.DAMAGED)],
        requested_by="customer",
    )
    return_decide(return_id=request.pk, approve=True, note="", actor="staff:1")
    return_receive(return_id=request.pk, inspected={request.lines.get().pk: (0, 1)}, actor="w")
    refunded = return_refund(return_id=request.pk, actor="staff:1")

    assert refunded.refund_amount == Decimal("499.00")
    assert Order.objects.get(pk=order.pk).status == OrderStatus.REFUNDED


def test_the_customer_is_emailed_each_decision_and_the_refund_once(deliver_events: Any) -> None:
    from django.core import mail

    shop = build_shop(deliver_events)
    order = shipped_order(shop, {JACKET: 1, SHIRT: 1}, deliver_events)
    approved = return_request(
        order_id=order.pk,
        lines=[ReturnLineSpec(line_of(order, SHIRT), 1, ReturnReason.TOO_SMALL)],
        requested_by="customer",
    )
    rejected = return_request(
        order_id=order.pk,
        lines=[ReturnLineSpec(line_of(order, JACKET), 1, ReturnReason.CHANGED_MIND)],
        requested_by="customer",
    )
    deliver_events()
    mail.outbox.clear()

    return_decide(return_id=approved.pk, approve=True, note="", actor="staff:1")
    return_decide(return_id=rejected.pk, approve=False, note="Worn outdoors", actor="staff:1")
    return_receive(return_id=approved.pk, inspected={approved.lines.get().pk: (1, 0)}, actor="w")
    return_refund(return_id=approved.pk, actor="staff:1")
    deliver_events()
    deliver_events()

    subjects = sorted(m.subject for m in mail.outbox)
    assert len(subjects) == 3
    assert f"Din retur {approved.number} är godkänd · storeteam" in subjects
    assert f"Din retur {approved.number} är återbetald · storeteam" in subjects
    bodies = "\n".join(m.body for m in mail.outbox)
    assert "Stockholm" in bodies  # where to send it
    assert "Worn outdoors" in bodies
    assert "450,00 SEK" in bodies  # in Swedish, with a decimal comma
