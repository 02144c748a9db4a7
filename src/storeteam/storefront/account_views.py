"""The customer's own orders in their account (S9): a list, and one order with its lines, totals,
address and history. Only the customer's own: another customer's order number is a 404."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from storeteam.core.access import customer_required
from storeteam.orders.choices import OrderStatus
from storeteam.orders.selectors import customer_order, customer_orders
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
    return render(
        request,
        "storefront/account_order.html",
        {
            "order": order,
            "history": history,
            "country": country_name(order.country),
        },
    )
