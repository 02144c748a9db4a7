"""The order workspace (I3, S10, S12, C4) at /staff/orders/: the orders, those to look at first,
searched by number or email and filtered by status and date; one order with its lines, totals,
address, payment, stock allocations by warehouse and full history; and the staff's actions on
it: cancel, refund, note, clear the attention flag.

Reads need ``orders.view_orders``; the actions ``orders.manage_orders``, by POST with CSRF, each
through one function of ``backoffice.order_actions`` (the domain's service plus the audit entry).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from storeteam.accounts.models import User
from storeteam.backoffice.order_actions import (
    staff_order_attention_clear,
    staff_order_cancel,
    staff_order_note_add,
    staff_order_refund,
)
from storeteam.backoffice.orders_forms import (
    AttentionForm,
    CancelForm,
    NoteForm,
    OrderFilterForm,
    RefundForm,
)
from storeteam.core.access import staff_permission
from storeteam.core.errors import DomainError
from storeteam.inventory import selectors as inventory_selectors
from storeteam.orders import selectors
from storeteam.orders.choices import CANCELLABLE, OrderStatus
from storeteam.orders.models import Order
from storeteam.payments.choices import PaymentState
from storeteam.payments.selectors import payment_detail
from storeteam.team import selectors as team_selectors
from storeteam.team.roles import MANAGE_ORDERS, VIEW_ORDERS, VIEW_PAYMENTS

PAGE_SIZE = 50
REFUNDABLE_PAYMENT_STATES = frozenset({PaymentState.CAPTURED, PaymentState.PARTIALLY_REFUNDED})


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@staff_permission(VIEW_ORDERS)
@require_GET
def orders(request: HttpRequest) -> HttpResponse:
    form = OrderFilterForm(request.GET)
    form.is_valid()  # a bad field is shown and left out; the others still filter
    data = form.cleaned_data
    search = selectors.OrderSearch(
        text=data.get("q") or "",
        status=data.get("status") or "",
        placed_from=data.get("placed_from"),
        placed_to=data.get("placed_to"),
        attention_only=bool(data.get("attention")),
    )
    page = Paginator(selectors.staff_orders(search), PAGE_SIZE).get_page(request.GET.get("page"))
    filters = {
        "q": search.text,
        "status": search.status,
        "placed_from": search.placed_from.isoformat() if search.placed_from else "",
        "placed_to": search.placed_to.isoformat() if search.placed_to else "",
        "attention": "1" if search.attention_only else "",
    }
    attention_count = selectors.staff_orders(selectors.OrderSearch(attention_only=True)).count()
    return render(
        request,
        "backoffice/orders.html",
        {"page": page, "form": form, "filters": filters, "attention_count": attention_count},
    )


# Steps of an order's history that are not a change of status, in words for people.
HISTORY_KINDS = {
    "refund": gettext_lazy("Refund"),
    "note": gettext_lazy("Note"),
    "flagged": gettext_lazy("Flagged to look at"),
    "attention_cleared": gettext_lazy("Dealt with"),
}
ACTORS = {"checkout": gettext_lazy("Checkout"), "system": gettext_lazy("The store")}


def _actor_label(actor: str) -> str:
    """How the history names who took a step that no staff member took."""
    if actor.startswith("warehouse-system:"):
        return _("Warehouse system (%(code)s)") % {"code": actor.split(":", 1)[1]}
    return str(ACTORS.get(actor) or actor)


def _status_label(value: str) -> str:
    return str(OrderStatus(value).label) if value in OrderStatus.values else value


def _history(order: Order) -> list[dict[str, Any]]:
    """The order's steps, oldest first, with staff named (the history says ``staff:<id>``)."""
    steps = list(order.history.all())
    ids = {
        int(h.actor.split(":", 1)[1])
        for h in steps
        if h.actor.startswith("staff:") and h.actor.split(":", 1)[1].isdigit()
    }
    names = {
        f"staff:{member.pk}": member.get_full_name() or member.email
        for member in (team_selectors.staff_list().filter(pk__in=ids) if ids else [])
    }
    return [
        {
            "at": step.at,
            "who": names.get(step.actor) or _actor_label(step.actor),
            "what": HISTORY_KINDS.get(step.kind) or _status_label(step.kind),
            "from_status": _status_label(step.from_status) if step.from_status else "",
            "to_status": _status_label(step.to_status) if step.to_status else "",
            "moved": step.from_status != step.to_status,
            "note": step.note,
        }
        for step in steps
    ]


def _allocations_by_warehouse(order: Order) -> list[dict[str, Any]]:
    names = {w.code: w.name for w in inventory_selectors.warehouses_list()}
    grouped: dict[str, list[inventory_selectors.AllocationRow]] = defaultdict(list)
    for row in inventory_selectors.allocations_for(order.number):
        grouped[row.warehouse_code].append(row)
    return [
        {"code": code, "name": names.get(code, code), "rows": rows}
        for code, rows in grouped.items()
    ]


def _detail(
    request: HttpRequest, order: Order, *, status: int = 200, **forms: Form | None
) -> HttpResponse:
    user = _user(request)
    payment = payment_detail(payment_id=order.payment_id) if order.payment_id else None
    can_manage = user.has_perm(MANAGE_ORDERS)
    can_refund = bool(
        can_manage
        and payment is not None
        and payment.state in REFUNDABLE_PAYMENT_STATES
        and order.refundable.amount > 0
    )
    context: dict[str, Any] = {
        "order": order,
        "lines": list(order.lines.all()),
        "history": _history(order),
        "allocations": _allocations_by_warehouse(order),
        "payment": payment,
        "can_view_payments": user.has_perm(VIEW_PAYMENTS),
        "can_manage": can_manage,
        "can_cancel": can_manage and order.status in CANCELLABLE,
        "can_refund": can_refund,
        "cancel_form": forms.get("cancel_form") or CancelForm(),
        "refund_form": forms.get("refund_form") or RefundForm.fresh(amount=order.refundable.amount),
        "note_form": forms.get("note_form") or NoteForm(),
        "attention_form": forms.get("attention_form") or AttentionForm(),
    }
    return render(request, "backoffice/order.html", context, status=status)


def _order_or_404(order_id: int) -> Order:
    order = selectors.staff_order(order_id)
    if order is None:
        raise Http404
    return order


@staff_permission(VIEW_ORDERS)
@require_GET
def order(request: HttpRequest, order_id: int) -> HttpResponse:
    return _detail(request, _order_or_404(order_id))


@staff_permission(MANAGE_ORDERS)
@require_POST
def order_cancel_view(request: HttpRequest, order_id: int) -> HttpResponse:
    found = _order_or_404(order_id)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            done = staff_order_cancel(
                order_id=found.pk,
                user=_user(request),
                reason=form.cleaned_data["reason"],
                ip_address=_ip(request),
            )
        except DomainError as exc:
            # Shown at the top of the page, whether or not the action is still offered there.
            messages.error(request, exc.message)
        else:
            if done.needs_attention:
                messages.warning(request, done.attention_reason)
            messages.success(
                request,
                _("Order %(number)s is cancelled; its stock is back on the shelves.")
                % {"number": done.number},
            )
            return redirect("backoffice:order", order_id=found.pk)
    return _detail(request, _order_or_404(order_id), status=400, cancel_form=form)


@staff_permission(MANAGE_ORDERS)
@require_POST
def order_refund_view(request: HttpRequest, order_id: int) -> HttpResponse:
    found = _order_or_404(order_id)
    form = RefundForm(request.POST)
    if form.is_valid():
        try:
            result = staff_order_refund(
                order_id=found.pk,
                user=_user(request),
                amount=form.cleaned_data["amount"],
                note=form.cleaned_data["note"],
                idempotency_key=form.cleaned_data["idempotency_key"],
                ip_address=_ip(request),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            if result.repeated:
                messages.info(
                    request, _("This refund was already made; nothing more was refunded.")
                )
            elif result.order.needs_attention and not found.needs_attention:
                messages.warning(request, result.order.attention_reason)
            else:
                messages.success(
                    request,
                    _("%(amount)s %(currency)s was refunded.")
                    % {"amount": form.cleaned_data["amount"], "currency": found.currency},
                )
            return redirect("backoffice:order", order_id=found.pk)
    return _detail(request, _order_or_404(order_id), status=400, refund_form=form)


@staff_permission(MANAGE_ORDERS)
@require_POST
def order_note_view(request: HttpRequest, order_id: int) -> HttpResponse:
    found = _order_or_404(order_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            staff_order_note_add(
                order_id=found.pk,
                user=_user(request),
                note=form.cleaned_data["note"],
                ip_address=_ip(request),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The note was added to the order's history."))
            return redirect("backoffice:order", order_id=found.pk)
    return _detail(request, found, status=400, note_form=form)


@staff_permission(MANAGE_ORDERS)
@require_POST
def order_attention_view(request: HttpRequest, order_id: int) -> HttpResponse:
    found = _order_or_404(order_id)
    form = AttentionForm(request.POST)
    if form.is_valid():
        staff_order_attention_clear(
            order_id=found.pk,
            user=_user(request),
            note=form.cleaned_data["note"],
            ip_address=_ip(request),
        )
        messages.success(request, _("The order is off the list of orders to look at."))
        return redirect("backoffice:order", order_id=found.pk)
    return _detail(request, found, status=400, attention_form=form)
