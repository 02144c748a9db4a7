"""The logistics manager sets up a warehouse in the real browser (F2, F3, F4): on a phone
(390 x 844) adds the weekday packing shifts, first with the end before the start (refused, the
reason at the field), then right; adds a packing station with a PDF printer; then at a desk
(1366 x 768) sees the shifts, the stations and the queue of the Dutch warehouse's system, which is
down."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from storeteam.fulfilment.link import link_drain, warehouse_link_set
from storeteam.fulfilment.models import PackingStation, Shift
from tests.checkout.fixtures import build_shop
from tests.e2e.conftest import DESKTOP, PHONE
from tests.factories import PASSWORD, StaffFactory
from tests.fulfilment.warehouse_system import SECRET, buy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def sign_in(browser: Any, url: str, email: str, viewport: dict[str, int]) -> Any:
    page = browser.new_page(viewport=viewport)
    page.goto(f"{url}/staff/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/staff/")
    return page


def test_logistics_manager_sets_up_shifts_and_a_packing_station(
    browser: Any, live_server: Any, screenshot: Any, deliver_events: Any
) -> None:
    shop = build_shop(deliver_events)
    link = warehouse_link_set(
        warehouse=shop.place.nl, endpoint="http://127.0.0.1:9/orders", secret=SECRET
    )
    orders = [buy(shop, deliver_events) for _ in range(2)]
    link_drain(link_id=link.pk)  # nothing listens there: the link is down, both orders wait
    manager = StaffFactory(role="logistics_manager", full_name="Lucas Dubois")
    url = live_server.url

    phone = sign_in(browser, url, manager.email, PHONE)
    phone.locator(".menu summary").click()
    phone.locator(".menu").get_by_role("link", name="Packing shifts").click()
    phone.wait_for_url(f"{url}/staff/fulfilment/shifts/")
    phone.get_by_role("link", name="New packing shift").click()
    phone.get_by_label("Warehouse").select_option(label="Stockholm (SE)")
    for day in WEEKDAYS:
        phone.get_by_label(day).check()
    phone.get_by_label("Starts").fill("16:00")
    phone.get_by_label("Ends").fill("08:00")
    phone.get_by_label("Orders packed per hour").fill("60")
    phone.get_by_role("button", name="Add the shift").click()
    error = phone.locator("#id_ends_at").locator("xpath=preceding-sibling::ul[1]")
    assert error.inner_text() == "The shift must end after it starts."
    assert phone.get_by_label("Tuesday").is_checked()  # the rest of the form is kept
    assert not Shift.objects.exists()
    screenshot(phone, "fulfilment-shift-refused-phone")

    phone.get_by_label("Starts").fill("08:00")
    phone.get_by_label("Ends").fill("16:00")
    phone.get_by_role("button", name="Add the shift").click()
    phone.wait_for_url(f"{url}/staff/fulfilment/shifts/#warehouse-{shop.place.se.pk}")
    expect(phone.get_by_text("Added 5 shifts to Stockholm.")).to_be_visible()
    stockholm = phone.locator(f"#warehouse-{shop.place.se.pk}")
    monday = stockholm.get_by_role("row").filter(has_text="Monday")
    expect(monday.get_by_role("link", name="08:00\u201316:00")).to_be_visible()
    assert sorted(Shift.objects.values_list("weekday", flat=True)) == [0, 1, 2, 3, 4]
    screenshot(phone, "fulfilment-shifts-phone")

    phone.get_by_role("link", name="Packing stations").click()
    phone.get_by_role("link", name="New packing station").click()
    phone.get_by_label("Code").fill("sto-3")
    phone.get_by_label("Name", exact=True).fill("Stockholm packing 3")
    phone.get_by_label("Warehouse").select_option(label="Stockholm (SE)")
    phone.get_by_label("Printer address").fill("tcp://10.0.4.33:9100")
    phone.get_by_label("PDF").check()
    phone.get_by_label("Labels per hour").fill("90")
    screenshot(phone, "fulfilment-station-new-phone")
    phone.get_by_role("button", name="Add the station").click()
    phone.wait_for_url(f"{url}/staff/fulfilment/stations/")
    expect(
        phone.get_by_text("Packing station Stockholm packing 3 is set up: 90 labels an hour.")
    ).to_be_visible()
    row = phone.get_by_role("row").filter(has_text="Stockholm packing 3")
    expect(row.get_by_text("In use")).to_be_visible()
    station = PackingStation.objects.get(code="sto-3")
    assert (station.printer, station.label_format, station.labels_per_hour) == (
        "tcp://10.0.4.33:9100",
        "pdf",
        90,
    )
    screenshot(phone, "fulfilment-stations-phone")
    phone.close()

    desk = sign_in(browser, url, manager.email, DESKTOP)
    desk.locator(".side").get_by_role("link", name="Packing shifts").click()
    expect(desk.get_by_role("heading", name="Stockholm")).to_be_visible()
    screenshot(desk, "fulfilment-shifts-desktop")
    desk.locator(".side").get_by_role("link", name="Packing stations").click()
    expect(desk.get_by_role("link", name="Stockholm packing 3", exact=True)).to_be_visible()
    screenshot(desk, "fulfilment-stations-desktop")
    desk.locator(".side").get_by_role("link", name="Warehouse systems").click()
    desk.get_by_role("link", name=shop.place.nl.name).click()
    queue = desk.locator("table").last
    for order in orders:
        expect(queue.get_by_role("link", name=order.number)).to_be_visible()
    expect(desk.get_by_text("the warehouse system cannot be reached")).to_be_visible()
    assert SECRET not in desk.content()
    screenshot(desk, "fulfilment-link-desktop")
    desk.close()
