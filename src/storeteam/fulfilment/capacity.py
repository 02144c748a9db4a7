"""Packing capacity (F3, the warehouse side of G3): will today's parcels leave on time?

For a warehouse with shifts, ``capacity_projection`` compares what must leave today with what
can still be packed before the end of today's last shift:

- *due today*: the open parcels whose ship-by time falls before then, plus, when the warehouse
  has a same-day cut-off (``SameDayCutoff``), the orders still to arrive before the cut-off: at
  the last hour's rate, plus what ``ExpectedOrders`` forecasts (a campaign's extra orders, spread
  evenly over its window). Once a campaign runs, the last hour's rate includes its orders too, so
  the projection leans to the pessimistic side, which is the safe side for a warning;
- *capacity*: the shifts' pace (orders per hour), capped by what the warehouse's active packing
  stations can print (labels per hour, one label a parcel), hour by hour to the deadline.

The shortfall is said in parcels and in station-hours (how many more hours of one packing
station it would take). It is projected hour by hour for the logistics workspace's chart.
``capacity_check`` (every 10 minutes) raises a ``CapacityAlert`` and emails the logistics
managers when a shortfall is projected, before the deadline is missed; again only if it grows by
a quarter, so nobody is told the same thing every ten minutes.

Shifts are set by the logistics manager (``shifts_add``, ``shift_update``, ``shift_delete``,
audited): every week on a weekday, or on one date, whose shifts then replace the weekday's for
that day. Shifts of one day never overlap, so a day's capacity is the plain sum of its shifts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from storeteam.accounts.models import User
from storeteam.core.audit import audit_record
from storeteam.core.errors import DomainError, NotFoundError
from storeteam.core.events import event_publish
from storeteam.core.mail import email_in_language
from storeteam.fulfilment.events import CapacityShortfallProjected
from storeteam.fulfilment.models import (
    ACTIVE,
    CapacityAlert,
    ExpectedOrders,
    PackingStation,
    SameDayCutoff,
    Shift,
    Shipment,
)
from storeteam.fulfilment.services import Problem, SetupError
from storeteam.inventory.models import Warehouse

RATE_WINDOW = timedelta(hours=1)
STEP = timedelta(hours=1)
REMIND_GROWTH = 1.25
ALERT_ROLE = "logistics_manager"
# An order placed now must leave the warehouse within this, unless a same-day cut-off applies.
SHIP_WITHIN = timedelta(hours=24)
MAX_EXPECTED_ORDERS = 1_000_000


class CapacityInputError(DomainError):
    """The forecast or cut-off given cannot be used; nothing was saved."""


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
    due_today: int  # open parcels due before the deadline
    order_rate_per_hour: float
    capacity_left: int
    deadline: datetime | None
    points: list[ProjectionPoint] = field(default_factory=list)
    expected_today: int = 0  # orders still to arrive before the same-day cut-off
    station_pace: int = 0  # parcels one packing station packs an hour (0: no stations)
    cutoff: datetime | None = None

    @property
    def demand(self) -> int:
        return self.due_today + self.expected_today

    @property
    def shortfall(self) -> int:
        return max(self.demand - self.capacity_left, 0)

    @property
    def station_hours_needed(self) -> Decimal | None:
        """More hours of one packing station it would take to pack the shortfall in time."""
        if not self.shortfall or not self.station_pace:
            return None
        return (Decimal(self.shortfall) / self.station_pace).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


Shifts = list[tuple[datetime, datetime, int]]


def shifts_of_day(warehouse: Warehouse | int, day: date) -> list[Shift]:
    """The shifts ``warehouse`` packs in on ``day``: those set for that date if there are any,
    else the weekday's, by start time."""
    shifts = list(
        Shift.objects.filter(
            Q(date=day) | Q(weekday=day.weekday(), date__isnull=True), warehouse=warehouse
        ).order_by("starts_at")
    )
    dated = [shift for shift in shifts if shift.date is not None]
    return dated or shifts


def _shifts_on(warehouse_id: int, day: date) -> Shifts:
    zone = timezone.get_current_timezone()
    return [
        (
            datetime.combine(day, shift.starts_at, tzinfo=zone),
            datetime.combine(day, shift.ends_at, tzinfo=zone),
            shift.orders_per_hour,
        )
        for shift in shifts_of_day(warehouse_id, day)
    ]


def _capacity(shifts: Shifts, start: datetime, end: datetime, cap: int | None = None) -> float:
    """Parcels the shifts pack between ``start`` and ``end``, never faster than ``cap`` an hour
    (what the packing stations can print), wherever shifts overlap."""
    cuts = sorted({start, end, *(t for b, e, _p in shifts for t in (b, e) if start < t < end)})
    total = 0.0
    for begins, ends in pairwise(cuts):
        pace = sum(per_hour for b, e, per_hour in shifts if b <= begins and e >= ends)
        if cap is not None:
            pace = min(pace, cap)
        total += (ends - begins).total_seconds() / 3600 * pace
    return total


def _hours(start: datetime, end: datetime) -> float:
    return max((end - start).total_seconds(), 0) / 3600


def _arrivals(
    rate: float, forecasts: list[ExpectedOrders], start: datetime, end: datetime
) -> float:
    """Orders expected between ``start`` and ``end``: the usual rate, plus each forecast's share
    of its window that falls in between."""
    total = rate * _hours(start, end)
    for forecast in forecasts:
        overlap = _hours(max(forecast.starts_at, start), min(forecast.ends_at, end))
        total += forecast.orders * overlap / _hours(forecast.starts_at, forecast.ends_at)
    return total


def _station_pace(warehouse_id: int) -> tuple[int | None, int]:
    """(parcels an hour all active stations can print, or None without stations; one station's
    average pace)."""
    found = PackingStation.objects.filter(warehouse_id=warehouse_id, is_active=True).aggregate(
        total=Sum("labels_per_hour"), count=Count("pk")
    )
    if not found["count"]:
        return None, 0
    return int(found["total"]), round(found["total"] / found["count"])


def _cutoff_on(warehouse_id: int, day: date) -> datetime | None:
    cutoff = SameDayCutoff.objects.filter(warehouse_id=warehouse_id).first()
    if cutoff is None:
        return None
    return datetime.combine(day, cutoff.until, tzinfo=timezone.get_current_timezone())


def ship_by_for(*, warehouse_id: int, placed_at: datetime) -> datetime:
    """When a parcel of an order placed at ``placed_at`` must leave ``warehouse_id``: the end of
    that day's last shift if it came before the same-day cut-off, else within ``SHIP_WITHIN``."""
    day = timezone.localtime(placed_at).date()
    cutoff = _cutoff_on(warehouse_id, day)
    if cutoff is not None and placed_at < cutoff:
        last = max((ends for _b, ends, _p in _shifts_on(warehouse_id, day)), default=None)
        if last is not None and last > placed_at:
            return last
    return placed_at + SHIP_WITHIN


def capacity_projection(*, warehouse: Warehouse, now: datetime | None = None) -> Projection:
    """Today's outlook for ``warehouse`` (module docstring)."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    shifts = _shifts_on(warehouse.pk, today)
    deadline = max((ends for _b, ends, _p in shifts), default=None)
    open_parcels = Shipment.objects.filter(warehouse=warehouse, status__in=ACTIVE)
    backlog = open_parcels.count()
    arrived = Shipment.objects.filter(
        warehouse=warehouse, created_at__gt=now - RATE_WINDOW, created_at__lte=now
    ).count()
    rate = arrived / (RATE_WINDOW.total_seconds() / 3600)
    cap, station_pace = _station_pace(warehouse.pk)
    if deadline is None or deadline <= now:
        return Projection(warehouse, now, backlog, 0, rate, 0, deadline, station_pace=station_pace)
    forecasts = list(
        ExpectedOrders.objects.filter(warehouse=warehouse, ends_at__gt=now, starts_at__lt=deadline)
    )
    cutoff = _cutoff_on(warehouse.pk, today)
    # the orders still to come that must leave today: those before the cut-off
    window_end = min(cutoff, deadline) if cutoff is not None and cutoff > now else now
    due = open_parcels.filter(ship_by__lte=deadline).count()
    expected = round(_arrivals(rate, forecasts, now, window_end))
    capacity_left = round(_capacity(shifts, now, deadline, cap))
    points = [ProjectionPoint(now, backlog, due)]
    at = now
    while at < deadline:
        step_end = min(at + STEP, deadline)
        packed = _capacity(shifts, now, step_end, cap)
        coming = _arrivals(rate, forecasts, now, step_end)
        coming_due = _arrivals(rate, forecasts, now, min(step_end, window_end))
        points.append(
            ProjectionPoint(
                step_end,
                max(round(backlog + coming - packed), 0),
                max(round(due + coming_due - packed), 0),
            )
        )
        at = step_end
    return Projection(
        warehouse,
        now,
        backlog,
        due,
        rate,
        capacity_left,
        deadline,
        points,
        expected_today=expected,
        station_pace=station_pace,
        cutoff=cutoff,
    )


# --- what the logistics manager (or marketing's campaigns) tell the projection -------------------


def same_day_cutoff_set(*, warehouse: Warehouse, until: time | None, actor: Any) -> None:
    """Promise same-day dispatch for orders placed before ``until`` (None: no such promise)."""
    with transaction.atomic():
        before = SameDayCutoff.objects.filter(warehouse=warehouse).first()
        if until is None:
            SameDayCutoff.objects.filter(warehouse=warehouse).delete()
        else:
            SameDayCutoff.objects.update_or_create(warehouse=warehouse, defaults={"until": until})
        audit_record(
            actor=actor,
            action="fulfilment.same_day_cutoff_set",
            target=warehouse,
            before={"until": before.until.isoformat() if before else None},
            after={"until": until.isoformat() if until else None},
        )


def expected_orders_add(
    *,
    warehouse: Warehouse,
    orders: int,
    starts_at: datetime,
    ends_at: datetime,
    source: str,
    actor: Any,
) -> ExpectedOrders:
    """Tell the projection that ``orders`` more orders will arrive at ``warehouse`` between
    ``starts_at`` and ``ends_at`` (marketing's campaign forecast, or the manager's own)."""
    source = (source or "").strip()
    if not source or len(source) > 200:
        raise CapacityInputError(_("Say where the orders come from (1 to 200 characters)."))
    if not 0 < orders <= MAX_EXPECTED_ORDERS:
        raise CapacityInputError(
            _("Expect from 1 to %(max)s orders.") % {"max": f"{MAX_EXPECTED_ORDERS:,}"}
        )
    if ends_at <= starts_at:
        raise CapacityInputError(_("The end must come after the start."))
    with transaction.atomic():
        row = ExpectedOrders.objects.create(
            warehouse=warehouse,
            orders=orders,
            starts_at=starts_at,
            ends_at=ends_at,
            source=source,
            created_at=timezone.now(),
            created_by=str(getattr(actor, "email", actor) or "system")[:80],
        )
        audit_record(
            actor=actor,
            action="fulfilment.expected_orders_add",
            target=warehouse,
            after={
                "orders": orders,
                "from": starts_at.isoformat(),
                "until": ends_at.isoformat(),
                "source": source,
            },
        )
    return row


def expected_orders_remove(*, expected_id: int, actor: Any) -> None:
    with transaction.atomic():
        row = ExpectedOrders.objects.select_related("warehouse").filter(pk=expected_id).first()
        if row is None:
            return
        audit_record(
            actor=actor,
            action="fulfilment.expected_orders_remove",
            target=row.warehouse,
            before={"orders": row.orders, "source": row.source},
        )
        row.delete()


def expected_orders_ahead(*, warehouse: Warehouse, now: datetime | None = None) -> list[Any]:
    """The forecasts of ``warehouse`` not yet over, soonest first."""
    now = now or timezone.now()
    return list(ExpectedOrders.objects.filter(warehouse=warehouse, ends_at__gt=now))


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
                "cutoff": timezone.localtime(projection.cutoff) if projection.cutoff else None,
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
                        due=projection.demand,
                        capacity=projection.capacity_left,
                        shortfall=projection.shortfall,
                        deadline=projection.deadline,
                        expected=projection.expected_today,
                        station_hours_needed=projection.station_hours_needed,
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
    """Give ``warehouse`` one shift on each of ``weekdays`` (replacing that day's weekly
    shifts). For set-up scripts (the demo); people use ``shifts_add``."""
    with transaction.atomic():
        Shift.objects.filter(warehouse=warehouse, weekday__in=weekdays, date__isnull=True).delete()
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


# Setting shifts (the logistics manager's screen) ------------------------------------------

MAX_ORDERS_PER_HOUR = 10_000


def shift_day_label(shift: Shift) -> str:
    """The shift's day in words: the weekday's name, or the date."""
    if shift.date is not None:
        return shift.date.isoformat()
    return str(WEEKDAYS[shift.weekday or 0])


def _shift_state(shift: Shift) -> dict[str, Any]:
    return {
        "warehouse": shift.warehouse.code,
        "day": shift.day_code,
        "starts": shift.starts_at.strftime("%H:%M"),
        "ends": shift.ends_at.strftime("%H:%M"),
        "orders_per_hour": shift.orders_per_hour,
    }


def _shift_problems(
    *,
    warehouse: Warehouse,
    days: Sequence[tuple[int | None, date | None]],
    starts: time,
    ends: time,
    orders_per_hour: int,
    keep_id: int | None = None,
    known_date: date | None = None,
    today: date,
) -> list[Problem]:
    """Everything wrong with shifts from ``starts`` to ``ends`` on each of ``days`` (a weekday
    or a date each), against the warehouse's other shifts (``keep_id`` is the one changed)."""
    problems = []
    if not days:
        problems.append(Problem(_("Choose at least one weekday, or a date."), "weekdays"))
    if any(d is not None and d != known_date and d < today for _w, d in days):
        problems.append(Problem(_("The date has passed; choose today or a later day."), "date"))
    if ends <= starts:
        problems.append(Problem(_("The shift must end after it starts."), "ends_at"))
    if not 1 <= orders_per_hour <= MAX_ORDERS_PER_HOUR:
        problems.append(
            Problem(
                _("Orders per hour is a whole number from 1 to %(max)d.")
                % {"max": MAX_ORDERS_PER_HOUR},
                "orders_per_hour",
            )
        )
    if problems:
        return problems
    for weekday, day in days:
        same_day = Shift.objects.filter(warehouse=warehouse)
        same_day = (
            same_day.filter(date=day)
            if day is not None
            else same_day.filter(weekday=weekday, date__isnull=True)
        )
        if keep_id is not None:
            same_day = same_day.exclude(pk=keep_id)
        clash = (
            same_day.filter(starts_at__lt=ends, ends_at__gt=starts).order_by("starts_at").first()
        )
        if clash is not None:
            problems.append(
                Problem(
                    _("It overlaps the shift on %(day)s from %(starts)s to %(ends)s.")
                    % {
                        "day": shift_day_label(clash),
                        "starts": clash.starts_at.strftime("%H:%M"),
                        "ends": clash.ends_at.strftime("%H:%M"),
                    },
                    "starts_at",
                )
            )
    return problems


def _locked_warehouse(warehouse_id: int) -> Warehouse:
    # Shifts of one warehouse are written one person at a time, so two overlapping shifts
    # added at the same moment cannot both pass the overlap check.
    return Warehouse.objects.select_for_update().get(pk=warehouse_id)


def _days(weekdays: Sequence[int], on: date | None) -> list[tuple[int | None, date | None]]:
    if on is not None:
        return [(None, on)]
    return [(day, None) for day in sorted(set(weekdays))]


def shifts_add(
    *,
    warehouse: Warehouse,
    weekdays: Sequence[int] = (),
    on: date | None = None,
    starts: time,
    ends: time,
    orders_per_hour: int,
    actor: Any,
    ip_address: str | None = None,
) -> list[Shift]:
    """Add a packing shift every week on each of ``weekdays``, or on the date ``on`` (not both):
    it ends after it starts, packs 1 to 10,000 orders an hour and overlaps no other shift of
    that day. All or nothing, every problem listed (``SetupError``); each shift audited as
    ``shift.add``. The capacity projection uses them from now on."""
    if weekdays and on is not None:
        raise SetupError([Problem(_("Choose the weekdays or a date, not both."), "date")])
    if any(not 0 <= day <= 6 for day in weekdays):
        raise SetupError([Problem(_("Choose weekdays from Monday to Sunday."), "weekdays")])
    if not warehouse.is_active:
        raise SetupError([Problem(_("Choose a warehouse that is in use."), "warehouse")])
    days = _days(weekdays, on)
    with transaction.atomic():
        warehouse = _locked_warehouse(warehouse.pk)
        problems = _shift_problems(
            warehouse=warehouse,
            days=days,
            starts=starts,
            ends=ends,
            orders_per_hour=orders_per_hour,
            today=timezone.localdate(),
        )
        if problems:
            raise SetupError(problems)
        shifts = []
        for weekday, day in days:
            shift = Shift.objects.create(
                warehouse=warehouse,
                weekday=weekday,
                date=day,
                starts_at=starts,
                ends_at=ends,
                orders_per_hour=orders_per_hour,
            )
            audit_record(
                actor=actor,
                action="shift.add",
                target=shift,
                after=_shift_state(shift),
                ip_address=ip_address,
            )
            shifts.append(shift)
    return shifts


def shift_update(
    *,
    shift_id: int,
    weekday: int | None = None,
    on: date | None = None,
    starts: time,
    ends: time,
    orders_per_hour: int,
    actor: Any,
    ip_address: str | None = None,
) -> Shift:
    """Change one shift's day (a weekday or a date), times and pace, with the checks of
    ``shifts_add``; audited as ``shift.change`` with before and after (unless nothing
    changed)."""
    if (weekday is None) == (on is None):
        raise SetupError([Problem(_("Choose one weekday or a date."), "weekday")])
    if weekday is not None and not 0 <= weekday <= 6:
        raise SetupError([Problem(_("Choose weekdays from Monday to Sunday."), "weekday")])
    with transaction.atomic():
        found = Shift.objects.filter(pk=shift_id).values_list("warehouse_id", flat=True).first()
        if found is None:
            raise NotFoundError(_("There is no such shift."))
        warehouse = _locked_warehouse(found)
        shift = Shift.objects.select_related("warehouse").get(pk=shift_id)
        problems = _shift_problems(
            warehouse=warehouse,
            days=[(weekday, on)],
            starts=starts,
            ends=ends,
            orders_per_hour=orders_per_hour,
            keep_id=shift.pk,
            known_date=shift.date,
            today=timezone.localdate(),
        )
        if problems:
            raise SetupError(problems)
        before = _shift_state(shift)
        shift.weekday, shift.date = weekday, on
        shift.starts_at, shift.ends_at = starts, ends
        shift.orders_per_hour = orders_per_hour
        after = _shift_state(shift)
        if after != before:
            shift.save()
            audit_record(
                actor=actor,
                action="shift.change",
                target=shift,
                before=before,
                after=after,
                ip_address=ip_address,
            )
    return shift


def shift_delete(*, shift_id: int, actor: Any, ip_address: str | None = None) -> None:
    """Remove a shift (the projection stops counting it); audited as ``shift.delete`` with
    what it was."""
    with transaction.atomic():
        shift = Shift.objects.select_for_update().select_related("warehouse").filter(pk=shift_id)
        found = shift.first()
        if found is None:
            raise NotFoundError(_("There is no such shift."))
        audit_record(
            actor=actor,
            action="shift.delete",
            target=found,
            before=_shift_state(found),
            ip_address=ip_address,
        )
        found.delete()
