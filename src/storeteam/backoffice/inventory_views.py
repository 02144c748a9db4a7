"""The inventory manager's workspace (I1-I4) at /staff/inventory/: stock by warehouse, the
ledger, low stock, and the writes (receipts, adjustments, transfers, counts, levels).

Reads need ``inventory.view_stock``; writes ``inventory.manage_stock``, by POST with CSRF, each
through one inventory service, which audits it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from storeteam.backoffice.inventory_forms import (
    AdjustmentForm,
    CountForm,
    LevelsForm,
    MovementFilterForm,
    ReceiptForm,
    StockFilterForm,
    TransferForm,
)
from storeteam.core.access import staff_permission
from storeteam.inventory import selectors
from storeteam.inventory.errors import StockError
from storeteam.inventory.models import MovementKind
from storeteam.inventory.services import (
    stock_adjust,
    stock_count,
    stock_levels_set,
    stock_receive,
    stock_transfer,
)
from storeteam.team.roles import MANAGE_STOCK, VIEW_STOCK

PAGE_SIZE = 50


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "can_manage": request.user.has_perm(MANAGE_STOCK),
        "warehouses": selectors.warehouses_list(),
        **extra,
    }


def _stock_page(request: HttpRequest, *, low_only: bool, template: str) -> HttpResponse:
    form = StockFilterForm(request.GET)
    form.is_valid()
    filters = {
        "warehouse": form.cleaned_data.get("warehouse", ""),
        "q": form.cleaned_data.get("q", ""),
    }
    rows = selectors.stock_list(
        warehouse=filters["warehouse"], query=filters["q"], low_only=low_only
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, template, _context(request, page=page, filters=filters))


@staff_permission(VIEW_STOCK)
@require_GET
def stock(request: HttpRequest) -> HttpResponse:
    return _stock_page(request, low_only=False, template="backoffice/inventory/stock.html")


@staff_permission(VIEW_STOCK)
@require_GET
def low_stock(request: HttpRequest) -> HttpResponse:
    return _stock_page(request, low_only=True, template="backoffice/inventory/low_stock.html")


@staff_permission(VIEW_STOCK)
@require_GET
def movements(request: HttpRequest) -> HttpResponse:
    form = MovementFilterForm(request.GET)
    form.is_valid()  # an invalid date is shown as an error and not used as a filter
    data = form.cleaned_data
    rows = selectors.movements_list(
        warehouse=data.get("warehouse") or "",
        kind=data.get("kind") or "",
        sku=data.get("sku") or "",
        reference=data.get("reference") or "",
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
    )
    filters = {
        name: request.GET.get(name, "").strip()
        for name in ("warehouse", "kind", "sku", "reference", "date_from", "date_to")
    }
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/inventory/movements.html",
        _context(request, page=page, form=form, filters=filters, kinds=MovementKind.choices),
    )


@staff_permission(VIEW_STOCK)
@require_GET
def stock_detail(request: HttpRequest, stock_id: int) -> HttpResponse:
    row = selectors.stock_list().filter(pk=stock_id).first()
    if row is None:
        raise Http404
    recent = selectors.movements_list().filter(stock_id=stock_id)[:20]
    form = LevelsForm(
        initial={"safety_stock": row.safety_stock, "low_stock_threshold": row.low_stock_threshold}
    )
    return render(
        request,
        "backoffice/inventory/stock_detail.html",
        _context(request, row=row, recent=recent, form=form),
    )


def _write(
    request: HttpRequest,
    form: Form,
    *,
    template: str,
    title: str,
    submit: str,
    act: Any,
) -> HttpResponse:
    """Show ``form``; on a valid POST run ``act(data)`` (one service), report and redirect."""
    if request.method == "POST" and form.is_valid():
        try:
            done = act(form.cleaned_data)
        except StockError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, done)
            return redirect(request.path)
    return render(
        request,
        template,
        _context(request, form=form, title=title, submit=submit),
        status=400 if form.errors else 200,
    )


@staff_permission(MANAGE_STOCK)
def receive(request: HttpRequest) -> HttpResponse:
    def act(data: dict[str, Any]) -> str:
        result = stock_receive(
            actor=request.user,  # type: ignore[arg-type]
            warehouse=data["warehouse"],
            lines=data["lines"],
            reference=data["reference"],
            reason=data["reason"],
            ip_address=_ip(request),
        )
        return _("Received %(units)d units on %(lines)d lines (%(reference)s).") % {
            "units": result.units,
            "lines": result.lines,
            "reference": result.reference,
        }

    return _write(
        request,
        ReceiptForm(request.POST or None),
        template="backoffice/inventory/write.html",
        title=_("Receive stock"),
        submit=_("Receive"),
        act=act,
    )


@staff_permission(MANAGE_STOCK)
def adjust(request: HttpRequest) -> HttpResponse:
    def act(data: dict[str, Any]) -> str:
        row = stock_adjust(
            actor=request.user,  # type: ignore[arg-type]
            warehouse=data["warehouse"],
            variant_id=data["sku"],
            change=data["change"],
            reason=data["reason"],
            ip_address=_ip(request),
        )
        return _("Adjusted. %(sku)s in %(warehouse)s now has %(n)d on hand.") % {
            "sku": row.variant.sku,
            "warehouse": row.warehouse.name,
            "n": row.on_hand,
        }

    return _write(
        request,
        AdjustmentForm(request.POST or None),
        template="backoffice/inventory/write.html",
        title=_("Adjust stock"),
        submit=_("Adjust"),
        act=act,
    )


@staff_permission(MANAGE_STOCK)
def transfer(request: HttpRequest) -> HttpResponse:
    def act(data: dict[str, Any]) -> str:
        result = stock_transfer(
            actor=request.user,  # type: ignore[arg-type]
            source=data["source"],
            destination=data["destination"],
            variant_id=data["sku"],
            quantity=data["quantity"],
            reason=data["reason"],
            ip_address=_ip(request),
        )
        return _("Moved %(n)d of %(sku)s from %(source)s to %(destination)s.") % {
            "n": data["quantity"],
            "sku": result.source.variant.sku,
            "source": result.source.warehouse.name,
            "destination": result.destination.warehouse.name,
        }

    return _write(
        request,
        TransferForm(request.POST or None),
        template="backoffice/inventory/write.html",
        title=_("Transfer stock"),
        submit=_("Transfer"),
        act=act,
    )


@staff_permission(MANAGE_STOCK)
def count(request: HttpRequest) -> HttpResponse:
    def act(data: dict[str, Any]) -> str:
        row = stock_count(
            actor=request.user,  # type: ignore[arg-type]
            warehouse=data["warehouse"],
            variant_id=data["sku"],
            counted=data["counted"],
            reason=data["reason"],
            ip_address=_ip(request),
        )
        return _("Count recorded. %(sku)s in %(warehouse)s has %(n)d on hand.") % {
            "sku": row.variant.sku,
            "warehouse": row.warehouse.name,
            "n": row.on_hand,
        }

    return _write(
        request,
        CountForm(request.POST or None),
        template="backoffice/inventory/write.html",
        title=_("Record a count"),
        submit=_("Record count"),
        act=act,
    )


@staff_permission(MANAGE_STOCK)
@require_POST
def stock_levels(request: HttpRequest, stock_id: int) -> HttpResponse:
    form = LevelsForm(request.POST)
    if form.is_valid():
        try:
            stock_levels_set(
                actor=request.user,  # type: ignore[arg-type]
                stock_id=stock_id,
                ip_address=_ip(request),
                **form.cleaned_data,
            )
        except StockError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Safety stock and threshold saved."))
    else:
        messages.error(request, _("Safety stock and threshold are whole numbers, zero or more."))
    return redirect(reverse("backoffice:inventory_stock_detail", args=[stock_id]))
