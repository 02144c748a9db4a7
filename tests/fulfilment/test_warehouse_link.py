"""A warehouse run by an external system (F4, G4): orders reach it through a durable queue,
signed, in order; when the link goes down mid-stream checkout keeps working, orders wait, staff
see the link down and the queue, the tracking page says "waiting for the warehouse"; when the
link returns the queue drains in order with zero lost and zero duplicated orders."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client

from storeteam.checkout.services import checkout_place
from storeteam.core.signing import signature_header, signature_verify
from storeteam.fulfilment.link import (
    SIGNATURE_HEADER,
    link_drain,
    link_states,
    warehouse_link_set,
)
from storeteam.fulfilment.models import Shipment
from storeteam.orders.choices import OrderStatus
from storeteam.orders.models import Order
from tests.checkout.fixtures import build_shop, cart_with, details

pytestmark = pytest.mark.django_db

SECRET = "a-shared-secret-of-the-warehouse"
DUTCH_ADDRESS = {
    "name": "Sanne de Vries",
    "line1": "Damrak 1",
    "postcode": "1012 LG",
    "city": "Amsterdam",
    "country": "NL",
}


@dataclass
class WarehouseSystem:
    """A real HTTP server playing the external warehouse system: it checks each message's
    signature, deduplicates on the Idempotency-Key, and keeps what it accepted in order."""

    port: int = 0
    accepted: list[str] = field(default_factory=list)  # order numbers, in arrival order
    sequences: list[int] = field(default_factory=list)
    deliveries: int = 0  # every POST, duplicates included
    keys: set[str] = field(default_factory=set)
    drop_answer_once: bool = False
    server: ThreadingHTTPServer | None = None

    def start(self) -> None:
        system = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                signature_verify(body, self.headers[SIGNATURE_HEADER], secret=SECRET, tolerance=300)
                system.deliveries += 1
                key = self.headers["Idempotency-Key"]
                if key not in system.keys:
                    system.keys.add(key)
                    message = json.loads(body)
                    system.accepted.append(message["order"])
                    system.sequences.append(message["sequence"])
                if system.drop_answer_once:  # acted, but the answer is lost
                    system.drop_answer_once = False
                    self.send_response(502)
                    self.end_headers()
                    return
                self.send_response(201)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        assert self.server is not None
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/orders"


@pytest.fixture
def warehouse_system() -> Iterator[WarehouseSystem]:
    system = WarehouseSystem()
    system.start()
    yield system
    if system.server is not None:
        with contextlib.suppress(Exception):
            system.stop()


def buy(shop: Any, deliver_events: Any) -> Order:
    cart = cart_with(shop, {"LINEN-SHIRT-S": 1}, currency="EUR")
    result = checkout_place(
        cart=cart, key=cart.checkout_key, details=details(address=DUTCH_ADDRESS), language="nl"
    )
    assert result.order is not None, result.message  # checkout works, link up or down
    deliver_events()
    return result.order


def drain(link_id: int) -> Any:
    from storeteam.fulfilment.models import WarehouseLink

    WarehouseLink.objects.filter(pk=link_id).update(next_attempt_at=None)  # skip the backoff
    return link_drain(link_id=link_id)


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
