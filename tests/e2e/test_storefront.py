"""A shopper browses a category, combines two filters, sorts, sees what is out of stock and keeps
only what is in stock, opens a product (its stock per variant) and switches language, on a phone
and on a desktop (S3, S4, S6, S11, I1)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from storeteam.catalog.models import Variant
from tests.catalog.fixtures import build_small_catalog
from tests.e2e.conftest import DESKTOP, PHONE
from tests.inventory.fixtures import build_warehouses, receive

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_shopper_filters_sorts_and_opens_a_product(
    browser: Any, live_server: Any, screenshot: Any, deliver_events: Any, viewport: Any, label: str
) -> None:
    build_small_catalog(deliver_events)
    stockholm, _lyon, _tilburg = build_warehouses()
    receive(stockholm, Variant.objects.get(sku="RAIN-JACKET-M").pk, 2)
    deliver_events()
    page = browser.new_page(viewport=viewport)
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Clothing").click()
    page.wait_for_url("**/c/clothing/")
    expect(page.get_by_text("4 products")).to_be_visible()

    if label == "phone":
        page.locator(".filter-box summary").click()  # the filters fold away on a phone
    page.get_by_label("Red").check()
    page.get_by_label("Blue").check()
    page.get_by_label("Cotton").check()
    page.get_by_label("Sort by").select_option("price_desc")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    assert "colour=red" in page.url
    assert "material=cotton" in page.url
    names = page.locator(".grid .name").all_inner_texts()
    assert names == ["Rain Jacket", "Linen Shirt"]
    # English shoppers count Stockholm's stock, which has no linen shirt
    linen = page.locator(".grid .card").filter(has_text="Linen Shirt")
    assert linen.locator(".stock.out").inner_text() == "Out of stock"
    expect(page.get_by_label("In stock only")).to_be_visible()
    assert "(1)" in page.locator("label", has_text="In stock only").inner_text()
    screenshot(page, f"storefront-category-filtered-{label}")
    page.get_by_label("In stock only").check()
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**available=1**")
    assert page.locator(".grid .name").all_inner_texts() == ["Rain Jacket"]

    page.get_by_role("link", name="Rain Jacket").click()
    page.wait_for_url("**/p/rain-jacket/")
    expect(page.get_by_role("heading", name="Rain Jacket")).to_be_visible()
    expect(page.get_by_text("Blue / M")).to_be_visible()
    # English shoppers count Stockholm's stock: two M left, no L
    assert page.get_by_role("radio", name="Blue / M").is_checked()
    assert page.get_by_role("radio", name="Blue / L").is_disabled()
    assert page.locator(".variants .stock").all_inner_texts() == ["Only 2 left", "Out of stock"]
    screenshot(page, f"storefront-product-{label}")

    page.get_by_role("combobox", name="Search products").fill("jakcet")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url("**/search/?q=jakcet")
    expect(page.get_by_text("Showing results for “jacket”.")).to_be_visible()
    assert sorted(page.locator(".grid .name").all_inner_texts()) == ["Rain Jacket", "Wool Jacket"]
    screenshot(page, f"storefront-search-{label}")
    page.get_by_role("link", name="Rain Jacket").click()
    page.wait_for_url("**/p/rain-jacket/")

    page.locator(".lang").get_by_role("link", name="Svenska").click()
    page.wait_for_url("**/sv/p/regnjacka/")
    expect(page.get_by_role("heading", name="Regnjacka")).to_be_visible()
    expect(page.get_by_text("SEK").first).to_be_visible()
    page.close()
