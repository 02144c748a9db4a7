"""Packing capacity (F3, the warehouse side of G3): will today's parcels leave on time?

For a warehouse with shifts, ``capacity_projection`` compares the parcels due by the end of
today's last shift with what the shifts can still pack before then, and projects the backlog
hour by hour from the open parcels, the current order rate and the shifts' pace (the chart of
the logistics workspace). ``capacity_check`` (every 10 minutes) raises a ``CapacityAlert`` and
emails the logistics managers when a shortfall is projected, before the deadline is missed;
again only if it grows by a quarter, so nobody is told the same thing every ten minutes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from storeteam.accounts.models import User
from storeteam.core.events import event_publish
from storeteam.core.mail import email_in_language
from storeteam.fulfilment.events import CapacityShortfallProjected
from storeteam.fulfilment.models import ACTIVE, CapacityAlert, Shift, Shipment
from storeteam.inventory.models import Warehouse

RATE_WINDOW = timedelta(hours=1)
STEP = timedelta(hours=1)
REMIND_GROWTH = 1.25
ALERT_ROLE = "logistics_manager"


@dataclass(frozen=True)
class ProjectionPoint:
    at: datetime
    backlog: int  # parcels open (projected)
    due_left: int  # of those due today, not yet packed (projected)


@dataclass(frozen=True)
class Projection:
    warehouse: Warehouse
    now: datetime
    backlog: int
    due_today: int
    order_rate_per_hour: float
    capacity_left: int
    deadline: datetime | None
    points: list[ProjectionPoint] = field(default_factory=list)

    @property
    def shortfall(self) -> int:
        return max(self.due_today - self.capacity_left, 0)


def _shifts_on(warehouse: Warehouse, day: date) -> list[tuple[datetime, datetime, int]]:
    zone = timezone.get_current_timezone()
    return [
        (
            datetime.combine(day, shift.starts_at, tzinfo=zone),
            datetime.combine(day, shift.ends_at, tzinfo=zone),
            shift.orders_per_hour,
        )
        for shift in Shift.objects.filter(warehouse=warehouse, weekday=day.weekday())
    ]


def _capacity(
    shifts: list[tuple[datetime, datetime, int]], start: datetime, end: datetime
) -> float:
    total = 0.0
    for begins, ends, per_hour in shifts:
        overlap = (min(ends, end) - max(begins, start)).total_seconds()
        if overlap > 0:
            total += overlap / 3600 * per_hour
    return total


def capacity_projection(*, warehouse: Warehouse, now: datetime | None = None) -> Projection:
    """Today's outlook for ``warehouse`` (module docstring)."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    shifts = _shifts_on(warehouse, today)
    deadline = max((ends for _b, ends, _p in shifts), default=None)
    open_parcels = Shipment.objects.filter(warehouse=warehouse, status__in=ACTIVE)
    backlog = open_parcels.count()
    arrived = Shipment.objects.filter(
        warehouse=warehouse, created_at__gt=now - RATE_WINDOW, created_at__lte=now
    ).count()
    rate = arrived / (RATE_WINDOW.total_seconds() / 3600)
    if deadline is None or deadline <= now:
        return Projection(warehouse, now, backlog, 0, rate, 0, deadline)
    due = open_parcels.filter(ship_by__lte=deadline).count()
    capacity_left = round(_capacity(shifts, now, deadline))
    points = [ProjectionPoint(now, backlog, due)]
    at = now
    while at < deadline:
        step_end = min(at + STEP, deadline)
        packed = _capacity(shifts, now, step_end)
        hours = (step_end - now).total_seconds() / 3600
        points.append(
            ProjectionPoint(
                step_end,
                max(round(backlog + rate * hours - packed), 0),
                max(round(due - packed), 0),
            )
        )
        at = step_end
    return Projection(warehouse, now, backlog, due, rate, capacity_left, deadline, points)


def _managers() -> list[User]:
    return list(User.objects.filter(is_staff=True, is_active=True, groups__name=ALERT_ROLE))


def _email(alert: CapacityAlert, projection: Projection) -> None:
    for manager in _managers():
        email_in_language(
            to=manager.email,
            language=manager.language,
            template="fulfilment/email/capacity",
            context={
                "projection": projection,
                "alert": alert,
                "deadline": timezone.localtime(alert.deadline),
            },
        )


def capacity_check(*, now: datetime | None = None) -> list[CapacityAlert]:
    """Project every warehouse with shifts; raise or grow today's alert where parcels due today
    will not all be packed before the last shift ends. Returns the alerts raised or grown."""
    now = now or timezone.now()
    raised = []
    warehouse_ids = Shift.objects.values_list("warehouse_id", flat=True).distinct()
    for warehouse in Warehouse.objects.filter(pk__in=warehouse_ids, is_active=True):
        projection = capacity_projection(warehouse=warehouse, now=now)
        if not projection.shortfall or projection.deadline is None:
            continue
        day = timezone.localtime(now).date()
        with transaction.atomic():
            alert, created = CapacityAlert.objects.select_for_update().get_or_create(
                warehouse=warehouse,
                day=day,
                defaults={
                    "shortfall": projection.shortfall,
                    "deadline": projection.deadline,
                    "created_at": now,
                    "updated_at": now,
                },
            )
            tell = created or projection.shortfall >= alert.emailed_shortfall * REMIND_GROWTH
            alert.shortfall = projection.shortfall
            alert.updated_at = now
            if tell:
                alert.emailed_shortfall = projection.shortfall
            alert.save()
            if tell:
                event_publish(
                    CapacityShortfallProjected(
                        warehouse_code=warehouse.code,
                        day=day.isoformat(),
                        due=projection.due_today,
                        capacity=projection.capacity_left,
                        shortfall=projection.shortfall,
                        deadline=projection.deadline,
                    )
                )
        if tell:
            _email(alert, projection)
            raised.append(alert)
    return raised


def capacity_alerts_today(*, now: datetime | None = None) -> list[CapacityAlert]:
    day = timezone.localtime(now or timezone.now()).date()
    return list(CapacityAlert.objects.filter(day=day).select_related("warehouse"))


def shifts_set(
    *, warehouse: Warehouse, weekdays: list[int], starts: time, ends: time, orders_per_hour: int
) -> None:
    """Give ``warehouse`` one shift on each of ``weekdays`` (replacing that day's shifts)."""
    with transaction.atomic():
        Shift.objects.filter(warehouse=warehouse, weekday__in=weekdays).delete()
        Shift.objects.bulk_create(
            [
                Shift(
                    warehouse=warehouse,
                    weekday=day,
                    starts_at=starts,
                    ends_at=ends,
                    orders_per_hour=orders_per_hour,
                )
                for day in weekdays
            ]
        )
