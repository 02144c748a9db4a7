"""What staff do to one order from the order workspace (I3, S10, S12): cancel, refund, write a
note, clear the attention flag. Each is the domain's own service, called with the staff member
as the order history's actor (``staff:<id>``), plus an entry in the audit log.

Cancelling and refunding call the payment provider, which must never happen inside a database
transaction (ADR 0008), so their audit entry is written after the service returns, in its own
transaction, and only when the order changed: a repeated request (a double click, a reloaded
page) leaves one entry, as it leaves one refund. Notes and clearing the flag are one local write,
so their audit entry commits with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from storeteam.accounts.models import User
from storeteam.checkout.services import order_cancel, order_refund
from storeteam.core.audit import audit_record
from storeteam.orders.errors import OrderNotFoundError
from storeteam.orders.models import Order
from storeteam.orders.services import order_attention_clear, order_note_add
from storeteam.payments.models import Refund


def staff_actor(user: User) -> str:
    """How a staff member is named in an order's history (as the team's own events name them)."""
    return f"staff:{user.pk}"


def _snapshot(order: Order) -> dict[str, Any]:
    return {
        "status": order.status,
        "refunded_total": str(order.refunded_total),
        "needs_attention": order.needs_attention,
    }


def _current(order_id: int) -> Order:
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        raise OrderNotFoundError()
    return order


def _audit_if_changed(
    *,
    user: User,
    action: str,
    before: dict[str, Any],
    order: Order,
    reason: str,
    ip_address: str | None,
) -> None:
    after = _snapshot(order)
    if after == before:
        return
    with transaction.atomic():
        audit_record(
            actor=user,
            action=action,
            target=order,
            before=before,
            after=after,
            reason=reason[:500],
            ip_address=ip_address,
        )


def staff_order_cancel(
    *, order_id: int, user: User, reason: str, ip_address: str | None = None
) -> Order:
    """Cancel the order (``checkout.services.order_cancel``: stock back to the shelves, payment
    voided or refunded in full) and audit it as ``order.cancel``."""
    before = _snapshot(_current(order_id))
    order = order_cancel(order_id=order_id, actor=staff_actor(user), reason=reason)
    _audit_if_changed(
        user=user,
        action="order.cancel",
        before=before,
        order=order,
        reason=reason,
        ip_address=ip_address,
    )
    return order


@dataclass(frozen=True)
class StaffRefundResult:
    order: Order
    repeated: bool  # the form was sent before: nothing more was refunded


def staff_order_refund(
    *,
    order_id: int,
    user: User,
    amount: Decimal,
    note: str,
    idempotency_key: str,
    ip_address: str | None = None,
) -> StaffRefundResult:
    """Refund ``amount`` of the order through its payment (``checkout.services.order_refund``),
    once per ``idempotency_key`` (one key per refund form shown), and audit it as
    ``order.refund``. A form sent again comes back ``repeated`` and refunds nothing."""
    current = _current(order_id)
    if Refund.objects.filter(idempotency_key=idempotency_key).exists():
        # Already made with this form: ``order_refund`` would answer the same, but after a full
        # refund it would first refuse the amount as more than is left.
        return StaffRefundResult(order=current, repeated=True)
    before = _snapshot(current)
    order = order_refund(
        order_id=order_id,
        amount=amount,
        actor=staff_actor(user),
        note=note,
        idempotency_key=idempotency_key,
    )
    _audit_if_changed(
        user=user,
        action="order.refund",
        before=before,
        order=order,
        reason=f"{amount} {order.currency}: {note}",
        ip_address=ip_address,
    )
    return StaffRefundResult(order=order, repeated=False)


def staff_order_note_add(
    *, order_id: int, user: User, note: str, ip_address: str | None = None
) -> Order:
    """Add a note to the order's history (seen by staff only), audited as ``order.note``."""
    with transaction.atomic():
        order = order_note_add(order_id=order_id, note=note, actor=staff_actor(user))
        audit_record(
            actor=user, action="order.note", target=order, reason=note[:500], ip_address=ip_address
        )
    return order


def staff_order_attention_clear(
    *, order_id: int, user: User, note: str, ip_address: str | None = None
) -> Order:
    """Take the order off the list of orders to look at, saying what was done; audited as
    ``order.attention_clear`` with the reason it was flagged."""
    with transaction.atomic():
        before = _current(order_id)
        flagged_for = before.attention_reason
        order = order_attention_clear(order_id=order_id, actor=staff_actor(user), note=note)
        audit_record(
            actor=user,
            action="order.attention_clear",
            target=order,
            before={"needs_attention": before.needs_attention, "reason": flagged_for},
            after={"needs_attention": False},
            reason=note[:500],
            ip_address=ip_address,
        )
    return order
