"""Writes to orders (I3). An order is created complete from a checkout (``order_place``) and its
state then moves only through ``order_transition``: each move is checked against the state table
(``orders.choices.TRANSITIONS``), recorded in the order's history and published as one domain
event, in one transaction, with the order row locked so two moves never interleave."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from storeteam.core.events import event_publish
from storeteam.core.money import Money
from storeteam.orders.choices import TRANSITIONS, OrderStatus
from storeteam.orders.errors import OrderError, OrderNotFoundError, OrderStateError
from storeteam.orders.events import (
    OrderAllocated,
    OrderCancelled,
    OrderDelivered,
    OrderEvent,
    OrderPaid,
    OrderPlaced,
    OrderRefunded,
    OrderShipped,
)
from storeteam.orders.models import Order, OrderHistory, OrderLine

EVENT_BY_STATUS: dict[str, type[OrderEvent]] = {
    OrderStatus.PAID: OrderPaid,
    OrderStatus.ALLOCATED: OrderAllocated,
    OrderStatus.PARTLY_SHIPPED: OrderShipped,
    OrderStatus.SHIPPED: OrderShipped,
    OrderStatus.DELIVERED: OrderDelivered,
}


@dataclass(frozen=True)
class OrderLineSpec:
    variant_id: int
    sku: str
    name: str
    quantity: int
    unit_price: Decimal
    tax_rate: Decimal

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class OrderSpec:
    """Everything an order is made of, priced and checked by checkout before payment. Kept as
    JSON on the checkout so that a payment confirmed later (a webhook, the reconciliation job)
    makes exactly the order the shopper saw."""

    reference: str
    email: str
    language: str
    currency: str
    country: str
    shipping_address: dict[str, str]
    shipping_method: str
    shipping_method_name: str
    subtotal: Decimal
    shipping_total: Decimal
    tax_total: Decimal
    total: Decimal
    lines: list[OrderLineSpec] = field(default_factory=list)
    customer_id: int | None = None
    phone: str = ""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("subtotal", "shipping_total", "tax_total", "total"):
            data[key] = str(data[key])
        for line in data["lines"]:
            line["unit_price"] = str(line["unit_price"])
            line["tax_rate"] = str(line["tax_rate"])
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> OrderSpec:
        values = dict(data)
        values["lines"] = [
            OrderLineSpec(
                **{
                    **line,
                    "unit_price": Decimal(line["unit_price"]),
                    "tax_rate": Decimal(line["tax_rate"]),
                }
            )
            for line in data["lines"]
        ]
        for key in ("subtotal", "shipping_total", "tax_total", "total"):
            values[key] = Decimal(values[key])
        return cls(**values)


@dataclass(frozen=True)
class PaymentFacts:
    payment_id: int
    gateway: str
    summary: str


def _locked(order_id: int) -> Order:
    order = Order.objects.select_for_update().filter(pk=order_id).first()
    if order is None:
        raise OrderNotFoundError()
    return order


def _history(order: Order, kind: str, *, from_status: str, actor: str, note: str = "") -> None:
    OrderHistory.objects.create(
        order=order,
        from_status=from_status,
        to_status=order.status,
        kind=kind,
        note=note[:500],
        actor=actor[:80],
        at=order.updated_at,
    )


def order_place(
    *,
    spec: OrderSpec,
    payment: PaymentFacts | None,
    actor: str = "checkout",
    paid: bool = False,
) -> tuple[Order, bool]:
    """Create the order ``spec`` describes, in state ``placed``; idempotent on its reference.

    Returns ``(order, created)``: the order already made for this reference comes back with
    ``created`` False, and nothing is written. Publishes ``OrderPlaced``. With ``paid`` (its
    payment is captured) the order is created ``paid`` at once: both steps are in its history
    and both events (``OrderPlaced``, then ``OrderPaid``) are published, as ``order_place`` then
    ``order_transition`` would, in fewer statements."""
    if not spec.lines:
        existing = Order.objects.filter(reference=spec.reference).first()
        if existing is not None:
            return existing, False
        raise OrderError(_("An order needs at least one line."))
    now = timezone.now()
    try:
        # No look-up first: the unique reference answers a repeat (the IntegrityError below).
        with transaction.atomic():
            order = Order.objects.create(
                reference=spec.reference,
                customer_id=spec.customer_id,
                email=spec.email,
                phone=spec.phone,
                language=spec.language,
                currency=spec.currency,
                country=spec.country,
                shipping_address=spec.shipping_address,
                shipping_method=spec.shipping_method,
                shipping_method_name=spec.shipping_method_name,
                status=OrderStatus.PAID if paid else OrderStatus.PLACED,
                subtotal=spec.subtotal,
                shipping_total=spec.shipping_total,
                tax_total=spec.tax_total,
                total=spec.total,
                payment_id=payment.payment_id if payment else None,
                payment_gateway=payment.gateway if payment else "",
                payment_summary=payment.summary if payment else "",
                placed_at=now,
                updated_at=now,
            )
            OrderLine.objects.bulk_create(
                [
                    OrderLine(
                        order=order,
                        variant_id=line.variant_id,
                        sku=line.sku,
                        name=line.name[:250],
                        quantity=line.quantity,
                        unit_price=line.unit_price,
                        tax_rate=line.tax_rate,
                        line_total=line.line_total,
                    )
                    for line in spec.lines
                ]
            )
            steps = [("", OrderStatus.PLACED)]
            if paid:
                steps.append((OrderStatus.PLACED, OrderStatus.PAID))
            OrderHistory.objects.bulk_create(
                [
                    OrderHistory(
                        order=order,
                        from_status=from_status,
                        to_status=to_status,
                        kind=to_status,
                        actor=actor[:80],
                        at=now,
                    )
                    for from_status, to_status in steps
                ]
            )
            event_publish(
                OrderPlaced(
                    order_id=order.pk,
                    number=order.number,
                    status=OrderStatus.PLACED,
                    email=order.email,
                    language=order.language,
                    country=order.country,
                    currency=order.currency,
                    total=order.total,
                    customer_id=order.customer_id,
                    lines=[
                        {
                            "variant_id": line.variant_id,
                            "sku": line.sku,
                            "quantity": line.quantity,
                            "unit_price": str(line.unit_price),
                        }
                        for line in spec.lines
                    ],
                ),
                actor=actor,
            )
            if paid:
                event_publish(
                    OrderPaid(
                        order_id=order.pk,
                        number=order.number,
                        status=OrderStatus.PAID,
                        from_status=OrderStatus.PLACED,
                    ),
                    actor=actor,
                )
    except IntegrityError:
        existing = Order.objects.filter(reference=spec.reference).first()
        if existing is None:
            raise
        return existing, False
    return order, True


def _move(order: Order, to_status: str, *, actor: str, note: str, reason: str) -> Order:
    """Move ``order`` (locked by the caller, or created in its transaction) to ``to_status``."""
    if order.status == to_status and to_status != OrderStatus.PARTLY_SHIPPED:
        return order
    if to_status not in TRANSITIONS.get(order.status, frozenset()):
        raise OrderStateError(
            _("Order %(number)s is %(state)s; it cannot become %(to)s.")
            % {
                "number": order.number,
                "state": order.get_status_display(),
                "to": OrderStatus(to_status).label,
            }
        )
    from_status = order.status
    order.status = to_status
    order.updated_at = timezone.now()
    order.save(update_fields=["status", "updated_at"])
    _history(order, to_status, from_status=from_status, actor=actor, note=note or reason)
    number = order.number
    if to_status == OrderStatus.CANCELLED:
        event_publish(
            OrderCancelled(
                order_id=order.pk,
                number=number,
                status=to_status,
                from_status=from_status,
                reason=reason or note,
            ),
            actor=actor,
        )
    elif to_status in EVENT_BY_STATUS:
        event_publish(
            EVENT_BY_STATUS[to_status](
                order_id=order.pk, number=number, status=to_status, from_status=from_status
            ),
            actor=actor,
        )
    return order


def order_transition(
    *, order_id: int, to_status: str, actor: str, note: str = "", reason: str = ""
) -> Order:
    """Move the order to ``to_status`` if the state table allows it from where it is, record the
    step and publish its event. Moving to the state it is already in (a retried handler) changes
    nothing and returns the order, except ``partly_shipped``, which may repeat."""
    with transaction.atomic():
        return _move(_locked(order_id), to_status, actor=actor, note=note, reason=reason)


def order_advance(*, order: Order, to_status: str, actor: str, note: str = "") -> Order:
    """``order_transition`` for an order the caller already holds in its open transaction (it
    created the order there, or locked its row): the same checks, history and event, without
    reading the row again. Outside a transaction it raises ``OrderError``."""
    if not transaction.get_connection().in_atomic_block:
        raise OrderError("order_advance needs the transaction that holds the order")
    return _move(order, to_status, actor=actor, note=note, reason="")


def order_flag(*, order_id: int, reason: str, actor: str = "system") -> Order:
    """Mark the order for a person to look at, saying why (shown first in the staff list)."""
    with transaction.atomic():
        order = _locked(order_id)
        order.needs_attention = True
        order.attention_reason = reason[:300]
        order.updated_at = timezone.now()
        order.save(update_fields=["needs_attention", "attention_reason", "updated_at"])
        _history(order, "flagged", from_status=order.status, actor=actor, note=reason)
    return order


def order_attention_clear(*, order_id: int, actor: str, note: str = "") -> Order:
    with transaction.atomic():
        order = _locked(order_id)
        order.needs_attention = False
        order.attention_reason = ""
        order.updated_at = timezone.now()
        order.save(update_fields=["needs_attention", "attention_reason", "updated_at"])
        _history(order, "attention_cleared", from_status=order.status, actor=actor, note=note)
    return order


def order_note_add(*, order_id: int, note: str, actor: str) -> Order:
    note = (note or "").strip()
    if not note:
        raise OrderError(_("Write the note first."))
    with transaction.atomic():
        order = _locked(order_id)
        order.updated_at = timezone.now()
        order.save(update_fields=["updated_at"])
        _history(order, "note", from_status=order.status, actor=actor, note=note)
    return order


def order_refund_record(
    *, order_id: int, amount: Decimal, actor: str, note: str = "", refund_id: int | None = None
) -> Order:
    """Record money given back (the payment's refund already succeeded). When the whole total
    has gone back the order becomes ``refunded``. Publishes ``OrderRefunded``. The payment's
    ``refund_id`` is recorded once, checked under the order's lock, however many requests
    report it."""
    with transaction.atomic():
        order = _locked(order_id)
        if (
            refund_id is not None
            and order.history.filter(kind="refund", note__contains=f"(refund {refund_id})").exists()
        ):
            return order  # recorded already, by a concurrent or repeated request
        refund = Money(amount, order.currency)
        if refund.amount <= 0 or refund > order.refundable:
            raise OrderError(
                _("A refund must be above zero and at most %(left)s.")
                % {"left": order.refundable.amount}
            )
        from_status = order.status
        order.refunded_total = order.refunded_total + refund.amount
        if order.refunded_total == order.total:
            if OrderStatus.REFUNDED not in TRANSITIONS.get(order.status, frozenset()):
                raise OrderStateError(
                    _("Order %(number)s is %(state)s; it cannot be refunded.")
                    % {"number": order.number, "state": order.get_status_display()}
                )
            order.status = OrderStatus.REFUNDED
        order.updated_at = timezone.now()
        order.save(update_fields=["refunded_total", "status", "updated_at"])
        text = _("Refunded %(amount)s %(currency)s") % {
            "amount": refund.amount,
            "currency": order.currency,
        }
        if refund_id is not None:
            text += f" (refund {refund_id})"
        _history(
            order,
            "refund",
            from_status=from_status,
            actor=actor,
            note=f"{text}. {note}".strip() if note else text,
        )
        event_publish(
            OrderRefunded(
                order_id=order.pk,
                number=order.number,
                status=order.status,
                from_status=from_status,
                amount=refund.amount,
                refunded_total=order.refunded_total,
                currency=order.currency,
            ),
            actor=actor,
        )
    return order


def order_shipment_record(*, order_id: int, quantities: Mapping[str, int], actor: str) -> Order:
    """Record that ``quantities`` (by SKU) of the order left the warehouse: the order becomes
    ``partly_shipped`` or, when every line is shipped in full, ``shipped``."""
    with transaction.atomic():
        order = _locked(order_id)
        lines = {line.sku: line for line in order.lines.select_for_update()}
        for sku, quantity in quantities.items():
            line = lines.get(sku)
            if line is None or quantity <= 0:
                raise OrderError(
                    _("%(sku)s is not a line of order %(number)s.")
                    % {"sku": sku, "number": order.number}
                )
            if line.quantity_shipped + quantity > line.quantity:
                raise OrderError(
                    _("Only %(left)d of %(sku)s remain to ship.")
                    % {"left": line.quantity - line.quantity_shipped, "sku": sku}
                )
            line.quantity_shipped += quantity
            line.save(update_fields=["quantity_shipped"])
        done = all(line.quantity_shipped == line.quantity for line in lines.values())
        to_status = OrderStatus.SHIPPED if done else OrderStatus.PARTLY_SHIPPED
        shipped = ", ".join(f"{q} x {sku}" for sku, q in quantities.items())
        return order_transition(order_id=order.pk, to_status=to_status, actor=actor, note=shipped)
