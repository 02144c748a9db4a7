"""The customer's own orders in their account (S9): a list, and one order with its lines, totals,
address and history. Only the customer's own: another customer's order number is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from storeteam.core.access import customer_required
from storeteam.core.errors import DomainError
from storeteam.orders.choices import OrderStatus
from storeteam.orders.selectors import customer_order, customer_orders
from storeteam.returns.forms import return_lines_posted
from storeteam.returns.models import ReturnReason
from storeteam.returns.services import (
    RETURNABLE,
    return_deadline,
    return_request,
    returnable_quantities,
)
from storeteam.storefront.countries import country_name

ORDERS_PER_PAGE = 20


def _customer_id(request: HttpRequest) -> int:
    pk = request.user.pk
    if pk is None:  # customer_required lets only signed-in customers through
        raise Http404
    return int(pk)


@customer_required
@never_cache
def account_orders(request: HttpRequest) -> HttpResponse:
    """The customer's orders, newest first: number, date, status and total."""
    paginator = Paginator(customer_orders(customer_id=_customer_id(request)), ORDERS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "storefront/account_orders.html", {"page": page})


@customer_required
@never_cache
def account_order(request: HttpRequest, number: str) -> HttpResponse:
    """One of the customer's orders, with every step it went through."""
    order = customer_order(customer_id=_customer_id(request), number=number)
    if order is None:
        raise Http404
    # The customer sees the moves of the order and its refunds; staff notes and flags stay in
    # the back office.
    labels = {**dict(OrderStatus.choices), "refund": _("Money refunded")}
    history = [
        {"at": step.at, "label": labels[step.kind]}
        for step in order.history.all()
        if step.kind in labels
    ]
    left = returnable_quantities(order) if order.status in RETURNABLE else {}
    return render(
        request,
        "storefront/account_order.html",
        {
            "order": order,
            "history": history,
            "country": country_name(order.country),
            "may_return": any(n > 0 for n in left.values())
            and timezone.now() <= return_deadline(order),
            "returns": list(order.returns.prefetch_related("lines__order_line")),
        },
    )


@customer_required
@never_cache
def account_order_return(request: HttpRequest, number: str) -> HttpResponse:
    """Start a return of one's own shipped order (R1): how many of each line, and why."""
    order = customer_order(customer_id=_customer_id(request), number=number)
    if order is None:
        raise Http404
    left = returnable_quantities(order) if order.status in RETURNABLE else {}
    error = ""
    if request.method == "POST":
        specs = return_lines_posted(request.POST, order.lines.all())
        try:
            created = return_request(
                order_id=order.pk,
                lines=specs,
                requested_by="customer",
                customer_id=_customer_id(request),
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(
                request,
                _("Return %(number)s is registered; its progress shows on this page.")
                % {"number": created.number},
            )
            return redirect("storefront:account_order", number=order.number)
    return render(
        request,
        "storefront/account_return.html",
        {
            "order": order,
            "lines": [(line, left.get(line.pk, 0)) for line in order.lines.all()],
            "reasons": ReturnReason.choices,
            "deadline": return_deadline(order) if left else None,
            "error": error,
        },
        status=400 if error else 200,
    )
