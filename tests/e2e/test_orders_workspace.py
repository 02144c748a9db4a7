"""A customer service agent in the real browser, on a desktop and a tablet (I3, S12): finds an
order by its number among others, reads it, and cancels it with a reason; the stock goes back to
the shelves and the money back to the customer."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from storeteam.checkout.services import checkout_place
from storeteam.inventory.selectors import salable_quantity
from storeteam.orders.choices import OrderStatus
from storeteam.orders.models import Order
from storeteam.orders.services import order_flag
from tests.checkout.fixtures import build_shop, cart_with, details
from tests.e2e.conftest import DESKTOP, TABLET
from tests.factories import PASSWORD, StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DUTCH_ADDRESS = {
    "name": "Sanne de Boer",
    "line1": "Heuvel 7",
    "postcode": "5038 CS",
    "city": "Tilburg",
    "country": "NL",
}


@pytest.mark.parametrize(("viewport", "label"), [(DESKTOP, "desktop"), (TABLET, "tablet")])
def test_customer_service_finds_an_order_by_number_and_cancels_it(
    browser: Any, live_server: Any, screenshot: Any, deliver_events: Any, viewport: Any, label: str
) -> None:
    shop = build_shop(deliver_events)
    placed = []
    for lines, kwargs in (
        ({"WOOL-JACKET-M": 1, "LINEN-SHIRT-S": 2}, {}),
        ({"RAIN-JACKET-M": 1}, {"email": "sanne@example.nl", "address": DUTCH_ADDRESS}),
        ({"FIELD-SHIRT-L": 2}, {"email": "bram@example.se", "shipping": "express"}),
    ):
        cart = cart_with(shop, lines)
        result = checkout_place(
            cart=cart, key=cart.checkout_key, details=details(**kwargs), language="sv"
        )
        assert result.order is not None
        placed.append(result.order)
    order_flag(order_id=placed[1].pk, reason="The customer called: wrong size ordered")
    order = placed[0]
    jacket = shop.variants["WOOL-JACKET-M"]
    assert salable_quantity(variant_id=jacket, country="SE") == 19
    agent = StaffFactory(role="customer_service_agent", full_name="Sanne Jansen")

    page = browser.new_page(viewport=viewport)
    page.goto(f"{live_server.url}/staff/login/")
    page.get_by_label("Email address").fill(agent.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/staff/")
    expect(page.get_by_text("1 order to look at")).to_be_visible()

    page.goto(f"{live_server.url}/staff/orders/")
    expect(page.locator("tbody tr")).to_have_count(3)
    expect(page.locator("tbody tr").first.get_by_text("To look at")).to_be_visible()
    screenshot(page, f"orders-list-{label}")
    page.get_by_label("Order number or email").fill(order.number)
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("tbody tr")).to_have_count(1)

    page.get_by_role("link", name=order.number).click()
    expect(page.get_by_role("heading", name=f"Order {order.number}")).to_be_visible()
    expect(page.get_by_text("Drottninggatan 1")).to_be_visible()
    expect(
        page.locator("table").filter(has_text="Still held").get_by_text("Stockholm").first
    ).to_be_visible()
    screenshot(page, f"order-detail-{label}")

    page.get_by_role("button", name="Cancel order").click()  # nothing confirmed yet
    expect(page.get_by_text("This field is required.").first).to_be_visible()
    assert Order.objects.get(pk=order.pk).status == OrderStatus.ALLOCATED
    page.get_by_label("Why is the order cancelled?").fill("The customer ordered twice")
    page.get_by_label("Yes, cancel this order").check()
    page.get_by_role("button", name="Cancel order").click()

    expect(page.get_by_text(f"Order {order.number} is cancelled")).to_be_visible()
    history = page.locator("table").filter(has_text="When")
    expect(history.get_by_text("The customer ordered twice").first).to_be_visible()
    expect(history.get_by_text("Sanne Jansen").first).to_be_visible()
    screenshot(page, f"order-cancelled-{label}")
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    assert order.refunded_total == order.total
    assert salable_quantity(variant_id=jacket, country="SE") == 20
    page.close()
