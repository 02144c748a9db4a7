"""A warehouse run by an external system (F4, G4): orders reach it through a durable queue,
signed, in order; when the link goes down mid-stream checkout keeps working, orders wait, staff
see the link down and the queue, the tracking page says "waiting for the warehouse"; when the
link returns the queue drains in order with zero lost and zero duplicated orders."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from storeteam.core.signing import signature_header
from storeteam.fulfilment.link import SIGNATURE_HEADER, link_states, warehouse_link_set
from storeteam.fulfilment.models import Shipment
from storeteam.orders.choices import OrderStatus
from storeteam.orders.models import Order
from tests.checkout.fixtures import build_shop
from tests.fulfilment.warehouse_system import SECRET, WarehouseSystem, buy, drain

pytestmark = pytest.mark.django_db


def test_the_link_goes_down_mid_stream_and_nothing_is_lost_or_doubled(
    deliver_events: Any, warehouse_system: WarehouseSystem, staff_factory: Any
) -> None:
    shop = build_shop(deliver_events)
    link = warehouse_link_set(warehouse=shop.place.nl, endpoint=warehouse_system.url, secret=SECRET)
    placed: list[str] = []

    for _ in range(4):
        placed.append(buy(shop, deliver_events).number)
    assert drain(link.pk).sent == 4

    warehouse_system.stop()  # the warehouse system goes down
    for _ in range(6):
        placed.append(buy(shop, deliver_events).number)
    report = drain(link.pk)
    assert report.failed
    assert report.sent == 0
    [state] = link_states()
    assert not state.is_up
    assert state.waiting == 6
    assert "cannot be reached" in state.last_error
    staff = Client()
    staff.force_login(staff_factory(role="logistics_manager"))
    overview = staff.get("/staff/fulfilment/").content.decode()
    assert "Down" in overview
    assert "cannot be reached" in overview
    waiting = Order.objects.get(pk=int(placed[-1]) - 100000)
    page = Client().post("/track/", {"number": waiting.number, "secret": waiting.email})
    assert "waiting for the warehouse" in page.content.decode()

    warehouse_system.start()  # back, on the same port
    for _ in range(2):
        placed.append(buy(shop, deliver_events).number)
    warehouse_system.drop_answer_once = True  # the first answer after the outage is lost
    assert drain(link.pk).failed
    assert drain(link.pk).sent == 8

    assert warehouse_system.accepted == placed  # every order, once, in order
    assert warehouse_system.sequences == list(range(1, 13))
    assert warehouse_system.deliveries == 13  # one resend, deduplicated by its key
    [state] = link_states()
    assert state.is_up
    assert state.waiting == 0


def test_the_warehouse_system_reports_a_shipped_parcel(
    deliver_events: Any, warehouse_system: WarehouseSystem
) -> None:
    shop = build_shop(deliver_events)
    warehouse_link_set(warehouse=shop.place.nl, endpoint=warehouse_system.url, secret=SECRET)
    order = buy(shop, deliver_events)
    shipment = Shipment.objects.get(order=order)
    body = json.dumps(
        {
            "event": "shipped",
            "shipment": shipment.label,
            "carrier": "postnl",
            "service": "parcel",
            "tracking_number": "3SABC123",
        }
    ).encode()
    client = Client()

    def send(signature: str) -> Any:
        return client.post(
            f"/fulfilment/webhooks/{shop.place.nl.code}/",
            data=body,
            content_type="application/json",
            headers={SIGNATURE_HEADER: signature},
        )

    forged = send(signature_header(body, secret="not-the-secret-at-all"))
    first = send(signature_header(body, secret=SECRET))
    repeated = send(signature_header(body, secret=SECRET))

    assert forged.status_code == 400
    assert (first.status_code, first.json()["outcome"]) == (200, "shipped")
    assert repeated.json()["outcome"] == "already shipped"
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert Shipment.objects.get(pk=shipment.pk).tracking_number == "3SABC123"
