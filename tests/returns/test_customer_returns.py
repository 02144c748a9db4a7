"""A customer returns a line from their account (R1); nobody else's order, nothing unshipped."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from storeteam.checkout.services import checkout_place
from storeteam.fulfilment.models import Shipment
from storeteam.fulfilment.services import pack_scan
from storeteam.fulfilment.tracking import shipment_book_and_ship
from storeteam.orders.models import Order
from storeteam.returns.models import ReturnRequest
from tests.checkout.fixtures import build_shop, cart_with, details
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

SHIRT = "LINEN-SHIRT-S"


def order_for(shop: Any, customer: Any, deliver_events: Any, *, ship: bool) -> Order:
    cart = cart_with(shop, {SHIRT: 2})
    result = checkout_place(
        cart=cart,
        key=cart.checkout_key,
        details=details(email=customer.email),
        language="en",
        customer=customer,
    )
    assert result.order is not None
    deliver_events()
    if ship:
        shipment = Shipment.objects.get(order=result.order)
        pack_scan(shipment_id=shipment.pk, code=SHIRT, quantity=2, actor="p")
        shipment_book_and_ship(shipment_id=shipment.pk, carrier="test", service="parcel", actor="p")
    return Order.objects.get(pk=result.order.pk)


def test_a_customer_returns_a_line_from_the_account(deliver_events: Any) -> None:
    shop = build_shop(deliver_events)
    customer = CustomerFactory()
    order = order_for(shop, customer, deliver_events, ship=True)
    line = order.lines.get()
    client = Client()
    client.force_login(customer)

    page = client.get(f"/account/orders/{order.number}/").content.decode()
    assert "Return items" in page
    too_many = client.post(
        f"/account/orders/{order.number}/return/",
        {f"quantity-{line.pk}": "3", f"reason-{line.pk}": "too_small"},
    )
    assert too_many.status_code == 400
    assert "at most 2" in too_many.content.decode()
    done = client.post(
        f"/account/orders/{order.number}/return/",
        {f"quantity-{line.pk}": "1", f"reason-{line.pk}": "too_small", f"note-{line.pk}": "tight"},
        follow=True,
    )

    ret = ReturnRequest.objects.get()
    assert ret.requested_by == "customer"
    assert ret.lines.get().note == "tight"
    assert f"Return {ret.number} is registered" in done.content.decode()


def test_nobody_returns_someone_elses_order_or_an_unshipped_one(deliver_events: Any) -> None:
    shop = build_shop(deliver_events)
    owner, other = CustomerFactory(), CustomerFactory()
    shipped = order_for(shop, owner, deliver_events, ship=True)
    waiting = order_for(shop, owner, deliver_events, ship=False)
    client = Client()
    client.force_login(other)
    assert client.get(f"/account/orders/{shipped.number}/return/").status_code == 404

    client.force_login(owner)
    assert "Return items" not in client.get(f"/account/orders/{waiting.number}/").content.decode()
    line = waiting.lines.get()
    refused = client.post(
        f"/account/orders/{waiting.number}/return/",
        {f"quantity-{line.pk}": "1", f"reason-{line.pk}": "too_small"},
    )
    assert refused.status_code == 400
    assert "Only orders that have been shipped can be returned." in refused.content.decode()
    assert not ReturnRequest.objects.exists()
