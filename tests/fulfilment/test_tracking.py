"""Carriers and tracking (F5, G4): parcels are booked once, their journey is read over time, the
order is delivered when all its parcels are, the customer is emailed once per step, and the
public tracking page tells the truth, including "waiting for the warehouse"."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from storeteam.checkout.services import checkout_place
from storeteam.fulfilment.models import SandboxParcel, Shipment, TrackingEvent
from storeteam.fulfilment.services import pack_scan, shipment_split
from storeteam.fulfilment.tracking import shipment_book_and_ship, tracking_poll
from storeteam.orders.choices import OrderStatus
from storeteam.orders.models import Order
from tests.checkout.fixtures import SWEDISH_ADDRESS, build_shop, cart_with, details

pytestmark = pytest.mark.django_db
TRACK = "/track/"  # the default language's URLs have no prefix

JACKET = "WOOL-JACKET-M"
SHIRT = "LINEN-SHIRT-S"


def placed(shop: Any, lines: dict[str, int], deliver_events: Any, **kwargs: Any) -> Order:
    cart = cart_with(shop, lines)
    result = checkout_place(
        cart=cart, key=cart.checkout_key, details=details(**kwargs), language="sv"
    )
    assert result.order is not None, result.message
    deliver_events()
    return result.order


def packed(order: Order) -> Shipment:
    shipment = Shipment.objects.get(order=order)
    for line in shipment.lines.all():
        pack_scan(shipment_id=shipment.pk, code=line.sku, quantity=line.quantity, actor="p")
    return shipment


def test_a_parcel_is_booked_once_followed_and_the_order_delivered(deliver_events: Any) -> None:
    shop = build_shop(deliver_events)
    order = placed(shop, {JACKET: 1}, deliver_events)
    shipment = packed(order)
    mail.outbox.clear()

    shipped = shipment_book_and_ship(
        shipment_id=shipment.pk, carrier="test", service="parcel", actor="p"
    )
    again = shipment_book_and_ship(
        shipment_id=shipment.pk, carrier="test", service="parcel", actor="p"
    )
    deliver_events()
    deliver_events()

    assert shipped.tracking_number.startswith("TC")
    assert again.tracking_number == shipped.tracking_number
    assert SandboxParcel.objects.count() == 1
    assert [m.subject for m in mail.outbox] == [f"Din order {order.number} är på väg · storeteam"]
    assert shipped.tracking_number in mail.outbox[0].body

    start = timezone.now()
    tracking_poll(now=start + timedelta(hours=1))
    assert list(TrackingEvent.objects.values_list("code", flat=True)) == ["booked"]
    tracking_poll(now=start + timedelta(hours=30))
    tracking_poll(now=start + timedelta(hours=31))  # nothing new, nothing twice
    deliver_events()
    deliver_events()

    assert list(TrackingEvent.objects.values_list("code", flat=True)) == [
        "booked",
        "in_transit",
        "out_for_delivery",
        "delivered",
    ]
    assert Order.objects.get(pk=order.pk).status == OrderStatus.DELIVERED
    assert len(mail.outbox) == 2
    assert "har levererats" in mail.outbox[1].subject


def test_an_order_in_two_parcels_is_delivered_when_both_are(deliver_events: Any) -> None:
    shop = build_shop(deliver_events)
    order = placed(shop, {JACKET: 1, SHIRT: 1}, deliver_events)
    first = Shipment.objects.get(order=order)
    pack_scan(shipment_id=first.pk, code=JACKET, actor="p")
    second = shipment_split(shipment_id=first.pk, actor="p")
    shipment_book_and_ship(shipment_id=first.pk, carrier="test", service="express", actor="p")

    tracking_poll(now=timezone.now() + timedelta(hours=20))  # express: there in 13 hours
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PARTLY_SHIPPED

    pack_scan(shipment_id=second.pk, code=SHIRT, actor="p")
    shipment_book_and_ship(shipment_id=second.pk, carrier="test", service="parcel", actor="p")
    tracking_poll(now=timezone.now() + timedelta(hours=40))
    assert Order.objects.get(pk=order.pk).status == OrderStatus.DELIVERED


def test_an_undeliverable_parcel_stops_with_an_exception(deliver_events: Any) -> None:
    shop = build_shop(deliver_events)
    address = {**SWEDISH_ADDRESS, "postcode": "99999"}
    order = placed(shop, {JACKET: 1}, deliver_events, address=address)
    shipment_book_and_ship(
        shipment_id=packed(order).pk, carrier="test", service="parcel", actor="p"
    )

    tracking_poll(now=timezone.now() + timedelta(hours=40))

    assert list(TrackingEvent.objects.values_list("code", flat=True)) == [
        "booked",
        "in_transit",
        "exception",
    ]
    assert Order.objects.get(pk=order.pk).status == OrderStatus.SHIPPED


def test_the_tracking_page_says_waiting_for_the_warehouse_then_shows_the_journey(
    deliver_events: Any,
) -> None:
    shop = build_shop(deliver_events)
    order = placed(shop, {JACKET: 1}, deliver_events)
    client = Client()

    waiting = client.post(TRACK, {"number": order.number, "secret": " Astrid@Example.com"})
    assert waiting.status_code == 200
    assert "waiting for the warehouse" in waiting.content.decode()

    shipment = shipment_book_and_ship(
        shipment_id=packed(order).pk, carrier="test", service="parcel", actor="p"
    )
    tracking_poll(now=timezone.now() + timedelta(hours=5))
    by_postcode = client.post(TRACK, {"number": order.number, "secret": "111 51"})
    page = by_postcode.content.decode()
    assert shipment.tracking_number in page
    assert "On its way" in page
    assert "waiting for the warehouse" not in page


def test_the_tracking_page_tells_nobody_which_orders_exist(deliver_events: Any) -> None:
    shop = build_shop(deliver_events)
    order = placed(shop, {JACKET: 1}, deliver_events)
    client = Client()

    wrong_secret = client.post(TRACK, {"number": order.number, "secret": "x@example.com"})
    no_order = client.post(TRACK, {"number": "999999", "secret": "astrid@example.com"})

    assert wrong_secret.status_code == no_order.status_code == 404
    assert "Astrid" not in wrong_secret.content.decode()
    for _ in range(20):
        client.post(TRACK, {"number": "1", "secret": "a"})
    assert client.post(TRACK, {"number": order.number, "secret": "111 51"}).status_code == 429
