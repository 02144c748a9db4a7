"""The shopper's side of an order: the receipt page a guest reaches from the confirmation email
(by the checkout's unguessable reference), which also says where a checkout in progress stands."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from storeteam.checkout.services import checkout_status
from storeteam.core.access import public
from storeteam.orders.selectors import order_by_reference
from storeteam.payments.choices import PaymentState
from storeteam.payments.selectors import payments_for_reference
from storeteam.storefront.carts import shopper_customer
from storeteam.storefront.countries import country_name


def _bank_url(reference: str) -> str:
    """Where the shopper confirms a payment their bank still waits for (3-D Secure), or ""."""
    waiting = [
        p for p in payments_for_reference(reference) if p.state == PaymentState.REQUIRES_ACTION
    ]
    if not waiting:
        return ""
    gateway = waiting[-1].gateway
    if gateway == "test" and settings.PAYMENTS_TEST_GATEWAY:
        return reverse("storefront:test_bank", args=[reference])
    if gateway == "stripe" and "stripe" in settings.PAYMENT_GATEWAYS:
        return reverse("storefront:card_confirm", args=[reference])
    return ""


@public
@never_cache
def order_receipt(request: HttpRequest, reference: str) -> HttpResponse:
    """The order placed with ``reference``, or where its checkout stands (I3)."""
    order = order_by_reference(reference)
    status = None if order is not None else checkout_status(key=reference)
    if order is None and status is None:
        raise Http404
    customer = shopper_customer(request)
    waits = status is not None and status.status == "awaiting_payment"
    bank_url = _bank_url(reference) if waits else ""
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
            "bank_url": bank_url,
        },
    )
    response["X-Robots-Tag"] = "noindex"
    if order is None and status is not None and status.status in ("processing", "awaiting_payment"):
        response["Refresh"] = "3"
    return response
