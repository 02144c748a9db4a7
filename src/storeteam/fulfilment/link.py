"""The link to an external warehouse system (F4, G4).

Orders leave the store through a durable queue (``WarehouseDispatch``, written in the transaction
that made the shipment): checkout never waits for the warehouse and never fails because of it.
``link_drain`` sends the queue in sequence, one sender per link at a time (a lease on the link
row), each message signed (HMAC, ``core.signing``) and carrying an ``Idempotency-Key`` the
warehouse system deduplicates on. The first failure stops the drain (the order is kept), marks
the link down with the error, and backs off; the next run starts again at the same message. The
warehouse system reports shipped parcels by a signed webhook, which ships them in the store
(idempotently)."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from storeteam.core.errors import DomainError, NotFoundError
from storeteam.core.signing import signature_header, signature_verify
from storeteam.fulfilment.models import (
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    WarehouseDispatch,
    WarehouseLink,
)
from storeteam.fulfilment.services import shipment_ship
from storeteam.inventory.models import Warehouse
from storeteam.orders.selectors import order_pk_from_number

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Storeteam-Signature"
LEASE = timedelta(seconds=60)
BACKOFF_CAP = timedelta(minutes=5)
TIMEOUT_SECONDS = 10
WEBHOOK_TOLERANCE_SECONDS = 300

# (url, headers, body) -> HTTP status; raises OSError when the other side cannot be reached.
Poster = Callable[[str, dict[str, str], bytes], int]


def _http_post(url: str, headers: dict[str, str], body: bytes) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def warehouse_link_set(*, warehouse: Warehouse, endpoint: str, secret: str) -> WarehouseLink:
    """Connect ``warehouse`` to an external warehouse system at ``endpoint``."""
    if not endpoint.startswith(("http://", "https://")):
        raise DomainError(_("The warehouse system's address must start with http:// or https://."))
    if len(secret) < 16:
        raise DomainError(_("The shared secret must be at least 16 characters."))
    link, _created = WarehouseLink.objects.update_or_create(
        warehouse=warehouse, defaults={"endpoint": endpoint, "secret": secret}
    )
    return link


def _backoff(failures: int) -> timedelta:
    return min(timedelta(seconds=2 ** min(failures, 12)), BACKOFF_CAP)


@dataclass
class DrainReport:
    sent: int = 0
    failed: bool = False
    skipped: bool = False


def link_drain(
    *, link_id: int, post: Poster = _http_post, now: datetime | None = None, limit: int = 500
) -> DrainReport:
    """Send the link's waiting orders in sequence until the queue is empty, ``limit`` is
    reached or the warehouse system fails (module docstring)."""
    now = now or timezone.now()
    report = DrainReport()
    claimed = (
        WarehouseLink.objects.filter(pk=link_id)
        .filter(Q(draining_until__isnull=True) | Q(draining_until__lt=now))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(draining_until=now + LEASE)
    )
    if not claimed:
        report.skipped = True
        return report
    link = WarehouseLink.objects.get(pk=link_id)
    try:
        queue = WarehouseDispatch.objects.filter(link=link, delivered_at__isnull=True).order_by(
            "sequence"
        )
        for dispatch in queue[:limit]:
            body = json.dumps(
                {"sequence": dispatch.sequence, **dispatch.payload}, sort_keys=True
            ).encode()
            headers = {
                "Content-Type": "application/json",
                "Idempotency-Key": f"dispatch-{dispatch.pk}",
                SIGNATURE_HEADER: signature_header(body, secret=link.secret),
            }
            WarehouseDispatch.objects.filter(pk=dispatch.pk).update(attempts=dispatch.attempts + 1)
            error = ""
            try:
                status = post(link.endpoint, headers, body)
                if not 200 <= status < 300:
                    error = f"the warehouse system answered {status}"
            except OSError as exc:
                error = f"the warehouse system cannot be reached: {exc}"[:300]
            if error:
                failures = link.failures + 1
                WarehouseLink.objects.filter(pk=link.pk).update(
                    is_up=False,
                    failures=failures,
                    last_failure_at=timezone.now(),
                    last_error=error,
                    next_attempt_at=timezone.now() + _backoff(failures),
                )
                logger.warning("warehouse link %s down: %s", link.pk, error)
                report.failed = True
                return report
            delivered_at = timezone.now()
            WarehouseDispatch.objects.filter(pk=dispatch.pk).update(delivered_at=delivered_at)
            WarehouseLink.objects.filter(pk=link.pk).update(
                is_up=True, failures=0, last_success_at=delivered_at, next_attempt_at=None
            )
            link.failures = 0
            report.sent += 1
    finally:
        WarehouseLink.objects.filter(pk=link_id).update(draining_until=None)
    return report


def links_drain(*, post: Poster = _http_post) -> int:
    """Drain every link with waiting orders (the periodic job). Returns how many were sent."""
    waiting = (
        WarehouseDispatch.objects.filter(delivered_at__isnull=True)
        .values_list("link_id", flat=True)
        .distinct()
    )
    return sum(link_drain(link_id=link_id, post=post).sent for link_id in sorted(set(waiting)))


@dataclass(frozen=True)
class LinkState:
    warehouse_code: str
    warehouse_name: str
    is_up: bool
    waiting: int
    oldest_waiting: datetime | None
    last_success_at: datetime | None
    last_error: str


def link_states() -> list[LinkState]:
    """Each external warehouse link: up or down, how many orders wait and since when."""
    links = WarehouseLink.objects.select_related("warehouse").annotate(
        waiting=Count("dispatches", filter=Q(dispatches__delivered_at__isnull=True)),
        oldest=Min("dispatches__created_at", filter=Q(dispatches__delivered_at__isnull=True)),
    )
    return [
        LinkState(
            warehouse_code=link.warehouse.code,
            warehouse_name=link.warehouse.name,
            is_up=link.is_up,
            waiting=link.waiting,
            oldest_waiting=link.oldest,
            last_success_at=link.last_success_at,
            last_error=link.last_error,
        )
        for link in links.order_by("warehouse__code")
    ]


# --- what the warehouse system tells the store --------------------------------------------------


class LinkMessageError(DomainError):
    """The warehouse system's message cannot be used."""

    code = "bad_message"


def link_message_receive(*, warehouse_code: str, headers: dict[str, str], body: bytes) -> str:
    """Apply a signed message from the warehouse system: ``{"event": "shipped", "shipment":
    "<order number>-<n>", "carrier", "service", "tracking_number"}`` ships the parcel (every unit
    counted as packed by the warehouse system). Idempotent. Returns what happened."""
    link = (
        WarehouseLink.objects.select_related("warehouse")
        .filter(warehouse__code=warehouse_code)
        .first()
    )
    if link is None:
        raise NotFoundError(_("No warehouse system is connected to this warehouse."))
    signature = next((v for k, v in headers.items() if k.lower() == SIGNATURE_HEADER.lower()), None)
    signature_verify(body, signature, secret=link.secret, tolerance=WEBHOOK_TOLERANCE_SECONDS)
    try:
        message: dict[str, Any] = json.loads(body)
    except ValueError as exc:
        raise LinkMessageError(_("The message is not JSON.")) from exc
    if not isinstance(message, dict) or message.get("event") != "shipped":
        raise LinkMessageError(_("The message's event is not one the store knows."))
    label = str(message.get("shipment", ""))
    number, _sep, sequence = label.rpartition("-")
    shipment = (
        Shipment.objects.filter(
            warehouse=link.warehouse,
            order__pk=order_pk_from_number(number) or -1,
            sequence=int(sequence) if sequence.isdigit() else -1,
        )
        .select_related("order")
        .first()
    )
    if shipment is None:
        raise LinkMessageError(_("The store knows no parcel %(label)s.") % {"label": label[:40]})
    if shipment.status == ShipmentStatus.SHIPPED:
        return "already shipped"
    with transaction.atomic():
        for line in ShipmentLine.objects.select_for_update().filter(shipment=shipment):
            if line.packed != line.quantity:
                line.packed = line.quantity
                line.save(update_fields=["packed"])
        Shipment.objects.filter(pk=shipment.pk, status__in=["open", "picking"]).update(
            status=ShipmentStatus.PACKED, packed_at=timezone.now()
        )
        shipment_ship(
            shipment_id=shipment.pk,
            carrier=str(message.get("carrier", "")),
            service=str(message.get("service", "")),
            tracking_number=str(message.get("tracking_number", "")),
            actor=f"warehouse-system:{warehouse_code}",
        )
    return "shipped"
