"""The shopper's side of an order: the receipt page a guest reaches from the confirmation email
(by the checkout's unguessable reference), which also says where a checkout in progress stands."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from storeteam.checkout.services import checkout_status
from storeteam.core.access import public
from storeteam.orders.selectors import order_by_reference
from storeteam.payments.choices import PaymentState
from storeteam.payments.selectors import payments_for_reference
from storeteam.storefront.carts import shopper_customer
from storeteam.storefront.countries import country_name


@public
@never_cache
def order_receipt(request: HttpRequest, reference: str) -> HttpResponse:
    """The order placed with ``reference``, or where its checkout stands (I3)."""
    order = order_by_reference(reference)
    status = None if order is not None else checkout_status(key=reference)
    if order is None and status is None:
        raise Http404
    customer = shopper_customer(request)
    bank_waits = (
        status is not None
        and status.status == "awaiting_payment"
        and settings.PAYMENTS_TEST_GATEWAY
        and any(p.state == PaymentState.REQUIRES_ACTION for p in payments_for_reference(reference))
    )
    response = render(
        request,
        "storefront/order_receipt.html",
        {
            "order": order,
            "checkout": status,
            "customer": customer,
            "is_customers_order": order is not None
            and customer is not None
            and order.customer_id == customer.pk,
            "country": country_name(order.country) if order is not None else "",
            "bank_waits": bank_waits,
        },
    )
    response["X-Robots-Tag"] = "noindex"
    if order is None and status is not None and status.status in ("processing", "awaiting_payment"):
        response["Refresh"] = "3"
    return response
