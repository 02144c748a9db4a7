"""The logistics manager's workspace (F1, F2) at /staff/fulfilment/: open work per warehouse,
pick lists, the packing screen (a tablet with a handheld scanner: one input, Enter packs one
unit), shipping, and each packing station's print queue.

Pages need ``fulfilment.view_fulfilment``; every action ``fulfilment.work_fulfilment``, by POST
with CSRF, each through one fulfilment service, then a redirect (so reloading the page never
packs a unit twice). Works without JavaScript.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from storeteam.accounts.models import User
from storeteam.backoffice.charts import projection_chart
from storeteam.core.access import staff_permission
from storeteam.core.errors import NotFoundError
from storeteam.fulfilment import selectors
from storeteam.fulfilment.capacity import capacity_projection
from storeteam.fulfilment.link import link_states
from storeteam.fulfilment.models import PackingStation, PickList, Shipment, ShipmentStatus
from storeteam.fulfilment.printing import (
    PRINTED,
    REPRINT,
    PrintError,
    print_enqueue,
    print_job_resolve,
    queue_stats,
    queues_stats,
    shipment_ship_and_print,
)
from storeteam.fulfilment.services import (
    FulfilmentError,
    pack_scan,
    pick_list_create,
    pick_list_lines,
    shipment_split,
)
from storeteam.inventory.models import Warehouse
from storeteam.inventory.selectors import warehouses_list
from storeteam.team.roles import VIEW_FULFILMENT, WORK_FULFILMENT

PAGE_SIZE = 50
STATION_KEY = "fulfilment_station"  # the packing station this person works at (session)
CARRIER_KEY = "fulfilment_carrier"


class StationChoiceField(forms.ModelChoiceField[PackingStation]):
    def label_from_instance(self, obj: PackingStation) -> str:
        return obj.name


class ShipForm(forms.Form):
    carrier = forms.CharField(label=gettext_lazy("Carrier"), max_length=40)
    service = forms.CharField(label=gettext_lazy("Service"), max_length=40, required=False)
    tracking_number = forms.CharField(label=gettext_lazy("Tracking number"), max_length=60)
    station = StationChoiceField(
        label=gettext_lazy("Packing station (prints the label)"),
        queryset=PackingStation.objects.none(),
        empty_label=None,
    )

    def __init__(self, *args: Any, warehouse_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = selectors.packing_stations(  # type: ignore[attr-defined]
            warehouse_id=warehouse_id
        )


def _actor(request: HttpRequest) -> str:
    return str(getattr(request.user, "email", "") or "staff")


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # the access decorator let only staff in
    return user


def warehouse_or_404(warehouse_id: int) -> Warehouse:
    """The warehouse staff asked for by id (the fulfilment screens' one lookup), or 404."""
    warehouse = warehouses_list().filter(pk=warehouse_id).first()
    if warehouse is None:
        raise Http404
    return warehouse


def _shipment(shipment_id: int) -> Shipment:
    shipment = selectors.shipment_for_packing(shipment_id)
    if shipment is None:
        raise Http404
    return shipment


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {"can_work": request.user.has_perm(WORK_FULFILMENT), **extra}


@staff_permission(VIEW_FULFILMENT)
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    work = {row.warehouse_id: row for row in selectors.work_by_warehouse()}
    rows = []
    for warehouse in warehouses_list(active_only=True):
        projection = capacity_projection(warehouse=warehouse)
        rows.append(
            {
                "warehouse": warehouse,
                "work": work.get(warehouse.pk),
                "projection": projection if projection.deadline else None,
                "chart": projection_chart(projection),
            }
        )
    return render(
        request,
        "backoffice/fulfilment/overview.html",
        _context(request, rows=rows, queues=queues_stats(), links=link_states()),
    )


@staff_permission(VIEW_FULFILMENT)
@require_GET
def warehouse_work(request: HttpRequest, warehouse_id: int) -> HttpResponse:
    warehouse = warehouse_or_404(warehouse_id)
    page = Paginator(selectors.open_work(warehouse_id=warehouse.pk), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "backoffice/fulfilment/warehouse.html",
        _context(
            request,
            warehouse=warehouse,
            page=page,
            filters={},
            now=timezone.now(),
            pick_lists=selectors.pick_lists_open(warehouse_id=warehouse.pk)[:20],
            queues=queues_stats(warehouse_id=warehouse.pk),
        ),
    )


@staff_permission(WORK_FULFILMENT)
@require_POST
def pick_list_new(request: HttpRequest, warehouse_id: int) -> HttpResponse:
    warehouse = warehouse_or_404(warehouse_id)
    pick_list = pick_list_create(warehouse=warehouse, actor=_actor(request))
    if pick_list is None:
        messages.info(request, _("Nothing to pick: every open parcel is on a pick list."))
        return redirect("backoffice:fulfilment_warehouse", warehouse.pk)
    return redirect("backoffice:fulfilment_pick_list", pick_list.pk)


@staff_permission(VIEW_FULFILMENT)
@require_GET
def pick_list(request: HttpRequest, pick_list_id: int) -> HttpResponse:
    found = PickList.objects.select_related("warehouse").filter(pk=pick_list_id).first()
    if found is None:
        raise Http404
    shipments = found.shipments.select_related("order").order_by("ship_by", "id")
    return render(
        request,
        "backoffice/fulfilment/pick_list.html",
        _context(request, pick_list=found, lines=pick_list_lines(found), shipments=shipments),
    )


def _packing_page(
    request: HttpRequest, shipment: Shipment, *, form: ShipForm | None = None
) -> HttpResponse:
    stations = list(selectors.packing_stations(warehouse_id=shipment.warehouse_id))
    remembered = request.session.get(STATION_KEY)
    station = next((s for s in stations if s.pk == remembered), stations[0] if stations else None)
    if form is None:
        form = ShipForm(
            warehouse_id=shipment.warehouse_id,
            initial={
                **request.session.get(CARRIER_KEY, {}),
                "station": station.pk if station else None,
            },
        )
    lines = list(shipment.lines.all())
    feedback = request.session.pop(f"pack_feedback_{shipment.pk}", None)
    return render(
        request,
        "backoffice/fulfilment/packing.html",
        _context(
            request,
            shipment=shipment,
            lines=lines,
            packed=sum(li.packed for li in lines),
            needed=sum(li.quantity for li in lines),
            feedback=feedback,
            form=form,
            stations=stations,
            station=station,
            jobs=selectors.print_jobs_of(shipment_id=shipment.pk),
            packable=shipment.status in (ShipmentStatus.OPEN, ShipmentStatus.PICKING),
        ),
        status=400 if form.errors else 200,
    )


@staff_permission(VIEW_FULFILMENT)
@require_GET
def packing(request: HttpRequest, shipment_id: int) -> HttpResponse:
    return _packing_page(request, _shipment(shipment_id))


def _to_packing(shipment_id: int, anchor: str = "") -> HttpResponse:
    # No fragment after a scan: browsers skip autofocus on a page opened at a fragment, and the
    # scan input must have the focus so the scanner can go on.
    url = reverse("backoffice:fulfilment_packing", args=[shipment_id])
    return redirect(f"{url}#{anchor}" if anchor else url)


@staff_permission(WORK_FULFILMENT)
@require_POST
def pack(request: HttpRequest, shipment_id: int) -> HttpResponse:
    shipment = _shipment(shipment_id)
    code = request.POST.get("code", "")[:64]
    try:
        result = pack_scan(shipment_id=shipment.pk, code=code, actor=_user(request))
    except FulfilmentError as exc:
        feedback = {"ok": False, "text": exc.message}
    else:
        line = result.line
        text = _("Packed %(sku)s: %(packed)d of %(quantity)d.") % {
            "sku": line.sku,
            "packed": line.packed,
            "quantity": line.quantity,
        }
        if result.complete:
            text += " " + _("The parcel is complete: ship it.")
        feedback = {"ok": True, "text": text}
    request.session[f"pack_feedback_{shipment.pk}"] = feedback
    return _to_packing(shipment.pk)


@staff_permission(WORK_FULFILMENT)
@require_POST
def split(request: HttpRequest, shipment_id: int) -> HttpResponse:
    shipment = _shipment(shipment_id)
    try:
        rest = shipment_split(shipment_id=shipment.pk, actor=_user(request))
    except FulfilmentError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Split: this parcel ships what is packed; the rest is parcel %(label)s.")
            % {"label": rest.label},
        )
    return _to_packing(shipment.pk, "ship")


@staff_permission(WORK_FULFILMENT)
@require_POST
def ship(request: HttpRequest, shipment_id: int) -> HttpResponse:
    shipment = _shipment(shipment_id)
    form = ShipForm(request.POST, warehouse_id=shipment.warehouse_id)
    if not form.is_valid():
        return _packing_page(request, shipment, form=form)
    data = form.cleaned_data
    station: PackingStation = data["station"]
    try:
        shipped, _jobs = shipment_ship_and_print(
            shipment_id=shipment.pk,
            carrier=data["carrier"],
            service=data["service"],
            tracking_number=data["tracking_number"],
            station_id=station.pk,
            actor=request.user,
        )
    except FulfilmentError as exc:
        form.add_error(None, exc.message)
        return _packing_page(request, shipment, form=form)
    request.session[STATION_KEY] = station.pk
    request.session[CARRIER_KEY] = {"carrier": data["carrier"], "service": data["service"]}
    stats = queue_stats(station)
    messages.success(
        request,
        _(
            "Shipped with %(carrier)s, tracking number %(tracking)s. The label and slip are in "
            "the queue of %(station)s (%(queued)d waiting, about %(minutes)d min)."
        )
        % {
            "carrier": shipped.carrier,
            "tracking": shipped.tracking_number,
            "station": station.name,
            "queued": stats.queued,
            "minutes": stats.minutes_to_clear,
        },
    )
    return _to_packing(shipment.pk, "documents")


@staff_permission(WORK_FULFILMENT)
@require_POST
def reprint(request: HttpRequest, shipment_id: int) -> HttpResponse:
    shipment = _shipment(shipment_id)
    station = selectors.packing_stations(warehouse_id=shipment.warehouse_id).filter(
        pk=request.POST.get("station") or request.session.get(STATION_KEY) or 0
    )
    try:
        if not station.exists():
            raise PrintError(_("Choose the packing station whose printer prints the label."))
        print_enqueue(
            shipment_id=shipment.pk,
            station_id=station.get().pk,
            reprint=True,
            actor=request.user,
        )
    except FulfilmentError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("A new copy of the label and slip is in the queue."))
    return _to_packing(shipment.pk, "documents")


@staff_permission(VIEW_FULFILMENT)
@require_GET
def station_queue(request: HttpRequest, station_id: int) -> HttpResponse:
    station = PackingStation.objects.select_related("warehouse").filter(pk=station_id).first()
    if station is None:
        raise Http404
    return render(
        request,
        "backoffice/fulfilment/station.html",
        _context(
            request,
            station=station,
            stats=queue_stats(station),
            jobs=selectors.print_jobs_list(station_id=station.pk),
            REPRINT=REPRINT,
            PRINTED=PRINTED,
        ),
    )


@staff_permission(WORK_FULFILMENT)
@require_POST
def print_job_decide(request: HttpRequest, job_id: int) -> HttpResponse:
    try:
        job = print_job_resolve(
            job_id=job_id, action=request.POST.get("action", ""), actor=request.user
        )
    except NotFoundError as exc:
        raise Http404 from exc
    except FulfilmentError as exc:
        messages.error(request, exc.message)
        station_id = request.POST.get("station", "")
        if station_id.isdigit():
            return redirect("backoffice:fulfilment_station", int(station_id))
        return redirect("backoffice:fulfilment")
    if job.status == "printed":
        messages.success(request, _("Recorded: %(job)s printed.") % {"job": job.shipment.label})
    else:
        messages.success(
            request, _("%(job)s is back in the queue to print again.") % {"job": job.shipment.label}
        )
    return redirect("backoffice:fulfilment_station", job.station_id)
