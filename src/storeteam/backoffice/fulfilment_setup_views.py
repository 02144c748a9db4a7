"""The logistics manager's set-up screens under /staff/fulfilment/ (F2, F3, F4): the packing
stations with their printers and capacity, the packing shifts that feed the capacity projection,
and the links to external warehouse systems (state, queue, address, secret, pause, retry).

Pages need ``fulfilment.view_fulfilment``; every change ``fulfilment.manage_fulfilment``, by
POST with CSRF, each through one fulfilment service (which validates it, names the field of each
problem, and audits it), then a redirect. A link's secret is write-only: no page shows it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from storeteam.accounts.models import User
from storeteam.backoffice.fulfilment_forms import (
    LinkSettingsForm,
    PauseForm,
    ShiftAddForm,
    ShiftEditForm,
    StationForm,
)
from storeteam.backoffice.fulfilment_views import warehouse_or_404
from storeteam.core.access import staff_permission
from storeteam.core.errors import NotFoundError
from storeteam.fulfilment.capacity import shift_delete, shift_update, shifts_add
from storeteam.fulfilment.link import (
    LinkPausedError,
    link_queue,
    link_states,
    warehouse_link_pause,
    warehouse_link_resume,
    warehouse_link_retry,
    warehouse_link_set,
)
from storeteam.fulfilment.models import PackingStation, Shift
from storeteam.fulfilment.printing import (
    packing_station_create,
    packing_station_update,
    queue_stats,
    queues_stats,
)
from storeteam.fulfilment.services import SetupError
from storeteam.inventory.selectors import warehouses_list
from storeteam.team.roles import MANAGE_FULFILMENT, VIEW_FULFILMENT

CSS = "backoffice/fulfilment.css"


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # the access decorator let only staff in
    return user


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {"can_manage": request.user.has_perm(MANAGE_FULFILMENT), **extra}


def _form_page(
    request: HttpRequest, form: Any, *, title: str, submit: str, back: str, **extra: Any
) -> HttpResponse:
    return render(
        request,
        "backoffice/fulfilment/setup_form.html",
        _context(request, form=form, title=title, submit=submit, back=back, **extra),
        status=400 if form.errors else 200,
    )


# Packing stations ----------------------------------------------------------------------------


@staff_permission(VIEW_FULFILMENT)
@require_GET
def stations(request: HttpRequest) -> HttpResponse:
    stats = {q.station.pk: q for q in queues_stats()}
    rows = [
        {"station": station, "stats": stats.get(station.pk)}
        for station in PackingStation.objects.select_related("warehouse")
    ]
    return render(request, "backoffice/fulfilment/stations.html", _context(request, rows=rows))


@staff_permission(MANAGE_FULFILMENT)
def station_new(request: HttpRequest) -> HttpResponse:
    form = StationForm(
        request.POST or None,
        creating=True,
        initial={
            "label_format": "zpl",
            "labels_per_hour": 120,
            "prints_packing_slips": True,
            "is_active": True,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            station = packing_station_create(
                code=form.cleaned_data["code"],
                settings=form.settings(),
                actor=_user(request),
                ip_address=_ip(request),
            )
        except SetupError as exc:
            form.show(exc)
        else:
            messages.success(
                request,
                _("Packing station %(name)s is set up: %(n)d labels an hour.")
                % {"name": station.name, "n": station.labels_per_hour},
            )
            return redirect("backoffice:fulfilment_stations")
    return _form_page(
        request,
        form,
        title=_("New packing station"),
        submit=_("Add the station"),
        back="backoffice:fulfilment_stations",
    )


@staff_permission(MANAGE_FULFILMENT)
def station_edit(request: HttpRequest, station_id: int) -> HttpResponse:
    station = PackingStation.objects.select_related("warehouse").filter(pk=station_id).first()
    if station is None:
        raise Http404
    form = StationForm(
        request.POST or None,
        creating=False,
        initial={
            "name": station.name,
            "warehouse": station.warehouse_id,
            "printer": station.printer,
            "label_format": station.label_format,
            "labels_per_hour": station.labels_per_hour,
            "prints_packing_slips": station.prints_packing_slips,
            "is_active": station.is_active,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            station = packing_station_update(
                station_id=station.pk,
                settings=form.settings(),
                actor=_user(request),
                ip_address=_ip(request),
            )
        except NotFoundError as exc:
            raise Http404 from exc
        except SetupError as exc:
            form.show(exc)
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": station.name})
            waiting = queue_stats(station).queued
            if not station.is_active and waiting:
                messages.warning(
                    request,
                    ngettext(
                        "%(n)d document waits in its queue; it prints when the station is in use "
                        "again, or reprint it at another station.",
                        "%(n)d documents wait in its queue; they print when the station is in "
                        "use again, or reprint them at another station.",
                        waiting,
                    )
                    % {"n": waiting},
                )
            return redirect("backoffice:fulfilment_stations")
    return _form_page(
        request,
        form,
        title=_("Packing station %(code)s") % {"code": station.code},
        submit=_("Save"),
        back="backoffice:fulfilment_stations",
    )


# Packing shifts ------------------------------------------------------------------------------


def _hours(shift: Shift) -> float:
    start = datetime.combine(timezone.localdate(), shift.starts_at)
    end = datetime.combine(timezone.localdate(), shift.ends_at)
    return (end - start).total_seconds() / 3600


@staff_permission(VIEW_FULFILMENT)
@require_GET
def shifts(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    by_warehouse: dict[int, list[Shift]] = defaultdict(list)
    for shift in Shift.objects.filter(warehouse__is_active=True).exclude(date__lt=today):
        by_warehouse[shift.warehouse_id].append(shift)
    sections = []
    for warehouse in warehouses_list(active_only=True):
        weekly: dict[int, list[Shift]] = defaultdict(list)
        dated: dict[Any, list[Shift]] = defaultdict(list)
        for shift in by_warehouse.get(warehouse.pk, []):
            if shift.date is None:
                weekly[shift.weekday or 0].append(shift)
            else:
                dated[shift.date].append(shift)
        days = [
            {
                "name": WEEKDAYS[day],
                "shifts": sorted(weekly[day], key=lambda s: s.starts_at),
                "orders": round(sum(_hours(s) * s.orders_per_hour for s in weekly[day])),
            }
            for day in range(7)
        ]
        sections.append(
            {
                "warehouse": warehouse,
                "days": days,
                "dates": [
                    {
                        "date": day,
                        "shifts": sorted(dated[day], key=lambda s: s.starts_at),
                        "orders": round(sum(_hours(s) * s.orders_per_hour for s in dated[day])),
                    }
                    for day in sorted(dated)
                ],
            }
        )
    return render(
        request, "backoffice/fulfilment/shifts.html", _context(request, sections=sections)
    )


@staff_permission(MANAGE_FULFILMENT)
def shift_new(request: HttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {}
    preselected = request.GET.get("warehouse", "")
    if preselected.isdigit():
        initial["warehouse"] = int(preselected)
    form = ShiftAddForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            added = shifts_add(
                warehouse=data["warehouse"],
                weekdays=form.weekday_numbers(),
                on=data["date"],
                starts=data["starts_at"],
                ends=data["ends_at"],
                orders_per_hour=data["orders_per_hour"],
                actor=_user(request),
                ip_address=_ip(request),
            )
        except SetupError as exc:
            form.show(exc)
        else:
            messages.success(
                request,
                ngettext(
                    "Added %(n)d shift to %(warehouse)s.",
                    "Added %(n)d shifts to %(warehouse)s.",
                    len(added),
                )
                % {"n": len(added), "warehouse": data["warehouse"].name},
            )
            return redirect(f"{_shifts_url()}#warehouse-{data['warehouse'].pk}")
    return _form_page(
        request,
        form,
        title=_("New packing shift"),
        submit=_("Add the shift"),
        back="backoffice:fulfilment_shifts",
    )


def _shifts_url() -> str:
    return reverse("backoffice:fulfilment_shifts")


def _shift_or_404(shift_id: int) -> Shift:
    shift = Shift.objects.select_related("warehouse").filter(pk=shift_id).first()
    if shift is None:
        raise Http404
    return shift


@staff_permission(MANAGE_FULFILMENT)
def shift_edit(request: HttpRequest, shift_id: int) -> HttpResponse:
    shift = _shift_or_404(shift_id)
    form = ShiftEditForm(
        request.POST or None,
        initial={
            "weekday": "" if shift.weekday is None else str(shift.weekday),
            "date": shift.date,
            "starts_at": shift.starts_at,
            "ends_at": shift.ends_at,
            "orders_per_hour": shift.orders_per_hour,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            shift = shift_update(
                shift_id=shift.pk,
                weekday=form.weekday_number(),
                on=data["date"],
                starts=data["starts_at"],
                ends=data["ends_at"],
                orders_per_hour=data["orders_per_hour"],
                actor=_user(request),
                ip_address=_ip(request),
            )
        except NotFoundError as exc:
            raise Http404 from exc
        except SetupError as exc:
            form.show(exc)
        else:
            messages.success(request, _("Saved the shift."))
            return redirect(f"{_shifts_url()}#warehouse-{shift.warehouse_id}")
    return _form_page(
        request,
        form,
        title=_("Packing shift in %(warehouse)s") % {"warehouse": shift.warehouse.name},
        submit=_("Save"),
        back="backoffice:fulfilment_shifts",
        shift=shift,
    )


@staff_permission(MANAGE_FULFILMENT)
@require_POST
def shift_remove(request: HttpRequest, shift_id: int) -> HttpResponse:
    shift = _shift_or_404(shift_id)
    try:
        shift_delete(shift_id=shift.pk, actor=_user(request), ip_address=_ip(request))
    except NotFoundError as exc:
        raise Http404 from exc
    messages.success(
        request,
        _("Removed the shift from %(starts)s to %(ends)s.")
        % {"starts": shift.starts_at.strftime("%H:%M"), "ends": shift.ends_at.strftime("%H:%M")},
    )
    return redirect(f"{_shifts_url()}#warehouse-{shift.warehouse_id}")


# Warehouse system links ----------------------------------------------------------------------


@staff_permission(VIEW_FULFILMENT)
@require_GET
def links(request: HttpRequest) -> HttpResponse:
    states = {state.warehouse_id: state for state in link_states()}
    rows = [
        {"warehouse": warehouse, "link": states.get(warehouse.pk)}
        for warehouse in warehouses_list(active_only=True)
    ]
    return render(request, "backoffice/fulfilment/links.html", _context(request, rows=rows))


@staff_permission(VIEW_FULFILMENT)
@require_GET
def link(request: HttpRequest, warehouse_id: int) -> HttpResponse:
    warehouse = warehouse_or_404(warehouse_id)
    state = next(iter(link_states(warehouse_id=warehouse.pk)), None)
    if state is None:
        if request.user.has_perm(MANAGE_FULFILMENT):
            return redirect("backoffice:fulfilment_link_settings", warehouse.pk)
        raise Http404
    return render(
        request,
        "backoffice/fulfilment/link.html",
        _context(
            request,
            warehouse=warehouse,
            state=state,
            queue=link_queue(link_id=state.link_id),
            pause_form=PauseForm(),
            now=timezone.now(),
        ),
    )


@staff_permission(MANAGE_FULFILMENT)
def link_settings(request: HttpRequest, warehouse_id: int) -> HttpResponse:
    warehouse = warehouse_or_404(warehouse_id)
    state = next(iter(link_states(warehouse_id=warehouse.pk)), None)
    form = LinkSettingsForm(
        request.POST or None,
        connected=state is not None,
        initial={"endpoint": state.endpoint if state else ""},
    )
    if request.method == "POST" and form.is_valid():
        try:
            warehouse_link_set(
                warehouse=warehouse,
                endpoint=form.cleaned_data["endpoint"],
                secret=form.cleaned_data["secret"],
                actor=_user(request),
                ip_address=_ip(request),
            )
        except SetupError as exc:
            form.show(exc)
        else:
            if state is None:
                messages.success(
                    request,
                    _("%(warehouse)s is connected to its warehouse system.")
                    % {"warehouse": warehouse.name},
                )
            elif form.cleaned_data["secret"]:
                messages.success(
                    request, _("Saved. The new secret signs every message from now on.")
                )
            else:
                messages.success(request, _("Saved."))
            return redirect("backoffice:fulfilment_link", warehouse.pk)
    return _form_page(
        request,
        form,
        title=(
            _("Warehouse system of %(warehouse)s") % {"warehouse": warehouse.name}
            if state
            else _("Connect %(warehouse)s to a warehouse system") % {"warehouse": warehouse.name}
        ),
        submit=_("Save") if state else _("Connect"),
        back="backoffice:fulfilment_links",
        state=state,
    )


def _link_id(warehouse_id: int) -> int:
    state = next(iter(link_states(warehouse_id=warehouse_id)), None)
    if state is None:
        raise Http404
    return state.link_id


@staff_permission(MANAGE_FULFILMENT)
@require_POST
def link_pause(request: HttpRequest, warehouse_id: int) -> HttpResponse:
    form = PauseForm(request.POST)
    link_id = _link_id(warehouse_id)
    if form.is_valid():
        warehouse_link_pause(
            link_id=link_id,
            actor=_user(request),
            reason=form.cleaned_data["reason"],
            ip_address=_ip(request),
        )
        messages.success(
            request, _("Paused: nothing is sent; orders queue and go out in order on resume.")
        )
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("backoffice:fulfilment_link", warehouse_id)


@staff_permission(MANAGE_FULFILMENT)
@require_POST
def link_resume(request: HttpRequest, warehouse_id: int) -> HttpResponse:
    warehouse_link_resume(
        link_id=_link_id(warehouse_id), actor=_user(request), ip_address=_ip(request)
    )
    messages.success(request, _("Resumed: the waiting messages are being sent, in order."))
    return redirect("backoffice:fulfilment_link", warehouse_id)


@staff_permission(MANAGE_FULFILMENT)
@require_POST
def link_retry(request: HttpRequest, warehouse_id: int) -> HttpResponse:
    try:
        warehouse_link_retry(
            link_id=_link_id(warehouse_id), actor=_user(request), ip_address=_ip(request)
        )
    except LinkPausedError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Trying the warehouse system again now. Reload in a moment to see how it went."),
        )
    return redirect("backoffice:fulfilment_link", warehouse_id)
