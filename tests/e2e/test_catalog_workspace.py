"""The e-commerce manager at work in the catalog workspace, on a phone and a desktop (S12, S4):
find a product, change its Swedish name and price, add a picture, pin a product in a category
after a preview, and import a CSV file with a mistake, then without it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from tests.catalog.fixtures import build_small_catalog
from tests.e2e.conftest import DESKTOP, PHONE
from tests.factories import PASSWORD, StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shirt_picture(path: Path) -> Path:
    """A drawn shirt, as a product photographer's PNG would come."""
    picture = Image.new("RGB", (800, 800), (236, 232, 224))
    draw = ImageDraw.Draw(picture)
    draw.polygon(
        [
            (250, 180),
            (340, 140),
            (460, 140),
            (550, 180),
            (680, 320),
            (600, 380),
            (550, 330),
            (550, 680),
            (250, 680),
            (250, 330),
            (200, 380),
            (120, 320),
        ],
        fill=(196, 52, 44),
    )
    draw.polygon([(340, 140), (400, 220), (460, 140)], fill=(236, 232, 224))
    picture.save(path, "PNG")
    return path


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_manager_edits_pins_and_imports(
    browser: Any,
    live_server: Any,
    screenshot: Any,
    deliver_events: Any,
    drain_tasks: Any,
    tmp_path: Path,
    viewport: Any,
    label: str,
) -> None:
    build_small_catalog(deliver_events)
    manager = StaffFactory(role="ecommerce_manager")
    page = browser.new_page(viewport=viewport)
    page.goto(f"{live_server.url}/staff/login/")
    page.get_by_label("Email address").fill(manager.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/staff/catalog/")
    page.get_by_label("Name or SKU").fill("linen")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    screenshot(page, f"catalog-products-{label}")

    page.get_by_role("link", name="Linen Shirt").click()
    page.get_by_label("Name (Swedish)").fill("Linneskjorta Deluxe")
    page.get_by_label("Price SEK LINEN-SHIRT-S", exact=True).fill("499.00")
    screenshot(page, f"catalog-product-{label}")
    page.get_by_role("button", name="Save product").click()
    expect(page.get_by_text("The product was saved.")).to_be_visible()
    assert page.get_by_label("Price SEK LINEN-SHIRT-S", exact=True).input_value() == "499.00"

    page.get_by_label("Picture file").set_input_files(str(shirt_picture(tmp_path / "shirt.png")))
    page.get_by_label("Alternative text (English)").fill("Red linen shirt, front")
    page.get_by_role("button", name="Upload picture").click()
    expect(page.get_by_text("The picture was added.")).to_be_visible()
    thumbnail = page.locator("#pictures .picture img")
    assert thumbnail.get_attribute("alt") == "Red linen shirt, front"
    # loaded from the media view: the 320 px rendition, for 120 px at up to 2x (decode() waits
    # for the picture to arrive, and fails if it cannot be loaded)
    assert thumbnail.evaluate("img => img.decode().then(() => img.naturalWidth)") == 320
    assert page.get_by_label("Alternative text (English)").first.input_value() == (
        "Red linen shirt, front"
    )
    screenshot(page, f"catalog-product-pictures-{label}")

    page.goto(f"{live_server.url}/staff/catalog/categories/")
    page.get_by_role("row", name="Clothing").get_by_role("link", name="Sorting rules").click()
    page.get_by_label("SKU of the product 1").fill("FIELD-SHIRT-L")
    page.get_by_label("Position 1").fill("1")
    page.get_by_role("button", name="Preview").click()
    assert page.locator(".preview li").first.inner_text().startswith("Field Shirt")
    screenshot(page, f"catalog-sorting-preview-{label}")
    page.get_by_role("button", name="Save rules").click()
    expect(page.get_by_text("The sorting rules were saved")).to_be_visible()

    header = "product,category,sku,name_en,price_SEK"
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{header}\nscarf,no-such,SCARF-1,Scarf,199.00\n", encoding="utf-8")
    page.goto(f"{live_server.url}/staff/catalog/import/")
    page.get_by_label("CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Check and import").click()
    drain_tasks()
    page.reload()
    expect(page.get_by_text("Unknown category “no-such”.")).to_be_visible()
    screenshot(page, f"catalog-import-refused-{label}")

    good = tmp_path / "good.csv"
    good.write_text(f"{header}\nscarf,shirts,SCARF-1,Scarf,199.00\n", encoding="utf-8")
    page.goto(f"{live_server.url}/staff/catalog/import/")
    page.get_by_label("CSV file").set_input_files(str(good))
    page.get_by_role("button", name="Check and import").click()
    drain_tasks()
    page.reload()
    expect(page.get_by_text("Products created")).to_be_visible()
    page.close()
