"""Packing capacity (F3): the parcels due today against what today's shifts can still pack; an
alert, by email to the logistics managers, before the deadline is missed, and only again when
the shortfall grows."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from storeteam.checkout.services import checkout_place
from storeteam.fulfilment.capacity import capacity_check, capacity_projection, shifts_set
from storeteam.fulfilment.models import (
    CapacityAlert,
    ExpectedOrders,
    SameDayCutoff,
    Shift,
    Shipment,
)
from tests.checkout.fixtures import build_shop, cart_with, details

pytestmark = pytest.mark.django_db


def three_pm_today() -> datetime:
    today = timezone.localtime().date()
    return datetime.combine(today, time(15, 0), tzinfo=timezone.get_current_timezone())


def orders(shop: Any, count: int, deliver_events: Any) -> None:
    for _ in range(count):
        cart = cart_with(shop, {"LINEN-SHIRT-S": 1})
        checkout_place(cart=cart, key=cart.checkout_key, details=details(), language="sv")
    deliver_events()


def test_a_shortfall_is_projected_and_the_logistics_manager_told_once(
    deliver_events: Any, staff_factory: Any
) -> None:
    shop = build_shop(deliver_events, stock=50)
    manager = staff_factory(role="logistics_manager", language="sv")
    staff_factory(role="marketing_manager")
    now = three_pm_today()
    shifts_set(
        warehouse=shop.place.se,
        weekdays=list(range(7)),
        starts=time(8, 0),
        ends=time(17, 0),
        orders_per_hour=2,
    )
    orders(shop, 10, deliver_events)
    parcels = Shipment.objects.filter(warehouse=shop.place.se)
    parcels.update(created_at=now - timedelta(minutes=30))
    due_ids = list(parcels.values_list("pk", flat=True)[:7])
    parcels.filter(pk__in=due_ids).update(ship_by=now + timedelta(hours=1))

    projection = capacity_projection(warehouse=shop.place.se, now=now)

    assert (projection.backlog, projection.due_today, projection.capacity_left) == (10, 7, 4)
    assert projection.shortfall == 3
    assert projection.order_rate_per_hour == 10
    assert [p.due_left for p in projection.points] == [7, 5, 3]
    mail.outbox.clear()

    first = capacity_check(now=now)
    again = capacity_check(now=now + timedelta(minutes=5))  # nothing new to say

    assert len(first) == 1
    assert again == []
    assert [m.to for m in mail.outbox] == [[manager.email]]
    assert "3" in mail.outbox[0].subject
    assert "Stockholm" in mail.outbox[0].subject
    assert CapacityAlert.objects.get().shortfall == 3

    parcels.update(ship_by=now + timedelta(hours=1))  # the whole backlog is due today now
    grown = capacity_check(now=now + timedelta(minutes=6))
    assert len(grown) == 1
    assert CapacityAlert.objects.get().shortfall == 6
    assert len(mail.outbox) == 2


def test_no_alert_when_the_shifts_can_pack_it(deliver_events: Any) -> None:
    shop = build_shop(deliver_events)
    now = three_pm_today()
    shifts_set(
        warehouse=shop.place.se,
        weekdays=list(range(7)),
        starts=time(8, 0),
        ends=time(17, 0),
        orders_per_hour=60,
    )
    orders(shop, 3, deliver_events)
    Shipment.objects.update(ship_by=now + timedelta(hours=1))

    assert capacity_projection(warehouse=shop.place.se, now=now).shortfall == 0
    assert capacity_check(now=now) == []


def test_the_overview_shows_the_projection_as_a_chart(
    deliver_events: Any, staff_factory: Any
) -> None:
    from django.test import Client

    shop = build_shop(deliver_events)
    shifts_set(
        warehouse=shop.place.se,
        weekdays=list(range(7)),
        starts=time(0, 0),
        ends=time(23, 59),
        orders_per_hour=1,
    )
    orders(shop, 2, deliver_events)
    client = Client()
    client.force_login(staff_factory(role="logistics_manager"))

    page = client.get("/staff/fulfilment/").content.decode()

    assert "<svg" in page
    assert "parcels due by" in page
    assert "New orders: about 2 an hour." in page


def at_today(hour: int, minute: int = 0) -> datetime:
    today = timezone.localtime().date()
    return datetime.combine(today, time(hour, minute), tzinfo=timezone.get_current_timezone())


def test_the_label_printer_that_cannot_keep_up(
    deliver_events: Any, staff_factory: Any, handlers: Any
) -> None:
    """Scenario 3 of the playbook, at a tenth of its size: two packing stations printing 12
    labels an hour each, a shift ending at 17:00, 15 open parcels due today; a campaign is
    forecast to bring 40 more orders before the 16:30 same-day cut-off. At 16:00 the logistics
    manager is told, before the campaign starts, that about 31 will miss today's dispatch and
    that it needs 2.6 more station-hours (310 and 2.6 at full size)."""
    from storeteam.fulfilment.capacity import expected_orders_add, same_day_cutoff_set
    from storeteam.fulfilment.events import CapacityShortfallProjected
    from storeteam.fulfilment.printing import packing_station_ensure

    heard: list[CapacityShortfallProjected] = []
    handlers(CapacityShortfallProjected, name="test.customer_service_told")(
        lambda event, envelope: heard.append(event)
    )
    shop = build_shop(deliver_events, stock=50)
    warehouse = shop.place.se
    manager = staff_factory(role="logistics_manager", language="en")
    now = at_today(16, 0)
    # the packers could do 500 an hour: the printers are what cannot keep up
    shifts_set(
        warehouse=warehouse,
        weekdays=list(range(7)),
        starts=time(8, 0),
        ends=time(17, 0),
        orders_per_hour=500,
    )
    for code in ("pack-1", "pack-2"):
        packing_station_ensure(
            warehouse=warehouse, code=code, name=code, printer="dir:labels", labels_per_hour=12
        )
    orders(shop, 15, deliver_events)
    Shipment.objects.filter(warehouse=warehouse).update(
        ship_by=now + timedelta(minutes=30), created_at=now - timedelta(hours=3)
    )
    same_day_cutoff_set(warehouse=warehouse, until=time(16, 30), actor=manager)
    expected_orders_add(
        warehouse=warehouse,
        orders=40,
        starts_at=now,
        ends_at=now + timedelta(minutes=30),
        source="Campaign: winter sale",
        actor=manager,
    )

    projection = capacity_projection(warehouse=warehouse, now=now)

    assert (projection.due_today, projection.expected_today, projection.demand) == (15, 40, 55)
    assert projection.capacity_left == 24  # one hour of two stations at 12 labels an hour
    assert projection.shortfall == 31
    assert projection.station_hours_needed == Decimal("2.6")
    assert [p.due_left for p in projection.points] == [15, 31]
    mail.outbox.clear()

    assert len(capacity_check(now=now)) == 1

    assert [m.to for m in mail.outbox] == [[manager.email]]
    body = mail.outbox[0].body
    assert "55 parcels due by 17:00" in body
    assert "about 40 are orders still to come before the same-day cut-off at 16:30" in body
    assert "About 31 orders will miss today's dispatch: it needs 2.6 more station-hours" in body
    deliver_events()
    assert [(e.due, e.expected, e.shortfall, e.station_hours_needed) for e in heard] == [
        (55, 40, 31, Decimal("2.6"))
    ]


def test_orders_before_the_same_day_cut_off_leave_the_same_day(deliver_events: Any) -> None:
    from storeteam.fulfilment.capacity import same_day_cutoff_set, ship_by_for

    shop = build_shop(deliver_events)
    warehouse = shop.place.se
    weekday = timezone.localtime(at_today(12)).weekday()
    shifts_set(
        warehouse=warehouse, weekdays=[weekday], starts=time(8, 0), ends=time(17, 0),
        orders_per_hour=50,
    )  # fmt: skip

    # no promise: a day to leave
    assert ship_by_for(warehouse_id=warehouse.pk, placed_at=at_today(14)) == at_today(14) + (
        timedelta(hours=24)
    )
    same_day_cutoff_set(warehouse=warehouse, until=time(15, 0), actor=None)
    assert ship_by_for(warehouse_id=warehouse.pk, placed_at=at_today(14)) == at_today(17)
    assert ship_by_for(warehouse_id=warehouse.pk, placed_at=at_today(15, 30)) == at_today(
        15, 30
    ) + timedelta(hours=24)
    # a day without a shift keeps no same-day promise
    Shift.objects.filter(warehouse=warehouse).delete()
    assert ship_by_for(warehouse_id=warehouse.pk, placed_at=at_today(9)) == at_today(9) + timedelta(
        hours=24
    )
    same_day_cutoff_set(warehouse=warehouse, until=None, actor=None)
    assert not SameDayCutoff.objects.exists()


def test_a_forecast_is_checked_before_it_is_saved(deliver_events: Any) -> None:
    from storeteam.fulfilment.capacity import CapacityInputError, expected_orders_add

    shop = build_shop(deliver_events)
    now = timezone.now()
    good = {
        "warehouse": shop.place.se,
        "orders": 10,
        "starts_at": now,
        "ends_at": now + timedelta(hours=1),
        "source": "Campaign",
        "actor": None,
    }
    for wrong, message in (
        ({"orders": 0}, "Expect from 1 to"),
        ({"ends_at": now}, "The end must come after the start."),
        ({"source": "  "}, "Say where the orders come from"),
    ):
        with pytest.raises(CapacityInputError) as refused:
            expected_orders_add(**{**good, **wrong})
        assert message in refused.value.message
    assert not ExpectedOrders.objects.exists()
    expected_orders_add(**good)
    assert ExpectedOrders.objects.count() == 1
