"""Reads of orders for the customer's account and the staff order workspace."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from storeteam.orders.models import NUMBER_OFFSET, Order


def order_pk_from_number(number: str) -> int | None:
    text = (number or "").strip().lstrip("#")
    if not text.isdigit():
        return None
    pk = int(text) - NUMBER_OFFSET
    return pk if 0 < pk < 2**62 else None


def customer_orders(*, customer_id: int) -> QuerySet[Order]:
    """The customer's orders, newest first (S9)."""
    return Order.objects.filter(customer_id=customer_id).order_by("-placed_at", "-id")


def customer_order(*, customer_id: int, number: str) -> Order | None:
    """One of the customer's own orders by number, with lines and history;
    None for anyone else's."""
    pk = order_pk_from_number(number)
    if pk is None:
        return None
    return (
        Order.objects.filter(pk=pk, customer_id=customer_id)
        .prefetch_related("lines", "history")
        .first()
    )


def order_by_reference(reference: str) -> Order | None:
    """The order of a checkout, by its unguessable reference (the guest's receipt link)."""
    if not reference:
        return None
    return Order.objects.filter(reference=reference).prefetch_related("lines", "history").first()


@dataclass(frozen=True)
class OrderSearch:
    text: str = ""
    status: str = ""
    placed_from: date | None = None
    placed_to: date | None = None
    attention_only: bool = False


def staff_orders(search: OrderSearch) -> QuerySet[Order]:
    """Orders for the staff workspace: by number, email or name, state and date; the ones that
    need a person first."""
    orders = Order.objects.all()
    text = search.text.strip()
    if text:
        pk = order_pk_from_number(text)
        condition = Q(email__iexact=text) | Q(email__istartswith=text)
        if pk is not None:
            condition |= Q(pk=pk)
        orders = orders.filter(condition)
    if search.status:
        orders = orders.filter(status=search.status)
    if search.placed_from:
        orders = orders.filter(placed_at__date__gte=search.placed_from)
    if search.placed_to:
        orders = orders.filter(placed_at__date__lte=search.placed_to)
    if search.attention_only:
        orders = orders.filter(needs_attention=True)
    return orders.order_by("-needs_attention", "-placed_at", "-id")


def staff_order(order_id: int) -> Order | None:
    return Order.objects.filter(pk=order_id).prefetch_related("lines", "history").first()
