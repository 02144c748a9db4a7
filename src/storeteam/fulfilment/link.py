"""The link to an external warehouse system (F4, G4, ADR 0009).

Orders leave the store through a durable queue (``WarehouseDispatch``, written in the transaction
that made the shipment): checkout never waits for the warehouse and never fails because of it.
``link_drain`` sends the queue in sequence, one sender per link at a time (a lease on the link
row), each message signed (HMAC, ``core.signing``) and carrying an ``Idempotency-Key`` the
warehouse system deduplicates on. The first failure stops the drain (the order is kept), marks
the link down with the error, and backs off; the next run starts again at the same message. The
warehouse system reports shipped parcels by a signed webhook, which ships them in the store
(idempotently).

A cancelled order's parcel is withdrawn from the queue if no attempt to send it was made yet;
otherwise a cancellation message follows it in the same queue (``services.
shipments_cancel_for_order``). The sender claims each message with a conditional ``UPDATE``
(attempts + 1 where not withdrawn) and the withdrawal is the opposite conditional ``UPDATE``
(withdrawn where no attempt yet), so a message is either sent or withdrawn, never both. The
warehouse system answers a cancellation by the webhook: ``cancelled`` (written in the order's
history) or ``too_late`` (it had shipped: the order is flagged for staff).

The logistics manager connects a warehouse, changes its address, rotates the shared secret
(webhooks signed with the previous one are accepted for ``SECRET_GRACE``), pauses and resumes
sending, and asks for a retry now; each of these is audited.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from storeteam.core.audit import audit_record
from storeteam.core.errors import DomainError, NotFoundError
from storeteam.core.signing import SignatureError, signature_header, signature_verify
from storeteam.fulfilment.models import (
    CancelAnswer,
    DispatchKind,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    WarehouseDispatch,
    WarehouseLink,
)
from storeteam.fulfilment.services import (
    Problem,
    SetupError,
    links_drain_soon,
    shipment_ship,
)
from storeteam.inventory.models import Warehouse
from storeteam.orders.choices import OrderStatus
from storeteam.orders.selectors import order_pk_from_number
from storeteam.orders.services import order_flag, order_note_add

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Storeteam-Signature"
LEASE = timedelta(seconds=60)
BACKOFF_CAP = timedelta(minutes=5)
TIMEOUT_SECONDS = 10
WEBHOOK_TOLERANCE_SECONDS = 300
# After a rotation, the warehouse system's webhooks signed with the previous secret are still
# accepted this long: the time it takes its people to put the new one in.
SECRET_GRACE = timedelta(hours=24)
SECRET_MIN_LENGTH = 16
SECRET_MAX_LENGTH = 128

# (url, headers, body) -> HTTP status; raises OSError when the other side cannot be reached.
Poster = Callable[[str, dict[str, str], bytes], int]


def _http_post(url: str, headers: dict[str, str], body: bytes) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


# --- setting up a link (the logistics manager) ---------------------------------------------


def _endpoint_problems(endpoint: str) -> list[Problem]:
    if not endpoint.startswith(("http://", "https://")):
        return [
            Problem(
                _("The warehouse system's address must start with http:// or https://."),
                "endpoint",
            )
        ]
    if len(endpoint) > 300:
        return [Problem(_("The address has at most 300 characters."), "endpoint")]
    try:
        URLValidator(schemes=["http", "https"])(endpoint)
    except ValidationError:
        return [Problem(_("Enter the warehouse system's full address (URL)."), "endpoint")]
    return []


def _secret_problems(secret: str) -> list[Problem]:
    if len(secret) < SECRET_MIN_LENGTH:
        return [
            Problem(
                _("The shared secret must be at least %(n)d characters.")
                % {"n": SECRET_MIN_LENGTH},
                "secret",
            )
        ]
    if len(secret) > SECRET_MAX_LENGTH:
        return [
            Problem(
                _("The shared secret has at most %(n)d characters.") % {"n": SECRET_MAX_LENGTH},
                "secret",
            )
        ]
    if secret != secret.strip() or any(ch.isspace() for ch in secret):
        return [Problem(_("The shared secret cannot contain spaces."), "secret")]
    return []


def warehouse_link_set(
    *,
    warehouse: Warehouse,
    endpoint: str,
    secret: str = "",
    actor: Any = None,
    ip_address: str | None = None,
) -> WarehouseLink:
    """Connect ``warehouse`` to an external warehouse system at ``endpoint``, or change the
    address and, when ``secret`` is given, rotate the shared secret (the previous one still
    verifies the system's webhooks for ``SECRET_GRACE``). A new link needs a secret. All or
    nothing, every problem listed (``SetupError``). Audited: ``warehouse_link.connect``,
    ``warehouse_link.endpoint`` (before and after), ``warehouse_link.secret`` (when, never the
    secret itself)."""
    endpoint = endpoint.strip()
    problems = _endpoint_problems(endpoint)
    existing = WarehouseLink.objects.filter(warehouse=warehouse).exists()
    if secret or not existing:
        problems += _secret_problems(secret)
    if problems:
        raise SetupError(problems)
    now = timezone.now()
    with transaction.atomic():
        link = WarehouseLink.objects.select_for_update().filter(warehouse=warehouse).first()
        if link is None:
            if not secret:  # the link went away between the check and the lock
                raise SetupError(
                    [
                        Problem(
                            _("Enter the shared secret agreed with the warehouse system."), "secret"
                        )
                    ]
                )
            try:
                with transaction.atomic():
                    link = WarehouseLink.objects.create(
                        warehouse=warehouse, endpoint=endpoint, secret=secret, secret_changed_at=now
                    )
            except IntegrityError:
                raise SetupError(
                    [Problem(_("Someone connected this warehouse a moment ago."), "endpoint")]
                ) from None
            audit_record(
                actor=actor,
                action="warehouse_link.connect",
                target=link,
                after={"warehouse": warehouse.code, "endpoint": endpoint},
                ip_address=ip_address,
            )
            return link
        if link.endpoint != endpoint:
            audit_record(
                actor=actor,
                action="warehouse_link.endpoint",
                target=link,
                before={"endpoint": link.endpoint},
                after={"endpoint": endpoint},
                ip_address=ip_address,
            )
            link.endpoint = endpoint
        if secret and secret != link.secret:
            audit_record(
                actor=actor,
                action="warehouse_link.secret",
                target=link,
                before={"secret_changed_at": _iso(link.secret_changed_at)},
                after={"secret_changed_at": _iso(now)},
                ip_address=ip_address,
            )
            link.previous_secret = link.secret
            link.secret = secret
            link.secret_changed_at = now
        link.save()
    return link


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def _link_locked(link_id: int) -> WarehouseLink:
    link = (
        WarehouseLink.objects.select_for_update()
        .select_related("warehouse")
        .filter(pk=link_id)
        .first()
    )
    if link is None:
        raise NotFoundError(_("No warehouse system is connected to this warehouse."))
    return link


def warehouse_link_pause(
    *, link_id: int, actor: Any, reason: str = "", ip_address: str | None = None
) -> WarehouseLink:
    """Stop sending to the warehouse system (its people asked, maintenance): messages keep
    queueing in order and wait. Audited as ``warehouse_link.pause`` with the reason; pausing a
    paused link changes nothing."""
    with transaction.atomic():
        link = _link_locked(link_id)
        if link.is_paused:
            return link
        link.is_paused = True
        link.paused_at = timezone.now()
        link.paused_by = str(getattr(actor, "email", "") or actor or "system")[:200]
        link.save(update_fields=["is_paused", "paused_at", "paused_by"])
        audit_record(
            actor=actor,
            action="warehouse_link.pause",
            target=link,
            before={"paused": False},
            after={"paused": True},
            reason=reason.strip()[:500],
            ip_address=ip_address,
        )
    return link


def warehouse_link_resume(
    *, link_id: int, actor: Any, ip_address: str | None = None
) -> WarehouseLink:
    """Send again: the waiting messages go at once, in order. Audited as
    ``warehouse_link.resume``; resuming a link that is not paused changes nothing."""
    with transaction.atomic():
        link = _link_locked(link_id)
        if not link.is_paused:
            return link
        link.is_paused = False
        link.paused_at = None
        link.paused_by = ""
        link.next_attempt_at = None
        link.save(update_fields=["is_paused", "paused_at", "paused_by", "next_attempt_at"])
        audit_record(
            actor=actor,
            action="warehouse_link.resume",
            target=link,
            before={"paused": True},
            after={"paused": False},
            ip_address=ip_address,
        )
        transaction.on_commit(links_drain_soon)
    return link


class LinkPausedError(DomainError):
    """The link is paused: resume it to send."""

    code = "paused"


def warehouse_link_retry(
    *, link_id: int, actor: Any, ip_address: str | None = None
) -> WarehouseLink:
    """Try the warehouse system again now instead of at the end of the backoff: a worker is
    asked to drain the link at once. Audited as ``warehouse_link.retry``."""
    with transaction.atomic():
        link = _link_locked(link_id)
        if link.is_paused:
            raise LinkPausedError(_("The link is paused: resume it to send the waiting messages."))
        audit_record(
            actor=actor,
            action="warehouse_link.retry",
            target=link,
            before={"next_attempt": _iso(link.next_attempt_at)},
            after={"next_attempt": "now"},
            ip_address=ip_address,
        )
        link.next_attempt_at = None
        link.save(update_fields=["next_attempt_at"])
        transaction.on_commit(links_drain_soon)
    return link


# --- sending --------------------------------------------------------------------------------


def _backoff(failures: int) -> timedelta:
    return min(timedelta(seconds=2 ** min(failures, 12)), BACKOFF_CAP)


@dataclass
class DrainReport:
    sent: int = 0
    failed: bool = False
    skipped: bool = False


def waiting_messages(link_id: int | None = None) -> QuerySet[WarehouseDispatch]:
    """Messages not yet delivered nor withdrawn, in sending order."""
    queue = WarehouseDispatch.objects.filter(delivered_at__isnull=True, withdrawn_at__isnull=True)
    if link_id is not None:
        queue = queue.filter(link_id=link_id)
    return queue.order_by("link_id", "sequence")


def link_drain(
    *, link_id: int, post: Poster = _http_post, now: datetime | None = None, limit: int = 500
) -> DrainReport:
    """Send the link's waiting messages in sequence until the queue is empty, ``limit`` is
    reached, the warehouse system fails or a person pauses the link (module docstring)."""
    now = now or timezone.now()
    report = DrainReport()
    claimed = (
        WarehouseLink.objects.filter(pk=link_id, is_paused=False)
        .filter(Q(draining_until__isnull=True) | Q(draining_until__lt=now))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(draining_until=now + LEASE)
    )
    if not claimed:
        report.skipped = True
        return report
    link = WarehouseLink.objects.get(pk=link_id)
    try:
        for dispatch in waiting_messages(link.pk)[:limit]:
            if WarehouseLink.objects.filter(pk=link.pk, is_paused=True).exists():
                break
            # Claim the message: once an attempt is counted it can no longer be withdrawn, and
            # one withdrawn a moment ago is not sent.
            mine = WarehouseDispatch.objects.filter(
                pk=dispatch.pk, withdrawn_at__isnull=True, delivered_at__isnull=True
            ).update(attempts=F("attempts") + 1)
            if not mine:
                continue
            body = json.dumps(
                {"sequence": dispatch.sequence, "kind": dispatch.kind, **dispatch.payload},
                sort_keys=True,
            ).encode()
            headers = {
                "Content-Type": "application/json",
                "Idempotency-Key": f"dispatch-{dispatch.pk}",
                SIGNATURE_HEADER: signature_header(body, secret=link.secret),
            }
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
    """Drain every link that is not paused and has waiting messages (the periodic job).
    Returns how many were sent."""
    waiting = (
        waiting_messages()
        .filter(link__is_paused=False)
        .order_by()
        .values_list("link_id", flat=True)
        .distinct()
    )
    return sum(link_drain(link_id=link_id, post=post).sent for link_id in sorted(set(waiting)))


# --- what staff see -------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkState:
    warehouse_code: str
    warehouse_name: str
    is_up: bool
    waiting: int
    oldest_waiting: datetime | None
    last_success_at: datetime | None
    last_error: str
    link_id: int = 0
    warehouse_id: int = 0
    endpoint: str = ""
    is_paused: bool = False
    paused_at: datetime | None = None
    paused_by: str = ""
    failures: int = 0
    last_failure_at: datetime | None = None
    next_attempt_at: datetime | None = None
    secret_changed_at: datetime | None = None


def link_states(*, warehouse_id: int | None = None) -> list[LinkState]:
    """Each external warehouse link: up or down, paused, how many messages wait and since when,
    the last success and error. One query."""
    waiting = Q(dispatches__delivered_at__isnull=True, dispatches__withdrawn_at__isnull=True)
    links = WarehouseLink.objects.select_related("warehouse").annotate(
        waiting=Count("dispatches", filter=waiting),
        oldest=Min("dispatches__created_at", filter=waiting),
    )
    if warehouse_id is not None:
        links = links.filter(warehouse_id=warehouse_id)
    return [
        LinkState(
            warehouse_code=link.warehouse.code,
            warehouse_name=link.warehouse.name,
            is_up=link.is_up,
            waiting=link.waiting,
            oldest_waiting=link.oldest,
            last_success_at=link.last_success_at,
            last_error=link.last_error,
            link_id=link.pk,
            warehouse_id=link.warehouse_id,
            endpoint=link.endpoint,
            is_paused=link.is_paused,
            paused_at=link.paused_at,
            paused_by=link.paused_by,
            failures=link.failures,
            last_failure_at=link.last_failure_at,
            next_attempt_at=link.next_attempt_at,
            secret_changed_at=link.secret_changed_at,
        )
        for link in links.order_by("warehouse__code")
    ]


def link_queue(*, link_id: int, limit: int = 200) -> list[WarehouseDispatch]:
    """The link's waiting messages in sending order, with their parcel and order (the payload
    is not read)."""
    return list(
        waiting_messages(link_id).defer("payload").select_related("shipment__order")[:limit]
    )


# --- what the warehouse system tells the store --------------------------------------------------


class LinkMessageError(DomainError):
    """The warehouse system's message cannot be used."""

    code = "bad_message"


def _signature_check(link: WarehouseLink, headers: dict[str, str], body: bytes) -> None:
    signature = next((v for k, v in headers.items() if k.lower() == SIGNATURE_HEADER.lower()), None)
    try:
        signature_verify(body, signature, secret=link.secret, tolerance=WEBHOOK_TOLERANCE_SECONDS)
    except SignatureError:
        rotated = link.secret_changed_at
        if not (link.previous_secret and rotated and timezone.now() - rotated < SECRET_GRACE):
            raise
        signature_verify(
            body, signature, secret=link.previous_secret, tolerance=WEBHOOK_TOLERANCE_SECONDS
        )


def _shipment_named(link: WarehouseLink, label: str) -> Shipment:
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
    return shipment


EVENTS = ("shipped", "cancelled", "too_late")


def link_message_receive(*, warehouse_code: str, headers: dict[str, str], body: bytes) -> str:
    """Apply a signed message from the warehouse system. Idempotent. Returns what happened.

    - ``{"event": "shipped", "shipment": "<order number>-<n>", "carrier", "service",
      "tracking_number"}`` ships the parcel (every unit counted as packed by the system); for a
      parcel the store asked it to cancel, it is the answer "too late".
    - ``{"event": "cancelled", "shipment": ...}`` answers a cancellation: done; written in the
      order's history.
    - ``{"event": "too_late", "shipment": ..., "tracking_number"?, "note"?}`` answers a
      cancellation: the parcel had already left; the order is flagged for staff.
    """
    link = (
        WarehouseLink.objects.select_related("warehouse")
        .filter(warehouse__code=warehouse_code)
        .first()
    )
    if link is None:
        raise NotFoundError(_("No warehouse system is connected to this warehouse."))
    _signature_check(link, headers, body)
    try:
        message: dict[str, Any] = json.loads(body)
    except ValueError as exc:
        raise LinkMessageError(_("The message is not JSON.")) from exc
    if not isinstance(message, dict) or message.get("event") not in EVENTS:
        raise LinkMessageError(_("The message's event is not one the store knows."))
    event = message["event"]
    shipment = _shipment_named(link, str(message.get("shipment", "")))
    actor = f"warehouse-system:{warehouse_code}"
    if event == "cancelled":
        return _cancel_answered(link, shipment, CancelAnswer.CANCELLED, message, actor)
    if event == "too_late":
        return _cancel_answered(link, shipment, CancelAnswer.TOO_LATE, message, actor)
    if shipment.status == ShipmentStatus.SHIPPED:
        return "already shipped"
    if (
        shipment.status == ShipmentStatus.CANCELLED
        or shipment.order.status == OrderStatus.CANCELLED
    ):
        if WarehouseDispatch.objects.filter(shipment=shipment, kind=DispatchKind.CANCEL).exists():
            return _cancel_answered(link, shipment, CancelAnswer.TOO_LATE, message, actor)
        raise LinkMessageError(
            _(
                "Order %(number)s was cancelled; the store's cancellation of parcel %(label)s "
                "is on its way: answer it."
            )
            % {"number": shipment.order.number, "label": shipment.label}
        )
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
            actor=actor,
        )
    return "shipped"


def _cancel_answered(
    link: WarehouseLink,
    shipment: Shipment,
    answer: str,
    message: dict[str, Any],
    actor: str,
) -> str:
    """Record the warehouse system's answer to the store's cancellation of ``shipment``, once:
    the same answer again is "already recorded", a different one is refused."""
    tracking = str(message.get("tracking_number", "")).strip()[:60]
    note = str(message.get("note", "")).strip()[:200]
    names = {
        "parcel": shipment.label,
        "warehouse": link.warehouse.name,
        "number": shipment.order.number,
    }
    with transaction.atomic():
        request = (
            WarehouseDispatch.objects.select_for_update()
            .filter(shipment=shipment, kind=DispatchKind.CANCEL)
            .first()
        )
        if request is None:
            raise LinkMessageError(
                _("The store has not asked to cancel parcel %(parcel)s.") % names
            )
        if request.answer:
            if request.answer == answer:
                return "already recorded"
            raise LinkMessageError(
                _("The answer for parcel %(parcel)s is already recorded: %(answer)s.")
                % {**names, "answer": request.get_answer_display()}
            )
        request.answer = answer
        request.answered_at = timezone.now()
        request.answer_note = " ".join(part for part in (tracking, note) if part)[:300]
        request.save(update_fields=["answer", "answered_at", "answer_note"])
        if answer == CancelAnswer.CANCELLED:
            order_note_add(
                order_id=shipment.order_id,
                note=_(
                    "The warehouse system of %(warehouse)s confirmed that parcel %(parcel)s is "
                    "cancelled: it will not ship."
                )
                % names,
                actor=actor,
            )
            return "cancellation recorded"
        reason = (
            _(
                "Cancelled too late: the warehouse system of %(warehouse)s had already shipped "
                "parcel %(parcel)s. The goods are on their way although the order is cancelled."
            )
            % names
        )
        if tracking:
            reason += " " + _("Tracking number: %(tracking)s.") % {"tracking": tracking}
        if note:
            reason += " " + _("The warehouse system says: %(note)s") % {"note": note}
        order_flag(order_id=shipment.order_id, reason=reason, actor=actor)
    return "order flagged"
