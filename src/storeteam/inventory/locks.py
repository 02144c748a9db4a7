"""Row locks on stock, always taken in one order (by primary key) so that two transactions
locking overlapping rows never wait for each other in a cycle (ADR 0005).

On PostgreSQL ``SELECT ... FOR UPDATE`` locks the rows until the transaction ends; on SQLite
``select_for_update`` is a no-op and the IMMEDIATE transaction already holds the database's one
write lock (ADR 0003). Call these only inside ``transaction.atomic()``, and do nothing slow while
the locks are held.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from storeteam.inventory.models import Reservation, Stock


def stock_locked(queryset: QuerySet[Stock], *, related: bool = True) -> list[Stock]:
    """Lock the stock rows ``queryset`` selects, in primary-key order, and return them (with
    their warehouse and variant unless ``related`` is false: a large receipt skips them)."""
    if related:
        queryset = queryset.select_related("warehouse", "variant")
    return list(queryset.select_for_update(of=("self",)).order_by("pk"))


def stock_locked_by_id(stock_ids: Iterable[int]) -> dict[int, Stock]:
    return {s.pk: s for s in stock_locked(Stock.objects.filter(pk__in=sorted(set(stock_ids))))}


def reservation_locked(key: str) -> Reservation | None:
    """Lock the reservation with ``key`` (taken before any stock row, always)."""
    return Reservation.objects.select_for_update().filter(key=key).first()
