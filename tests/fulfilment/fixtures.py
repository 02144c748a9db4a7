"""Real orders made into parcels, and a real raw-port label printer on a local TCP port."""

from __future__ import annotations

import socket
import struct
import threading
from typing import Any

from storeteam.checkout.services import checkout_place
from storeteam.fulfilment.models import Shipment
from storeteam.fulfilment.services import pack_scan, shipment_ship
from storeteam.orders.models import Order
from tests.checkout.fixtures import Shop, cart_with, details


def order_of(shop: Shop, lines: dict[str, int], deliver_events: Any) -> Order:
    cart = cart_with(shop, lines)
    result = checkout_place(cart=cart, key=cart.checkout_key, details=details(), language="sv")
    assert result.order is not None, result.message
    deliver_events()  # OrderAllocated opens the shipments
    return result.order


def pack_all(shipment: Shipment) -> None:
    for line in shipment.lines.all():
        pack_scan(shipment_id=shipment.pk, code=line.sku, quantity=line.quantity, actor="packer")


def shipped_parcel(
    shop: Shop, deliver_events: Any, *, tracking: str, lines: dict[str, int] | None = None
) -> Shipment:
    order = order_of(shop, lines or {"WOOL-JACKET-M": 1}, deliver_events)
    shipment = Shipment.objects.get(order=order)
    pack_all(shipment)
    return shipment_ship(
        shipment_id=shipment.pk,
        carrier="postnord",
        service="parcel",
        tracking_number=tracking,
        actor="packer",
    )


class RawPrinter:
    """A label printer's raw port (what port 9100 does) on a free local port, in a thread.

    ``accept()``: reads each job to the end and closes (the confirmation the store waits for).
    ``refuse()``: not listening: connections are refused, nothing arrives.
    ``drop(after)``: reads ``after`` bytes of a job, then resets the connection (power cut,
    paper jam reboot).
    ``hang()``: reads the whole job but never closes (no confirmation).
    ``answer_status()``: a Zebra's way: answers the host status request (``~HS``) that follows
    a label, and leaves the connection open.
    ``received`` holds the complete jobs in order; ``partial`` what dropped jobs delivered."""

    def __init__(self) -> None:
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.mode = "accept"
        self.drop_after = 64
        self.received: list[bytes] = []
        self.partial: list[bytes] = []
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._running = False
        self._release = threading.Event()
        self._listen()

    @property
    def address(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def _listen(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(4)
        listener.settimeout(0.1)
        self._listener = listener
        self._running = True
        self._release = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(listener,), daemon=True)
        self._thread.start()

    def _close_listener(self) -> None:
        self._running = False
        self._release.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._listener is not None:
            self._listener.close()
        self._listener = None

    def _serve(self, listener: socket.socket) -> None:
        while self._running:
            try:
                conn, _peer = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                self._handle(conn)

    def _read_all(self, conn: socket.socket) -> bytes:
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
        return data

    def _handle(self, conn: socket.socket) -> None:
        if self.mode == "drop":
            data = b""
            while len(data) < self.drop_after:
                chunk = conn.recv(self.drop_after - len(data))
                if not chunk:
                    break
                data += chunk
            self.partial.append(data)
            # Linger 0: close with a reset, the unread rest of the job is lost.
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif self.mode == "status":
            data = b""
            while b"~HS" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
            self.received.append(data)
            conn.sendall(b"\x02030,0,0,1245,000,0,0,0,000,0,0,0\x03\r\n" * 3)
            self._release.wait(timeout=10)  # keeps the connection open, as printers do
        elif self.mode == "hang":
            self.received.append(self._read_all(conn))
            self._release.wait(timeout=10)  # never closes: no confirmation for the sender
        else:
            self.received.append(self._read_all(conn))

    def accept(self) -> None:
        self.mode = "accept"
        if self._listener is None:
            self._listen()

    def refuse(self) -> None:
        self._close_listener()

    def drop(self, after: int = 64) -> None:
        self.mode, self.drop_after = "drop", after
        if self._listener is None:
            self._listen()

    def answer_status(self) -> None:
        self.mode = "status"
        if self._listener is None:
            self._listen()

    def hang(self) -> None:
        self.mode = "hang"
        if self._listener is None:
            self._listen()

    def stop(self) -> None:
        self._close_listener()
