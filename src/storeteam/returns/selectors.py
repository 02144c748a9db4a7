"""Reads of returns: the staff list, a customer's own, and return reasons per product."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet, Sum

from storeteam.returns.models import ReturnLine, ReturnReason, ReturnRequest, ReturnStatus


def returns_list(*, status: str = "") -> QuerySet[ReturnRequest]:
    returns = ReturnRequest.objects.select_related("order")
    if status:
        returns = returns.filter(status=status)
    return returns.order_by("-created_at", "-id")


def customer_returns(*, customer_id: int) -> QuerySet[ReturnRequest]:
    return (
        ReturnRequest.objects.filter(order__customer_id=customer_id)
        .select_related("order")
        .prefetch_related("lines__order_line")
        .order_by("-created_at", "-id")
    )


@dataclass
class ReasonRow:
    sku: str
    name: str
    returned: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)


def return_reasons_by_product(*, limit: int = 50) -> list[ReasonRow]:
    """Units returned per SKU and reason (rejected returns left out), most returned first:
    where the product team looks for sizes that run small or descriptions that mislead."""
    rows: dict[str, ReasonRow] = {}
    for sku, name, reason, units in (
        ReturnLine.objects.exclude(request__status=ReturnStatus.REJECTED)
        .values_list("order_line__sku", "order_line__name", "reason")
        .annotate(units=Sum("quantity"))
        .order_by()
    ):
        row = rows.setdefault(sku, ReasonRow(sku=sku, name=name))
        row.returned += units
        label = str(ReturnReason(reason).label)
        row.by_reason[label] = row.by_reason.get(label, 0) + units
    return sorted(rows.values(), key=lambda r: (-r.returned, r.sku))[:limit]
