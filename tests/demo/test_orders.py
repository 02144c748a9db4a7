"""The demo orders: placed through the real checkout, in the states the order workspace shows,
added once, and every unit of stock still explained by the ledger."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from storeteam.checkout.models import ShippingMethod
from storeteam.demo.orders import demo_orders_build
from storeteam.demo.services import demo_customer_ensure, demo_orders_actor, demo_staff_ensure
from storeteam.inventory.models import Allocation
from storeteam.orders.models import Order
from storeteam.payments.choices import PaymentState
from storeteam.payments.models import Payment
from tests.checkout.fixtures import build_shop
from tests.inventory.fixtures import assert_ledger_balances

pytestmark = pytest.mark.django_db


def test_demo_orders_are_placed_through_checkout_in_every_state(deliver_events: Any) -> None:
    # given a store with stock and the demo's people
    build_shop(deliver_events)
    demo_staff_ensure()
    shopper = demo_customer_ensure()
    actor = demo_orders_actor()
    assert actor.startswith("staff:")

    # when
    summary = demo_orders_build(seed=7, staff_actor=actor)

    # then
    assert summary.created
    assert summary.orders == Order.objects.count() == 12
    states = Counter(Order.objects.values_list("status", flat=True))
    assert states == {
        "allocated": 8,  # of which one flagged for customer service, one partly refunded
        "partly_shipped": 1,
        "shipped": 1,
        "delivered": 1,
        "refunded": 1,  # the cancelled one: captured money goes back in full
    }
    assert dict(states) == summary.by_status
    assert Order.objects.filter(needs_attention=True).count() == 1
    cancelled = Order.objects.get(history__kind="cancelled")
    assert cancelled.status == "refunded"
    assert cancelled.history.get(kind="cancelled").actor == actor
    assert Payment.objects.get(pk=cancelled.payment_id).state == PaymentState.REFUNDED
    assert not Allocation.objects.filter(reference=cancelled.number, released=0).exists()
    partly = Order.objects.get(history__kind="refund", status="allocated")
    assert 0 < partly.refunded_total < partly.total
    assert Payment.objects.get(pk=partly.payment_id).state == PaymentState.PARTIALLY_REFUNDED
    delivered = Order.objects.get(status="delivered")
    assert all(line.quantity_shipped == line.quantity for line in delivered.lines.all())
    assert set(Order.objects.values_list("country", flat=True)) == {"SE", "FR", "NL"}
    assert set(Order.objects.values_list("currency", flat=True)) == {"SEK", "EUR"}
    assert set(Order.objects.values_list("language", flat=True)) == {"sv", "fr", "nl", "en"}
    assert Order.objects.filter(customer__email=shopper.email).count() == 2
    assert Order.objects.filter(customer__isnull=True).count() == 10
    assert set(Order.objects.values_list("shipping_method", flat=True)) == {"postal", "express"}
    postal = ShippingMethod.objects.get(code="postal")
    assert postal.name_in("fr") == "Colis postal"
    assert set(postal.rates.values_list("currency", flat=True)) == {"SEK", "EUR"}
    # shipped through the warehouse's own services: parcels, tracking, and a return in progress
    from storeteam.fulfilment.models import Shipment, ShipmentStatus
    from storeteam.returns.models import ReturnRequest, ReturnStatus

    assert Shipment.objects.filter(order=delivered, status=ShipmentStatus.SHIPPED).exists()
    assert delivered.history.filter(to_status="delivered", actor="carrier").exists()
    partly_shipped = Order.objects.get(status="partly_shipped")
    assert Shipment.objects.filter(order=partly_shipped, status=ShipmentStatus.OPEN).exists()
    assert ReturnRequest.objects.get().status == ReturnStatus.REQUESTED
    deliver_events()  # the allocated orders become parcels for the warehouses to pack
    open_in = set(
        Shipment.objects.filter(status=ShipmentStatus.OPEN).values_list(
            "warehouse__code", flat=True
        )
    )
    assert len(open_in) >= 2
    assert_ledger_balances()


def test_running_the_demo_again_adds_no_orders(deliver_events: Any) -> None:
    build_shop(deliver_events)
    demo_customer_ensure()
    demo_orders_build(seed=7)
    first = sorted(
        (o.email, o.total, tuple(o.lines.values_list("sku", "quantity")))
        for o in Order.objects.all()
    )

    again = demo_orders_build(seed=7)

    assert not again.created
    assert Order.objects.count() == 12
    assert first == sorted(
        (o.email, o.total, tuple(o.lines.values_list("sku", "quantity")))
        for o in Order.objects.all()
    )
    assert_ledger_balances()
