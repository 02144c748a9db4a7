"""The logistics manager plans today's capacity in the real browser (F3, G3; scenario 3 of the
playbook): on a phone (390 x 844) opens Stockholm's capacity plan from the overview, promises
same-day dispatch, enters a campaign's forecast of extra orders and sees, with the two packing
stations printing 12 labels an hour each, the shortfall in parcels and station-hours; then at a
desk (1366 x 768) the same plan with its chart."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from storeteam.fulfilment.capacity import shifts_set
from storeteam.fulfilment.models import ExpectedOrders, SameDayCutoff
from storeteam.fulfilment.printing import packing_station_ensure
from tests.checkout.fixtures import build_shop
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_fulfilment_setup import sign_in
from tests.factories import StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_logistics_manager_plans_for_a_campaign(
    browser: Any, live_server: Any, screenshot: Any, deliver_events: Any
) -> None:
    now = timezone.localtime()
    if now.hour >= 23:
        pytest.skip("less than an hour of today's shift is left to project")
    shop = build_shop(deliver_events)
    shifts_set(
        warehouse=shop.place.se,
        weekdays=list(range(7)),
        starts=time(0, 0),
        ends=time(23, 59),
        orders_per_hour=500,
    )
    for code in ("sto-1", "sto-2"):
        packing_station_ensure(
            warehouse=shop.place.se, code=code, name=code, printer="dir:prints", labels_per_hour=12
        )
    manager = StaffFactory(role="logistics_manager")
    url = live_server.url

    phone = sign_in(browser, url, manager.email, PHONE)
    phone.goto(f"{url}/staff/fulfilment/")
    phone.locator("section.card").filter(has_text=shop.place.se.name).get_by_role(
        "link", name="Capacity plan: same-day promise and expected orders"
    ).click()
    phone.wait_for_url(f"{url}/staff/fulfilment/warehouses/{shop.place.se.pk}/capacity/")
    phone.get_by_label("Same-day cut-off").fill("23:58")
    phone.get_by_role("button", name="Save the promise").click()
    expect(phone.get_by_text("Orders placed before 23:58 leave the same day.")).to_be_visible()
    assert SameDayCutoff.objects.get().until == time(23, 58)

    phone.get_by_label("Extra orders").fill("1000")
    phone.get_by_label("From").fill(now.strftime("%Y-%m-%dT%H:%M"))
    phone.get_by_label("Until", exact=True).fill((now + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))  # fmt: skip
    phone.get_by_label("Why (campaign, newsletter …)").fill("Campaign: winter boots")
    phone.get_by_role("button", name="Add to the projection").click()
    expect(phone.get_by_text("The forecast is in the projection.")).to_be_visible()
    assert ExpectedOrders.objects.get().orders == 1000
    status = phone.locator("p[role=status]")
    assert "short" in status.inner_text()
    assert "more station-hours of packing" in status.inner_text()
    expect(phone.get_by_role("cell", name="Campaign: winter boots")).to_be_visible()
    # nothing wider than the phone: the table scrolls inside its frame
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "fulfilment-capacity-plan-phone")
    phone.close()

    desk = sign_in(browser, url, manager.email, DESKTOP)
    desk.goto(f"{url}/staff/fulfilment/warehouses/{shop.place.se.pk}/capacity/")
    expect(desk.locator("figure.chart svg")).to_be_visible()
    screenshot(desk, "fulfilment-capacity-plan-desktop")
    desk.close()
