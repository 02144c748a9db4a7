"""The logistics manager at the packing table with a tablet (820 x 1180) in the real browser
(F1, F2): opens the open work, creates a pick list, packs an order by typing SKUs (a wrong one
gets the red message), ships it with a tracking number, and finds the label in the station's
print queue, next to an uncertain label from earlier that waits for a person."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from storeteam.fulfilment.models import PrintJob, PrintKind, PrintStatus, Shipment, ShipmentStatus
from storeteam.fulfilment.printing import packing_station_ensure, print_enqueue
from tests.checkout.fixtures import build_shop
from tests.e2e.conftest import TABLET
from tests.factories import PASSWORD, StaffFactory
from tests.fulfilment.fixtures import order_of, shipped_parcel

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_logistics_manager_picks_packs_ships_and_finds_the_label_queued(
    browser: Any, live_server: Any, screenshot: Any, deliver_events: Any, tmp_path: Path
) -> None:
    shop = build_shop(deliver_events)
    station = packing_station_ensure(
        warehouse=shop.place.se,
        code="sto-1",
        name="Stockholm packing 1",
        printer=f"dir:{tmp_path}",
        labels_per_hour=120,
    )
    earlier = shipped_parcel(shop, deliver_events, tracking="PN000000001SE")
    [stuck] = print_enqueue(
        shipment_id=earlier.pk, station_id=station.pk, kinds=[PrintKind.LABEL_ZPL]
    )
    PrintJob.objects.filter(pk=stuck.pk).update(
        status=PrintStatus.UNCERTAIN,
        attempts=1,
        last_error="Connection reset by peer",
    )
    order = order_of(shop, {"WOOL-JACKET-M": 1, "LINEN-SHIRT-S": 2}, deliver_events)
    order_of(shop, {"FIELD-SHIRT-L": 1}, deliver_events)
    parcel = Shipment.objects.get(order=order)
    manager = StaffFactory(role="logistics_manager", full_name="Lucas Dubois")

    page = browser.new_page(viewport=TABLET)
    url = live_server.url
    page.goto(f"{url}/staff/login/")
    page.get_by_label("Email address").fill(manager.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/staff/")

    page.locator(".menu summary").click()
    page.locator(".menu").get_by_role("link", name="Packing and shipping").click()
    page.wait_for_url(f"{url}/staff/fulfilment/")
    expect(page.get_by_role("link", name="Stockholm", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Stockholm packing 1")).to_be_visible()
    screenshot(page, "fulfilment-overview-tablet")

    page.get_by_role("link", name="Stockholm", exact=True).click()
    expect(page.get_by_role("link", name=parcel.label)).to_be_visible()
    page.get_by_role("button", name="Create pick list").click()
    expect(page.get_by_role("heading", name="Pick list")).to_be_visible()
    expect(page.locator("table.pick").get_by_text("LINEN-SHIRT-S")).to_be_visible()
    screenshot(page, "fulfilment-pick-list-tablet")

    page.get_by_role("link", name=parcel.label).click()
    scan = page.get_by_label("Scan or type a SKU or barcode")
    scan.fill("wool-jacket-m")
    scan.press("Enter")
    assert page.locator(".feedback.ok").inner_text().endswith("Packed WOOL-JACKET-M: 1 of 1.")
    scan = page.get_by_label("Scan or type a SKU or barcode")
    scan.fill("FIELD-SHIRT-L")
    scan.press("Enter")
    wrong = page.locator(".feedback.wrong")
    assert wrong.inner_text().endswith(
        "FIELD-SHIRT-L is not in this parcel. It still needs: LINEN-SHIRT-S (2)."
    )
    assert wrong.evaluate("e => getComputedStyle(e).color") == "rgb(166, 27, 27)"
    assert page.get_by_label("Scan or type a SKU or barcode").evaluate(
        "e => e === document.activeElement"
    )  # the scanner can go on without a tap
    screenshot(page, "fulfilment-packing-wrong-item-tablet")

    for _ in range(2):
        scan = page.get_by_label("Scan or type a SKU or barcode")
        scan.fill("LINEN-SHIRT-S")
        scan.press("Enter")
    expect(page.get_by_text("The parcel is complete: ship it.")).to_be_visible()
    page.get_by_label("Carrier").fill("PostNord")
    page.get_by_label("Service").fill("MyPack Home")
    page.get_by_label("Tracking number").fill("PN123456789SE")
    assert page.get_by_label("Packing station (prints the label)").input_value() == str(station.pk)
    screenshot(page, "fulfilment-packing-ship-tablet")
    page.get_by_role("button", name="Ship and print the label").click()
    expect(
        page.get_by_text("Shipped with PostNord, tracking number PN123456789SE.")
    ).to_be_visible()
    parcel.refresh_from_db()
    assert parcel.status == ShipmentStatus.SHIPPED

    page.locator("#documents").get_by_role("link", name="Stockholm packing 1").first.click()
    label_row = (
        page.get_by_role("row")
        .filter(has_text=parcel.label)
        .filter(has_text="Shipping label (ZPL)")
    )
    expect(label_row.get_by_text("Queued")).to_be_visible()
    stuck_row = page.get_by_role("row").filter(has_text=earlier.label)
    expect(stuck_row.get_by_role("button", name="It printed")).to_be_visible()
    screenshot(page, "fulfilment-print-queue-tablet")

    stuck_row.get_by_role("button", name="Reprint").click()
    expect(
        page.get_by_text(f"{earlier.label} is back in the queue to print again.")
    ).to_be_visible()
    assert PrintJob.objects.get(pk=stuck.pk).status == PrintStatus.QUEUED
    page.close()
