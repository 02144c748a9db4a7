"""Returns (R1): request, approve or reject, receive, inspect (restock or scrap), refund.

Quantities are checked against what was shipped and what other returns of the order already
claim; restocked units go back on hand through the stock ledger (``inventory.stock_return``);
the refund goes through the order's payment (``checkout.order_refund``) once, by an idempotency
key of the return. Every step is recorded on the order's history and published as an event.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from storeteam.checkout.services import order_refund
from storeteam.core.errors import DomainError, NotFoundError
from storeteam.core.events import event_publish
from storeteam.fulfilment.models import Shipment, ShipmentStatus
from storeteam.inventory.services import stock_return
from storeteam.orders.choices import OrderStatus
from storeteam.orders.models import Order
from storeteam.orders.services import order_note_add
from storeteam.returns.events import ReturnDecided, ReturnReceived, ReturnRefunded, ReturnRequested
from storeteam.returns.models import (
    STORE_FAULT,
    ReturnLine,
    ReturnReason,
    ReturnRequest,
    ReturnStatus,
)

RETURNABLE = frozenset({OrderStatus.PARTLY_SHIPPED, OrderStatus.SHIPPED, OrderStatus.DELIVERED})


class ReturnError(DomainError):
    """The return cannot be done as asked; nothing changed."""


@dataclass(frozen=True)
class ReturnLineSpec:
    order_line_id: int
    quantity: int
    reason: str
    note: str = ""


def return_window_days() -> int:
    return int(getattr(settings, "RETURN_WINDOW_DAYS", 30))


def _window_start(order: Order) -> datetime:
    """The return window runs from delivery (the last parcel), or from shipping while the
    carrier has not reported a delivery."""
    parcels = Shipment.objects.filter(order=order, status=ShipmentStatus.SHIPPED).aggregate(
        delivered=Max("delivered_at"), shipped=Max("shipped_at")
    )
    return parcels["delivered"] or parcels["shipped"] or order.updated_at


def return_deadline(order: Order) -> datetime:
    return _window_start(order) + timedelta(days=return_window_days())


def returnable_quantities(order: Order) -> dict[int, int]:
    """Per order line: shipped, less what open or finished returns already claim."""
    claimed = dict(
        ReturnLine.objects.filter(request__order=order)
        .exclude(request__status=ReturnStatus.REJECTED)
        .values("order_line_id")
        .annotate(total=Sum("quantity"))
        .values_list("order_line_id", "total")
    )
    return {line.pk: line.quantity_shipped - claimed.get(line.pk, 0) for line in order.lines.all()}


def _locked(return_id: int) -> ReturnRequest:
    found = (
        ReturnRequest.objects.select_for_update(of=("self",))
        .select_related("order")
        .filter(pk=return_id)
        .first()
    )
    if found is None:
        raise NotFoundError(_("There is no such return."))
    return found


def return_request(
    *,
    order_id: int,
    lines: Sequence[ReturnLineSpec],
    requested_by: str,
    customer_id: int | None = None,
    now: datetime | None = None,
) -> ReturnRequest:
    """Start a return of ``lines`` of a shipped order, within the return window. A customer
    (``customer_id``) may only return their own orders; customer service starts returns on a
    customer's behalf with ``requested_by='staff:<id>'``."""
    now = now or timezone.now()
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=order_id).first()
        if order is None or (customer_id is not None and order.customer_id != customer_id):
            raise NotFoundError(_("There is no such order."))
        if order.status not in RETURNABLE:
            raise ReturnError(_("Only orders that have been shipped can be returned."))
        if now > return_deadline(order):
            raise ReturnError(
                _("The return window of %(days)d days for this order has closed.")
                % {"days": return_window_days()}
            )
        wanted = [spec for spec in lines if spec.quantity]
        if not wanted:
            raise ReturnError(_("Choose at least one item to return."))
        left = returnable_quantities(order)
        names = dict(order.lines.values_list("pk", "name"))
        for spec in wanted:
            if spec.order_line_id not in left:
                raise ReturnError(_("That item is not part of this order."))
            if spec.reason not in ReturnReason.values:
                raise ReturnError(_("Choose a reason for each item."))
            if spec.quantity < 0 or spec.quantity > left[spec.order_line_id]:
                raise ReturnError(
                    _("You can return at most %(n)d of %(name)s.")
                    % {"n": max(left[spec.order_line_id], 0), "name": names[spec.order_line_id]}
                )
        request = ReturnRequest.objects.create(
            order=order, requested_by=requested_by[:80], created_at=now, updated_at=now
        )
        ReturnLine.objects.bulk_create(
            [
                ReturnLine(
                    request=request,
                    order_line_id=spec.order_line_id,
                    quantity=spec.quantity,
                    reason=spec.reason,
                    note=spec.note.strip()[:300],
                )
                for spec in wanted
            ]
        )
        order_note_add(
            order_id=order.pk,
            note=_("Return %(number)s requested") % {"number": request.number},
            actor=requested_by,
        )
        event_publish(
            ReturnRequested(return_id=request.pk, order_id=order.pk, requested_by=requested_by),
            actor=requested_by,
        )
    return request


def _shipping_warehouse_id(order: Order) -> int | None:
    return (
        Shipment.objects.filter(order=order, status=ShipmentStatus.SHIPPED)
        .order_by("sequence", "id")
        .values_list("warehouse_id", flat=True)
        .first()
    )


def return_decide(*, return_id: int, approve: bool, note: str, actor: str) -> ReturnRequest:
    """Approve a requested return (the customer sends it back to the warehouse that shipped
    it) or reject it, saying why."""
    note = (note or "").strip()
    if not approve and not note:
        raise ReturnError(_("Say why the return is rejected; the customer is told."))
    with transaction.atomic():
        request = _locked(return_id)
        if request.status != ReturnStatus.REQUESTED:
            raise ReturnError(
                _("Return %(number)s is already %(status)s.")
                % {"number": request.number, "status": request.get_status_display()}
            )
        request.status = ReturnStatus.APPROVED if approve else ReturnStatus.REJECTED
        request.decision_note = note[:300]
        request.warehouse_id = _shipping_warehouse_id(request.order) if approve else None
        request.updated_at = timezone.now()
        request.save(update_fields=["status", "decision_note", "warehouse", "updated_at"])
        order_note_add(
            order_id=request.order_id,
            note=_("Return %(number)s %(status)s. %(note)s")
            % {"number": request.number, "status": request.get_status_display(), "note": note},
            actor=actor,
        )
        event_publish(
            ReturnDecided(
                return_id=request.pk, order_id=request.order_id, approved=approve, note=note
            ),
            actor=actor,
        )
    return request


def return_receive(
    *, return_id: int, inspected: Mapping[int, tuple[int, int]], actor: str
) -> ReturnRequest:
    """Record what arrived at the warehouse and what became of each unit: per return line,
    (restocked, scrapped). Restocked units go back on hand through the ledger; scrapped ones
    are written off (they left the stock when they shipped)."""
    with transaction.atomic():
        request = _locked(return_id)
        if request.status not in (ReturnStatus.APPROVED, ReturnStatus.RECEIVED):
            raise ReturnError(_("Only an approved return can be received."))
        if request.warehouse is None:
            raise ReturnError(_("This return has no warehouse to go back to."))
        lines = {
            line.pk: line
            for line in request.lines.select_for_update(of=("self",)).select_related("order_line")
        }
        for line_id, (restock, scrap) in inspected.items():
            line = lines.get(line_id)
            if line is None:
                raise ReturnError(_("That item is not part of this return."))
            if restock < 0 or scrap < 0 or line.received + restock + scrap > line.quantity:
                raise ReturnError(
                    _("%(name)s: at most %(n)d more can be received.")
                    % {"name": line.order_line.name, "n": line.quantity - line.received}
                )
        received_any = False
        for line_id, (restock, scrap) in sorted(inspected.items()):
            line = lines[line_id]
            if not restock and not scrap:
                continue
            received_any = True
            line.received += restock + scrap
            line.restocked += restock
            line.scrapped += scrap
            line.save(update_fields=["received", "restocked", "scrapped"])
            if restock and line.order_line.variant_id is not None:
                stock_return(
                    actor=None,
                    warehouse=request.warehouse,
                    variant_id=line.order_line.variant_id,
                    quantity=restock,
                    reference=request.order.number,
                    reason=f"return {request.number}: {line.get_reason_display()}",
                )
        if not received_any:
            raise ReturnError(_("Enter what arrived."))
        request.status = ReturnStatus.RECEIVED
        request.updated_at = timezone.now()
        request.save(update_fields=["status", "updated_at"])
        event_publish(ReturnReceived(return_id=request.pk, order_id=request.order_id), actor=actor)
    return request


def return_refund_amount(request: ReturnRequest) -> Decimal:
    """What the return gives back: every received unit at the price paid, plus the shipping
    when the whole order came back for a reason that is the store's fault."""
    lines = list(request.lines.select_related("order_line"))
    amount = sum((li.order_line.unit_price * li.received for li in lines), Decimal(0))
    order = request.order
    all_back = sum(li.received for li in lines) == sum(
        order.lines.values_list("quantity", flat=True)
    )
    if all_back and any(li.reason in STORE_FAULT for li in lines):
        amount += order.shipping_total
    return min(amount, order.refundable.amount)


def return_refund(*, return_id: int, actor: str) -> ReturnRequest:
    """Refund a received return through the order's payment, once (the return's own
    idempotency key), and close it."""
    request = ReturnRequest.objects.select_related("order").filter(pk=return_id).first()
    if request is None:
        raise NotFoundError(_("There is no such return."))
    if request.status == ReturnStatus.REFUNDED:
        return request
    if request.status != ReturnStatus.RECEIVED:
        raise ReturnError(_("Refund a return once its items have arrived."))
    amount = return_refund_amount(request)
    if amount > 0:
        order_refund(
            order_id=request.order_id,
            amount=amount,
            actor=actor,
            note=_("Return %(number)s") % {"number": request.number},
            idempotency_key=f"return-{request.pk}:refund",
        )
    with transaction.atomic():
        request = _locked(return_id)
        request.status = ReturnStatus.REFUNDED
        request.refund_amount = amount
        request.updated_at = timezone.now()
        request.save(update_fields=["status", "refund_amount", "updated_at"])
        event_publish(
            ReturnRefunded(
                return_id=request.pk,
                order_id=request.order_id,
                amount=amount,
                currency=request.order.currency,
            ),
            actor=actor,
        )
    return request
