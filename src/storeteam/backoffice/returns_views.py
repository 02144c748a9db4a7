"""The returns workspace (R1) at /staff/returns/: returns by state, one return with its lines and
the next step (approve or reject, receive and inspect, refund), a return started on a customer's
behalf, and return reasons per product. Views parse, call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from storeteam.core.access import staff_permission
from storeteam.core.errors import DomainError
from storeteam.orders.models import Order
from storeteam.orders.selectors import order_pk_from_number
from storeteam.returns import selectors
from storeteam.returns.forms import posted_count, return_lines_posted
from storeteam.returns.models import ReturnReason, ReturnRequest, ReturnStatus
from storeteam.returns.services import (
    return_deadline,
    return_decide,
    return_receive,
    return_refund,
    return_refund_amount,
    return_request,
    returnable_quantities,
)
from storeteam.team.roles import MANAGE_RETURNS, RECEIVE_RETURNS, VIEW_RETURNS

PAGE_SIZE = 50


def _actor(request: HttpRequest) -> str:
    return f"staff:{request.user.pk}"


@staff_permission(VIEW_RETURNS)
def returns(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in ReturnStatus.values:
        status = ""
    page = Paginator(selectors.returns_list(status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "backoffice/returns.html",
        {"page": page, "status": status, "statuses": ReturnStatus.choices},
    )


def _return(return_id: int) -> ReturnRequest:
    found = (
        ReturnRequest.objects.select_related("order", "warehouse")
        .prefetch_related("lines__order_line")
        .filter(pk=return_id)
        .first()
    )
    if found is None:
        raise Http404
    return found


@staff_permission(VIEW_RETURNS)
def return_detail(request: HttpRequest, return_id: int) -> HttpResponse:
    found = _return(return_id)
    refund = return_refund_amount(found) if found.status == ReturnStatus.RECEIVED else None
    return render(
        request,
        "backoffice/return.html",
        {
            "ret": found,
            "lines": list(found.lines.all()),
            "refund": refund,
            "may_manage": request.user.has_perm(MANAGE_RETURNS),
            "may_receive": request.user.has_perm(RECEIVE_RETURNS),
        },
    )


@staff_permission(MANAGE_RETURNS)
@require_POST
def return_decide_view(request: HttpRequest, return_id: int) -> HttpResponse:
    try:
        return_decide(
            return_id=return_id,
            approve=request.POST.get("decision") == "approve",
            note=request.POST.get("note", "")[:300],
            actor=_actor(request),
        )
        messages.success(request, _("The decision is recorded."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("backoffice:return", return_id=return_id)


@staff_permission(RECEIVE_RETURNS)
@require_POST
def return_receive_view(request: HttpRequest, return_id: int) -> HttpResponse:
    found = _return(return_id)
    inspected = {
        line.pk: (
            posted_count(request.POST.get(f"restock-{line.pk}")),
            posted_count(request.POST.get(f"scrap-{line.pk}")),
        )
        for line in found.lines.all()
    }
    try:
        return_receive(return_id=return_id, inspected=inspected, actor=_actor(request))
        messages.success(request, _("What arrived is recorded."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("backoffice:return", return_id=return_id)


@staff_permission(MANAGE_RETURNS)
@require_POST
def return_refund_view(request: HttpRequest, return_id: int) -> HttpResponse:
    try:
        done = return_refund(return_id=return_id, actor=_actor(request))
        messages.success(
            request,
            _("Refunded %(amount)s %(currency)s.")
            % {"amount": done.refund_amount, "currency": done.order.currency},
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("backoffice:return", return_id=return_id)


@staff_permission(MANAGE_RETURNS)
def return_new(request: HttpRequest) -> HttpResponse:
    """Start a return on a customer's behalf (customer service), from the order's number."""
    number = (request.GET.get("order") or request.POST.get("order") or "").strip()[:20]
    pk = order_pk_from_number(number)
    order = Order.objects.prefetch_related("lines").filter(pk=pk).first() if pk else None
    if request.method == "POST" and order is not None:
        specs = return_lines_posted(request.POST, order.lines.all())
        try:
            created = return_request(order_id=order.pk, lines=specs, requested_by=_actor(request))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Return %(number)s started.") % {"number": created.number})
            return redirect("backoffice:return", return_id=created.pk)
    left = returnable_quantities(order) if order is not None else {}
    return render(
        request,
        "backoffice/return_new.html",
        {
            "number": number,
            "order": order,
            "lines": [(line, left.get(line.pk, 0)) for line in order.lines.all()] if order else [],
            "reasons": ReturnReason.choices,
            "deadline": return_deadline(order) if order is not None else None,
            "not_found": bool(number) and order is None,
        },
    )


@staff_permission(VIEW_RETURNS)
def return_reasons(request: HttpRequest) -> HttpResponse:
    rows = selectors.return_reasons_by_product()
    reasons = [label for _value, label in ReturnReason.choices]
    return render(
        request,
        "backoffice/return_reasons.html",
        {
            "rows": [
                (row, [row.by_reason.get(str(label), 0) for label in reasons]) for row in rows
            ],
            "reasons": reasons,
        },
    )
