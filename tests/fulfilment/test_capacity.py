"""Packing capacity (F3): the parcels due today against what today's shifts can still pack; an
alert, by email to the logistics managers, before the deadline is missed, and only again when
the shortfall grows."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from storeteam.checkout.services import checkout_place
from storeteam.fulfilment.capacity import capacity_check, capacity_projection, shifts_set
from storeteam.fulfilment.models import CapacityAlert, Shipment
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
