"""Pick, pack and ship (F1).

Every step checks what it is given against the order: a packer scanning the wrong item or one
too many is refused with a message saying what the parcel needs; stock leaves the ledger only
when the parcel ships, through ``inventory.allocation_ship`` for that warehouse's allocations,
and the order's state follows (``orders.order_shipment_record``: partly shipped, then shipped).
Shipment rows are locked while they change, so two packers at one parcel never pack past it.
Every scan (accepted or refused), completed parcel, split and shipment is in the audit log with
who did it.

A cancelled order leaves the warehouses' work (``shipments_cancel_for_order``), and a warehouse
run by an external system is told (F4, ADR 0009): an order message never tried is withdrawn from
the link's queue, one that may have reached the system is followed by a cancellation message in
the same queue.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from storeteam.accounts.models import User
from storeteam.catalog.models import Variant
from storeteam.core.audit import audit_record
from storeteam.core.errors import DomainError, NotFoundError
from storeteam.core.events import event_publish
from storeteam.fulfilment.events import ShipmentShipped
from storeteam.fulfilment.models import (
    ACTIVE,
    DispatchKind,
    PickList,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    WarehouseDispatch,
    WarehouseLink,
)
from storeteam.inventory.models import Warehouse
from storeteam.inventory.selectors import allocations_for
from storeteam.inventory.services import StockLine, allocation_ship
from storeteam.orders.choices import OrderStatus
from storeteam.orders.models import Order
from storeteam.orders.services import order_note_add, order_shipment_record

PICK_LIST_SIZE = 30


class FulfilmentError(DomainError):
    """The warehouse step cannot be done as asked; nothing changed."""


class WrongItemError(FulfilmentError):
    """The scanned item is not (or no longer) wanted in this parcel."""

    code = "wrong_item"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a setting, in the staff member's language; ``field`` names the input
    it is about (so a form shows it there), or is empty."""

    message: str
    field: str = ""


class SetupError(FulfilmentError):
    """A packing station, shift or warehouse link setting has problems; nothing was written.
    ``problems`` lists every one."""

    code = "invalid"

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(" ".join(p.message for p in problems))
        self.problems = list(problems)


# Who did a warehouse step: a staff member, or a name ("warehouse-system:nl", "carrier").
Actor = User | str | None


def actor_label(actor: Actor) -> str:
    """How ``actor`` is named on the parcel and in the order's history (a person's email)."""
    if actor is None:
        return "system"
    if isinstance(actor, User):
        return actor.email or f"staff:{actor.pk}"
    return actor


def _shipment_locked(shipment_id: int) -> Shipment:
    shipment = (
        Shipment.objects.select_for_update(of=("self",))
        .select_related("order", "warehouse")
        .filter(pk=shipment_id)
        .first()
    )
    if shipment is None:
        raise NotFoundError(_("There is no such shipment."))
    return shipment


def shipments_create_for_order(*, order_id: int) -> list[Shipment]:
    """One shipment per warehouse holding the order's open allocations (idempotent: an order
    that already has shipments gets none more)."""
    from storeteam.fulfilment import capacity  # capacity uses this module's errors

    order = Order.objects.filter(pk=order_id).first()
    if order is None or order.status not in (OrderStatus.ALLOCATED, OrderStatus.PAID):
        return []
    existing = list(Shipment.objects.filter(order=order))
    if existing:
        return existing
    rows = [row for row in allocations_for(order.number) if row.open_quantity > 0]
    if not rows:
        return []
    names = dict(order.lines.values_list("variant_id", "name"))
    by_warehouse: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
    for row in rows:
        by_warehouse[row.warehouse_id].append((row.variant_id, row.sku, row.open_quantity))
    now = timezone.now()
    try:
        with transaction.atomic():
            shipments = []
            for warehouse_id, lines in sorted(by_warehouse.items()):
                shipment = Shipment.objects.create(
                    order=order,
                    warehouse_id=warehouse_id,
                    ship_by=capacity.ship_by_for(
                        warehouse_id=warehouse_id, placed_at=order.placed_at
                    ),
                    created_at=now,
                )
                merged: dict[int, tuple[str, int]] = {}
                for variant_id, sku, quantity in lines:
                    held = merged.get(variant_id, (sku, 0))[1]
                    merged[variant_id] = (sku, held + quantity)
                ShipmentLine.objects.bulk_create(
                    [
                        ShipmentLine(
                            shipment=shipment,
                            variant_id=variant_id,
                            sku=sku,
                            name=names.get(variant_id, sku)[:250],
                            quantity=quantity,
                        )
                        for variant_id, (sku, quantity) in sorted(merged.items())
                    ]
                )
                shipments.append(shipment)
                _dispatch_create(shipment)
    except IntegrityError:
        return list(Shipment.objects.filter(order=order))
    return shipments


def _dispatch_create(shipment: Shipment) -> WarehouseDispatch | None:
    """Queue the parcel for its warehouse's external system, if it has one (F4): numbered in
    the link's order, in the transaction that made the shipment, so none is lost or doubled."""
    link = (
        WarehouseLink.objects.select_for_update().filter(warehouse_id=shipment.warehouse_id).first()
    )
    if link is None:
        return None
    link.last_sequence += 1
    link.save(update_fields=["last_sequence"])
    order = shipment.order
    payload = {
        "shipment": shipment.label,
        "order": order.number,
        "ship_by": shipment.ship_by.isoformat(),
        "shipping_method": order.shipping_method,
        "address": dict(order.shipping_address),
        "email": order.email,
        "phone": order.phone,
        "lines": [
            {"sku": line.sku, "name": line.name, "quantity": line.quantity}
            for line in shipment.lines.all()
        ],
    }
    dispatch = WarehouseDispatch.objects.create(
        link=link,
        shipment=shipment,
        kind=DispatchKind.ORDER,
        sequence=link.last_sequence,
        payload=payload,
        created_at=timezone.now(),
    )
    transaction.on_commit(links_drain_soon)
    return dispatch


def links_drain_soon() -> None:
    """Ask a worker to drain the warehouse links now rather than at the next periodic run."""
    from storeteam.core.tasks import enqueue_safely
    from storeteam.fulfilment.tasks import links_drain_run

    enqueue_safely(links_drain_run)


def _dispatch_cancel(order_message: WarehouseDispatch) -> WarehouseDispatch:
    """Queue the cancellation of a parcel whose order message may have reached the warehouse
    system: next in the link's sequence, so it is sent after the order message."""
    link = WarehouseLink.objects.select_for_update().get(pk=order_message.link_id)
    link.last_sequence += 1
    link.save(update_fields=["last_sequence"])
    shipment = order_message.shipment
    dispatch = WarehouseDispatch.objects.create(
        link=link,
        shipment=shipment,
        kind=DispatchKind.CANCEL,
        sequence=link.last_sequence,
        payload={
            "shipment": shipment.label,
            "order": shipment.order.number,
            "cancels": order_message.sequence,
        },
        created_at=timezone.now(),
    )
    transaction.on_commit(links_drain_soon)
    return dispatch


def shipments_cancel_for_order(*, order_id: int) -> int:
    """Take a cancelled order's parcels off the warehouses' work (those not shipped) and tell
    each external warehouse system that may have them (F4, ADR 0009).

    A parcel's order message that no attempt was made to send is withdrawn from the link's
    queue by one conditional ``UPDATE`` (it never reaches the warehouse system; the sender
    claims a message by the opposite condition, so exactly one of them wins). Any other is
    followed by one cancellation message in the same queue, sent after it, whose answer comes
    back by the webhook (``link.link_message_receive``). Both steps are written in the order's
    history. Idempotent: a retried event cancels nothing twice and queues no second
    cancellation. Returns how many parcels were cancelled."""
    now = timezone.now()
    with transaction.atomic():
        cancelled = Shipment.objects.filter(order_id=order_id, status__in=ACTIVE).update(
            status=ShipmentStatus.CANCELLED
        )
        asked = set(
            WarehouseDispatch.objects.filter(
                shipment__order_id=order_id, kind=DispatchKind.CANCEL
            ).values_list("shipment_id", flat=True)
        )
        order_messages = (
            WarehouseDispatch.objects.filter(
                shipment__order_id=order_id,
                kind=DispatchKind.ORDER,
                withdrawn_at__isnull=True,
                shipment__status=ShipmentStatus.CANCELLED,
            )
            .exclude(shipment_id__in=asked)
            .select_related("shipment__order", "link__warehouse")
            .order_by("link_id", "sequence")
        )
        for message in order_messages:
            names = {"parcel": message.shipment.label, "warehouse": message.link.warehouse.name}
            withdrawn = WarehouseDispatch.objects.filter(
                pk=message.pk, attempts=0, delivered_at__isnull=True, withdrawn_at__isnull=True
            ).update(withdrawn_at=now)
            if withdrawn:
                note = (
                    _(
                        "Parcel %(parcel)s was withdrawn from the queue to the warehouse system "
                        "of %(warehouse)s before it was sent: the warehouse never received it."
                    )
                    % names
                )
            else:
                _dispatch_cancel(message)
                note = (
                    _(
                        "The warehouse system of %(warehouse)s may already have parcel "
                        "%(parcel)s: a cancellation is queued after it. Its answer will show here."
                    )
                    % names
                )
            order_note_add(order_id=order_id, note=note, actor="system")
    return cancelled


def pick_list_create(
    *, warehouse: Warehouse, actor: str, size: int = PICK_LIST_SIZE
) -> PickList | None:
    """Batch up to ``size`` open shipments of ``warehouse`` not yet on a pick list, oldest
    ship-by first, into a new pick list. None when there is nothing to pick, or when an
    external warehouse system does the picking there (F4)."""
    if WarehouseLink.objects.filter(warehouse=warehouse).exists():
        return None
    with transaction.atomic():
        ids = list(
            Shipment.objects.select_for_update(skip_locked=True)
            .filter(warehouse=warehouse, status=ShipmentStatus.OPEN, pick_list__isnull=True)
            .order_by("ship_by", "id")
            .values_list("pk", flat=True)[:size]
        )
        if not ids:
            return None
        pick_list = PickList.objects.create(
            warehouse=warehouse, created_by=actor[:80], created_at=timezone.now()
        )
        Shipment.objects.filter(pk__in=ids).update(
            pick_list=pick_list, status=ShipmentStatus.PICKING
        )
    return pick_list


@dataclass(frozen=True)
class PickLine:
    sku: str
    name: str
    quantity: int
    parcels: list[str]


def pick_list_lines(pick_list: PickList) -> list[PickLine]:
    """What to fetch for the pick list, one line per SKU in SKU order (how the shelves are
    labelled), with the parcels each unit goes into."""
    totals: dict[str, int] = defaultdict(int)
    names: dict[str, str] = {}
    parcels: dict[str, list[str]] = defaultdict(list)
    for line in ShipmentLine.objects.filter(shipment__pick_list=pick_list).select_related(
        "shipment__order"
    ):
        totals[line.sku] += line.quantity - line.packed
        names[line.sku] = line.name
        parcels[line.sku].append(line.shipment.label)
    return [
        PickLine(sku=sku, name=names[sku], quantity=totals[sku], parcels=parcels[sku])
        for sku in sorted(totals)
        if totals[sku] > 0
    ]


@dataclass(frozen=True)
class PackResult:
    shipment: Shipment
    line: ShipmentLine
    complete: bool


def _variant_by_code(code: str) -> Variant | None:
    code = (code or "").strip()
    if not code:
        return None
    return Variant.objects.filter(Q(sku__iexact=code) | Q(barcode=code)).first()


def pack_scan(*, shipment_id: int, code: str, quantity: int = 1, actor: Actor) -> PackResult:
    """Record ``quantity`` units scanned (SKU or barcode ``code``) into the parcel. Refuses an
    item the parcel does not hold and more units than it needs, naming what it does need.
    Audited: ``shipment.pack`` for an accepted scan, ``shipment.packed`` when it completes the
    parcel, and ``shipment.pack_refused`` (in a transaction of its own, since the refused scan
    changes nothing else) with the reason."""
    try:
        return _pack_scan(shipment_id=shipment_id, code=code, quantity=quantity, actor=actor)
    except FulfilmentError as exc:
        with transaction.atomic():
            shipment = Shipment.objects.filter(pk=shipment_id).first()
            if shipment is not None:
                audit_record(
                    actor=actor,
                    action="shipment.pack_refused",
                    target=shipment,
                    after={"code": (code or "").strip()[:64], "quantity": quantity},
                    reason=exc.message[:500],
                )
        raise


def _pack_scan(*, shipment_id: int, code: str, quantity: int, actor: Actor) -> PackResult:
    if quantity < 1 or quantity > 999:
        raise FulfilmentError(_("Enter a quantity from 1 to 999."))
    variant = _variant_by_code(code)
    with transaction.atomic():
        shipment = _shipment_locked(shipment_id)
        if shipment.status not in (ShipmentStatus.OPEN, ShipmentStatus.PICKING):
            raise FulfilmentError(
                _("This parcel is %(status)s; nothing more can be packed into it.")
                % {"status": shipment.get_status_display()}
            )
        lines = list(shipment.lines.select_for_update())
        line = next(
            (li for li in lines if variant is not None and li.variant_id == variant.pk), None
        )
        if line is None:
            wanted = ", ".join(
                f"{li.sku} ({li.quantity - li.packed})" for li in lines if li.packed < li.quantity
            )
            raise WrongItemError(
                _("%(code)s is not in this parcel. It still needs: %(wanted)s.")
                % {"code": code.strip() or "?", "wanted": wanted or _("nothing")}
            )
        if line.packed + quantity > line.quantity:
            raise WrongItemError(
                _("Too many %(sku)s: the parcel needs %(left)d more, not %(asked)d.")
                % {"sku": line.sku, "left": line.quantity - line.packed, "asked": quantity}
            )
        line.packed += quantity
        line.save(update_fields=["packed"])
        audit_record(
            actor=actor,
            action="shipment.pack",
            target=shipment,
            before={"sku": line.sku, "packed": line.packed - quantity},
            after={"sku": line.sku, "packed": line.packed, "of": line.quantity},
        )
        complete = all(li.packed == li.quantity for li in lines)
        if complete:
            before = shipment.status
            shipment.status = ShipmentStatus.PACKED
            shipment.packed_at = timezone.now()
            shipment.save(update_fields=["status", "packed_at"])
            audit_record(
                actor=actor,
                action="shipment.packed",
                target=shipment,
                before={"status": before},
                after={"status": shipment.status},
            )
    return PackResult(shipment=shipment, line=line, complete=complete)


def shipment_split(*, shipment_id: int, actor: Actor) -> Shipment:
    """Ship what is packed now and the rest later: the unpacked units move to a new parcel of
    the same order and warehouse (back to picking), and this parcel counts as packed. Audited
    as ``shipment.split``."""
    with transaction.atomic():
        shipment = _shipment_locked(shipment_id)
        if shipment.status not in (ShipmentStatus.OPEN, ShipmentStatus.PICKING):
            raise FulfilmentError(_("Only a parcel being packed can be split."))
        lines = list(shipment.lines.select_for_update())
        packed = [li for li in lines if li.packed]
        rest = [(li, li.quantity - li.packed) for li in lines if li.packed < li.quantity]
        if not packed or not rest:
            raise FulfilmentError(
                _("Pack at least one item first, and leave at least one for the new parcel.")
            )
        sequence = (
            Shipment.objects.filter(order=shipment.order, warehouse=shipment.warehouse).aggregate(
                top=Max("sequence")
            )["top"]
            or 1
        ) + 1
        new = Shipment.objects.create(
            order=shipment.order,
            warehouse=shipment.warehouse,
            sequence=sequence,
            ship_by=shipment.ship_by,
            created_at=timezone.now(),
        )
        ShipmentLine.objects.bulk_create(
            [
                ShipmentLine(
                    shipment=new, variant_id=li.variant_id, sku=li.sku, name=li.name, quantity=left
                )
                for li, left in rest
            ]
        )
        for li in lines:
            if li.packed == 0:
                li.delete()
            elif li.packed < li.quantity:
                li.quantity = li.packed
                li.save(update_fields=["quantity"])
        before = shipment.status
        shipment.status = ShipmentStatus.PACKED
        shipment.packed_at = timezone.now()
        shipment.save(update_fields=["status", "packed_at"])
        audit_record(
            actor=actor,
            action="shipment.split",
            target=shipment,
            before={"status": before},
            after={
                "status": shipment.status,
                "rest_in": new.label,
                "moved": ", ".join(f"{left} x {li.sku}" for li, left in rest),
            },
        )
    return new


def shipment_ship(
    *, shipment_id: int, carrier: str, service: str, tracking_number: str, actor: Actor
) -> Shipment:
    """Hand a packed parcel to the carrier: its units leave the stock ledger (from this
    warehouse's allocations), the order becomes partly shipped or shipped, and
    ``ShipmentShipped`` is published; audited as ``shipment.ship`` with the carrier and the
    tracking number. Idempotent: a shipped parcel is returned unchanged."""
    label = actor_label(actor)
    carrier, service, tracking_number = carrier.strip(), service.strip(), tracking_number.strip()
    if not carrier or not tracking_number:
        raise FulfilmentError(_("A parcel ships with a carrier and a tracking number."))
    with transaction.atomic():
        shipment = _shipment_locked(shipment_id)
        if shipment.status == ShipmentStatus.SHIPPED:
            return shipment
        if shipment.status != ShipmentStatus.PACKED:
            raise FulfilmentError(
                _("Pack every item of the parcel before it ships (it is %(status)s).")
                % {"status": shipment.get_status_display()}
            )
        lines = list(shipment.lines.all())
        allocation_ship(
            reference=shipment.order.number,
            lines=[StockLine(li.variant_id, li.quantity) for li in lines],
            warehouse_id=shipment.warehouse_id,
        )
        order_shipment_record(
            order_id=shipment.order_id,
            quantities={li.sku: li.quantity for li in lines},
            actor=label,
        )
        before = shipment.status
        shipment.status = ShipmentStatus.SHIPPED
        shipment.carrier = carrier[:40]
        shipment.service = service[:40]
        shipment.tracking_number = tracking_number[:60]
        shipment.shipped_at = timezone.now()
        shipment.shipped_by = label[:80]
        shipment.save(
            update_fields=[
                "status",
                "carrier",
                "service",
                "tracking_number",
                "shipped_at",
                "shipped_by",
            ]
        )
        event_publish(
            ShipmentShipped(
                shipment_id=shipment.pk,
                order_id=shipment.order_id,
                order_number=shipment.order.number,
                warehouse_code=shipment.warehouse.code,
                carrier=shipment.carrier,
                service=shipment.service,
                tracking_number=shipment.tracking_number,
            ),
            actor=label,
        )
        audit_record(
            actor=actor,
            action="shipment.ship",
            target=shipment,
            before={"status": before},
            after={
                "status": shipment.status,
                "carrier": shipment.carrier,
                "service": shipment.service,
                "tracking_number": shipment.tracking_number,
            },
        )
    return shipment
