"""A real HTTP server playing an external warehouse system (F4), the store's orders placed for
its warehouse, and the signed answers it sends back to the store's webhook."""

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
from storeteam.fulfilment.link import SIGNATURE_HEADER, link_drain
from storeteam.fulfilment.models import Shipment, WarehouseLink
from storeteam.orders.models import Order
from tests.checkout.fixtures import Shop, cart_with, details

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
    """It checks each message's signature, deduplicates on the Idempotency-Key, and keeps what
    it accepted in order: ``accepted`` the order numbers, ``messages`` each whole message."""

    port: int = 0
    accepted: list[str] = field(default_factory=list)  # order numbers, in arrival order
    sequences: list[int] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    deliveries: int = 0  # every POST, duplicates included
    keys: set[str] = field(default_factory=set)
    drop_answer_once: bool = False
    secret: str = SECRET
    server: ThreadingHTTPServer | None = None

    def start(self) -> None:
        system = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                signature_verify(
                    body, self.headers[SIGNATURE_HEADER], secret=system.secret, tolerance=300
                )
                system.deliveries += 1
                key = self.headers["Idempotency-Key"]
                if key not in system.keys:
                    system.keys.add(key)
                    message = json.loads(body)
                    system.accepted.append(message["order"])
                    system.sequences.append(message["sequence"])
                    system.messages.append(message)
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

    def kinds(self) -> list[tuple[str, str]]:
        """(kind, order number) of each accepted message, in arrival order."""
        return [(m["kind"], m["order"]) for m in self.messages]


@pytest.fixture
def warehouse_system() -> Iterator[WarehouseSystem]:
    system = WarehouseSystem()
    system.start()
    yield system
    if system.server is not None:
        with contextlib.suppress(Exception):
            system.stop()


def buy(shop: Shop, deliver_events: Any) -> Order:
    """A customer in the Netherlands buys a shirt: the Dutch warehouse's parcel is queued."""
    cart = cart_with(shop, {"LINEN-SHIRT-S": 1}, currency="EUR")
    result = checkout_place(
        cart=cart, key=cart.checkout_key, details=details(address=DUTCH_ADDRESS), language="nl"
    )
    assert result.order is not None, result.message  # checkout works, link up or down
    deliver_events()
    return result.order


def drain(link_id: int) -> Any:
    WarehouseLink.objects.filter(pk=link_id).update(next_attempt_at=None)  # skip the backoff
    return link_drain(link_id=link_id)


def answer(
    warehouse_code: str, event: str, shipment: Shipment, *, secret: str = SECRET, **extra: str
) -> Any:
    """The warehouse system posts a signed message about ``shipment`` to the store."""
    body = json.dumps({"event": event, "shipment": shipment.label, **extra}).encode()
    return Client().post(
        f"/fulfilment/webhooks/{warehouse_code}/",
        data=body,
        content_type="application/json",
        headers={SIGNATURE_HEADER: signature_header(body, secret=secret)},
    )
