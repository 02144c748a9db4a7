"""The inventory manager at work in the real browser, on a phone and on a desktop: finds a
product's stock, receives a delivery, adjusts with a reason, and sees it in the ledger."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from storeteam.inventory.models import Stock
from tests.e2e.conftest import DESKTOP, PHONE
from tests.factories import PASSWORD, StaffFactory
from tests.inventory.fixtures import build_stock_place, receive

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, url: str, email: str) -> None:
    page.goto(f"{url}/staff/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/staff/")


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_inventory_manager_receives_and_adjusts_stock(
    browser: Any, live_server: Any, screenshot: Any, deliver_events: Any, viewport: Any, label: str
) -> None:
    place = build_stock_place(deliver_events)
    for sku, variant_id in place.variants.items():
        receive(place.se, variant_id, 2 if sku.startswith("LINEN") else 14)
        receive(place.nl, variant_id, 9)
    row = Stock.objects.get(warehouse=place.se, variant__sku="LINEN-SHIRT-S")
    from storeteam.inventory.services import stock_levels_set

    stock_levels_set(actor=None, stock_id=row.pk, safety_stock=0, low_stock_threshold=3)
    manager = StaffFactory(role="inventory_manager", full_name="Ingrid Holm")
    page = browser.new_page(viewport=viewport)
    sign_in(page, live_server.url, manager.email)
    expect(page.get_by_text("1 stock row is low")).to_be_visible()
    screenshot(page, f"inventory-home-{label}")

    page.goto(f"{live_server.url}/staff/inventory/")
    page.get_by_label("SKU or product name").fill("wool")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="WOOL-JACKET-M").first).to_be_visible()
    expect(page.get_by_role("link", name="LINEN-SHIRT-S")).to_have_count(0)
    screenshot(page, f"inventory-stock-{label}")

    page.locator(".tabs").get_by_role("link", name="Low stock").click()
    expect(page.get_by_role("link", name="LINEN-SHIRT-S")).to_be_visible()
    screenshot(page, f"inventory-low-{label}")

    page.locator(".tabs").get_by_role("link", name="Receive").click()
    page.get_by_label("Warehouse").select_option(label="Stockholm (SE)")
    page.get_by_label("Delivery reference").fill("PO-2026-118")
    page.get_by_label("Lines").fill("LINEN-SHIRT-S 20\nNOPE-9 1")
    page.get_by_role("button", name="Receive").click()
    expect(page.get_by_text("Line 2: there is no product with SKU NOPE-9.")).to_be_visible()
    screenshot(page, f"inventory-receive-error-{label}")
    page.get_by_label("Warehouse").select_option(label="Stockholm (SE)")
    page.get_by_label("Lines").fill("LINEN-SHIRT-S 20")
    page.get_by_role("button", name="Receive").click()
    expect(page.get_by_text("Received 20 units on 1 lines (PO-2026-118).")).to_be_visible()

    page.locator(".tabs").get_by_role("link", name="Adjust").click()
    page.get_by_label("Warehouse").select_option(label="Stockholm (SE)")
    page.get_by_label("SKU").fill("LINEN-SHIRT-S")
    page.get_by_label("Change").fill("-1")
    page.get_by_label("Reason").fill("Torn seam found at packing")
    screenshot(page, f"inventory-adjust-{label}")
    page.get_by_role("button", name="Adjust").click()
    expect(
        page.get_by_text("Adjusted. LINEN-SHIRT-S in Stockholm now has 21 on hand.")
    ).to_be_visible()

    page.locator(".tabs").get_by_role("link", name="Movements").click()
    expect(page.get_by_text("Torn seam found at packing")).to_be_visible()
    screenshot(page, f"inventory-movements-{label}")
    page.close()
