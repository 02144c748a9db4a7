"""The customer's side after the warehouse (F5, R1) in the real browser on a phone: the order is
followed on the public tracking page with its number and email address; the customer then
returns one line from the account, the warehouse receives it and customer service refunds it,
and the customer sees the refund on the order."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from storeteam.checkout.services import checkout_place
from storeteam.fulfilment.models import Shipment
from storeteam.fulfilment.services import pack_scan
from storeteam.fulfilment.tracking import shipment_book_and_ship, tracking_poll
from storeteam.payments.models import Payment
from storeteam.returns.models import ReturnRequest, ReturnStatus
from storeteam.returns.services import return_decide, return_receive, return_refund
from tests.checkout.fixtures import build_shop, cart_with, details
from tests.e2e.conftest import PHONE
from tests.factories import PASSWORD, CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_customer_tracks_the_parcel_then_returns_a_line_and_is_refunded(
    browser: Any, live_server: Any, screenshot: Any, deliver_events: Any
) -> None:
    shop = build_shop(deliver_events)
    customer = CustomerFactory(full_name="Astrid Larsson")
    cart = cart_with(shop, {"WOOL-JACKET-M": 1, "LINEN-SHIRT-S": 1})
    result = checkout_place(
        cart=cart,
        key=cart.checkout_key,
        details=details(email=customer.email),
        language="en",
        customer=customer,
    )
    order = result.order
    assert order is not None
    deliver_events()
    parcel = Shipment.objects.get(order=order)
    for line in parcel.lines.all():
        pack_scan(shipment_id=parcel.pk, code=line.sku, quantity=line.quantity, actor="packer")
    parcel = shipment_book_and_ship(
        shipment_id=parcel.pk, carrier="test", service="parcel", actor="packer"
    )
    tracking_poll(now=timezone.now() + timedelta(hours=5))
    url = live_server.url

    page = browser.new_page(viewport=PHONE)
    page.goto(f"{url}/track/")
    page.get_by_label("Order number").fill(order.number)
    page.get_by_label("Email address or delivery postcode").fill(customer.email.upper())
    page.get_by_role("button", name="Show my order").click()
    page.get_by_text(parcel.tracking_number).first.wait_for()
    expect(page.get_by_text("On its way")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "storefront-tracking-phone")

    page.goto(f"{url}/account/login/")
    page.get_by_label("Email address").fill(customer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{url}/account/orders/{order.number}/")
    page.get_by_role("link", name="Return items").click()
    shirt = order.lines.get(sku="LINEN-SHIRT-S")
    page.locator(f"#quantity-{shirt.pk}").fill("1")
    page.locator(f"#reason-{shirt.pk}").select_option("too_small")
    screenshot(page, "storefront-return-phone")
    page.get_by_role("button", name="Ask for the return").click()
    page.get_by_text("is registered").wait_for()

    ret = ReturnRequest.objects.get()
    return_decide(return_id=ret.pk, approve=True, note="", actor="staff:agent")
    return_receive(return_id=ret.pk, inspected={ret.lines.get().pk: (1, 0)}, actor="warehouse")
    return_refund(return_id=ret.pk, actor="staff:agent")

    page.reload()
    expect(
        page.get_by_text("Refunded 45.00").or_(page.get_by_text("Refunded 450.00"))
    ).to_be_visible()
    screenshot(page, "storefront-return-refunded-phone")
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.REFUNDED
    assert Payment.objects.get(pk=order.payment_id).refunded_amount == Decimal(ret.refund_amount)
