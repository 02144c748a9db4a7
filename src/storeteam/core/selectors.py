"""Reads of the core tables for the back office and the API."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from storeteam.core.models import AuditEntry, DeliveryState, EventDelivery


def delivery_counts() -> dict[str, int]:
    """How many deliveries are pending, delivered and dead, in one query."""
    rows = EventDelivery.objects.values("state").annotate(n=Count("id")).order_by()
    counts = {state.value: 0 for state in DeliveryState}
    counts.update({row["state"]: row["n"] for row in rows})
    return counts


def deliveries_list(*, state: str | None = None, handler: str = "") -> QuerySet[EventDelivery]:
    """Deliveries newest first, with their event, optionally filtered by state and handler."""
    qs = EventDelivery.objects.select_related("event").order_by("-updated_at", "-id")
    if state in DeliveryState.values:
        qs = qs.filter(state=state)
    if handler:
        qs = qs.filter(handler__icontains=handler)
    return qs


def audit_entries(
    *, actor_id: int | None = None, action: str = "", target: str = ""
) -> QuerySet[AuditEntry]:
    """Audit entries newest first, optionally by one actor, an action prefix, or a target text."""
    qs: QuerySet[AuditEntry] = AuditEntry.objects.all()
    if actor_id is not None:
        qs = qs.filter(actor_id=actor_id)
    if action:
        qs = qs.filter(action__startswith=action)
    if target:
        qs = qs.filter(target_label__icontains=target)
    return qs


def audit_actions() -> list[str]:
    return list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())


def as_filters(params: Any, *names: str) -> dict[str, str]:
    return {name: str(params.get(name, "")).strip() for name in names}
