"""A warehouse's capacity plan in the logistics workspace (F3, G3):
/staff/fulfilment/warehouses/<id>/capacity/. Today's projection with its chart, the same-day
cut-off, and the forecasts of extra orders (a campaign's, entered by the logistics manager until
marketing's campaigns write them). Viewing needs ``fulfilment.view_fulfilment``; changes need
``fulfilment.manage_fulfilment``, by POST with CSRF, each through one capacity service."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from storeteam.backoffice.charts import projection_chart
from storeteam.backoffice.fulfilment_views import warehouse_or_404
from storeteam.core.access import staff_permission
from storeteam.fulfilment.capacity import (
    CapacityInputError,
    capacity_projection,
    expected_orders_add,
    expected_orders_ahead,
    expected_orders_remove,
    same_day_cutoff_set,
)
from storeteam.fulfilment.models import SameDayCutoff
from storeteam.inventory.models import Warehouse
from storeteam.team.roles import MANAGE_FULFILMENT, VIEW_FULFILMENT

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class CutoffForm(forms.Form):
    until = forms.TimeField(
        label=gettext_lazy("Same-day cut-off"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=gettext_lazy(
            "Orders placed before this time leave the same day, by the end of the last shift. "
            "Empty: orders leave within a day."
        ),
    )


class ForecastForm(forms.Form):
    orders = forms.IntegerField(
        label=gettext_lazy("Extra orders"), min_value=1, max_value=1_000_000
    )
    starts_at = forms.DateTimeField(
        label=gettext_lazy("From"),
        input_formats=[LOCAL_INPUT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT),
    )
    ends_at = forms.DateTimeField(
        label=gettext_lazy("Until"),
        input_formats=[LOCAL_INPUT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT),
    )
    source = forms.CharField(
        label=gettext_lazy("Why (campaign, newsletter …)"), max_length=200, strip=True
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if isinstance(starts, datetime) and isinstance(ends, datetime) and ends <= starts:
            self.add_error("ends_at", _("The end must come after the start."))
        return data


def _page(
    request: HttpRequest,
    warehouse: Warehouse,
    *,
    forecast_form: ForecastForm | None = None,
    cutoff_form: CutoffForm | None = None,
    status: int = 200,
) -> HttpResponse:
    projection = capacity_projection(warehouse=warehouse)
    cutoff = SameDayCutoff.objects.filter(warehouse=warehouse).first()
    now = timezone.localtime().replace(second=0, microsecond=0)
    return render(
        request,
        "backoffice/fulfilment/capacity.html",
        {
            "warehouse": warehouse,
            "projection": projection if projection.deadline else None,
            "chart": projection_chart(projection),
            "forecasts": expected_orders_ahead(warehouse=warehouse),
            "cutoff_form": cutoff_form
            or CutoffForm(initial={"until": cutoff.until if cutoff else None}),
            "forecast_form": forecast_form
            or ForecastForm(initial={"starts_at": now, "ends_at": now + timedelta(hours=3)}),
            "can_work": request.user.has_perm(MANAGE_FULFILMENT),
        },
        status=status,
    )


@staff_permission(VIEW_FULFILMENT)
@require_GET
def capacity(request: HttpRequest, warehouse_id: int) -> HttpResponse:
    return _page(request, warehouse_or_404(warehouse_id))


@staff_permission(MANAGE_FULFILMENT)
@require_POST
def cutoff_set(request: HttpRequest, warehouse_id: int) -> HttpResponse:
    warehouse = warehouse_or_404(warehouse_id)
    form = CutoffForm(request.POST)
    if not form.is_valid():
        return _page(request, warehouse, cutoff_form=form, status=400)
    until = form.cleaned_data["until"]
    same_day_cutoff_set(warehouse=warehouse, until=until, actor=request.user)
    if until is None:
        messages.success(request, _("No same-day promise: orders leave within a day."))
    else:
        messages.success(
            request,
            _("Orders placed before %(time)s leave the same day.")
            % {"time": until.strftime("%H:%M")},
        )
    return redirect("backoffice:fulfilment_capacity", warehouse_id=warehouse.pk)


@staff_permission(MANAGE_FULFILMENT)
@require_POST
def forecast_add(request: HttpRequest, warehouse_id: int) -> HttpResponse:
    warehouse = warehouse_or_404(warehouse_id)
    form = ForecastForm(request.POST)
    if form.is_valid():
        try:
            expected_orders_add(warehouse=warehouse, actor=request.user, **form.cleaned_data)
        except CapacityInputError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The forecast is in the projection."))
            return redirect("backoffice:fulfilment_capacity", warehouse_id=warehouse.pk)
    return _page(request, warehouse, forecast_form=form, status=400)


@staff_permission(MANAGE_FULFILMENT)
@require_POST
def forecast_remove(request: HttpRequest, warehouse_id: int, expected_id: int) -> HttpResponse:
    warehouse = warehouse_or_404(warehouse_id)
    if not any(f.pk == expected_id for f in expected_orders_ahead(warehouse=warehouse)):
        raise Http404
    expected_orders_remove(expected_id=expected_id, actor=request.user)
    messages.success(request, _("The forecast is removed."))
    return redirect("backoffice:fulfilment_capacity", warehouse_id=warehouse.pk)
