"""A guest buys on a phone (and on a desktop): opens a product, adds it to the cart, checks out
with a test card and creates an account on the way, lands on the receipt; the confirmation
email reaches a real SMTP server; the new customer finds the order in the account (issue #4,
S6, S9, S10)."""

from __future__ import annotations

import email
import re
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import pytest
from playwright.sync_api import expect

from storeteam.orders.models import Order
from tests.checkout.fixtures import build_shop
from tests.e2e.conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Inbox:
    """aiosmtpd's handler: keeps every message the SMTP server accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def smtp_inbox(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    """A real SMTP server on a free port, and the store's email settings pointed at it the way a
    deployment does it: through EMAIL_URL, read by config.env."""
    from aiosmtpd.controller import Controller

    from storeteam.config import env

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    monkeypatch.setenv("EMAIL_URL", f"smtp://127.0.0.1:{controller.port}")
    for name, value in env.email().items():
        setattr(settings, name, value)
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_a_guest_buys_creates_an_account_and_finds_the_order(
    browser: Any,
    live_server: Any,
    screenshot: Any,
    deliver_events: Any,
    smtp_inbox: Inbox,
    viewport: Any,
    label: str,
) -> None:
    build_shop(deliver_events)
    shopper = f"anne-{label}@example.com"
    page = browser.new_page(viewport=viewport)

    page.goto(f"{live_server.url}/p/wool-jacket/")
    page.get_by_label("Red / M").check()
    page.get_by_label("Quantity").fill("2")
    screenshot(page, f"storefront-add-to-cart-{label}")
    page.get_by_role("button", name="Add to cart").click()
    page.wait_for_url("**/cart/")
    expect(page.get_by_text("Added to your cart.")).to_be_visible()
    expect(page.get_by_role("link", name="Wool Jacket")).to_be_visible()
    expect(page.get_by_text("240.00\xa0EUR").first).to_be_visible()
    screenshot(page, f"storefront-cart-{label}")

    page.get_by_role("link", name="Go to checkout").click()
    page.wait_for_url("**/checkout/")
    with page.expect_navigation():  # shipping follows the country at once
        page.get_by_label("Country").select_option("NL")
    expect(page.get_by_label("Express")).to_be_visible()  # delivers to the Netherlands
    page.get_by_label("Email address", exact=True).fill(shopper)
    page.get_by_label("Full name").fill("Anne de Vries")
    page.get_by_label("Street address").fill("Damrak 1")
    page.get_by_label("Postcode").fill("1012 LG")
    page.get_by_label("City").fill("Amsterdam")
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Create an account with this email address").check()
    page.get_by_label("Choose a password").fill("quiet-garden-lamp")
    screenshot(page, f"storefront-checkout-{label}")
    page.get_by_role("button", name=re.compile(r"^Place order")).click()

    page.wait_for_url("**/orders/*/")
    order = Order.objects.get(email=shopper)
    expect(
        page.get_by_role("heading", name=f"Thank you for your order {order.number}.")
    ).to_be_visible()
    screenshot(page, f"storefront-receipt-{label}")

    deliver_events()  # the worker's part: OrderPlaced sends the confirmation by SMTP
    assert len(smtp_inbox.messages) == 1
    sent = smtp_inbox.messages[0]
    assert order.number in str(sent["Subject"])
    assert sent["To"] == shopper

    page.get_by_role("link", name="Follow this order in your account").click()
    page.wait_for_url(f"**/account/orders/{order.number}/")
    expect(page.get_by_text("Damrak 1")).to_be_visible()
    page.goto(f"{live_server.url}/account/orders/")
    expect(page.get_by_role("link", name=re.compile(f"Order {order.number}"))).to_be_visible()
    screenshot(page, f"account-orders-{label}")
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow, "nothing may be wider than the screen"
    page.close()
