"""The capacity plan of a warehouse in the logistics workspace: the same-day promise and the
forecasts of extra orders change the projection shown; checked input, audited changes, and
roles that may only look cannot change anything."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from storeteam.core.models import AuditEntry
from storeteam.fulfilment.capacity import shifts_set
from storeteam.fulfilment.models import ExpectedOrders, SameDayCutoff
from tests.checkout.fixtures import Shop, build_shop
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(deliver_events: Any) -> Shop:
    shop = build_shop(deliver_events)
    shifts_set(
        warehouse=shop.place.se,
        weekdays=list(range(7)),
        starts=time(0, 0),
        ends=time(23, 59),
        orders_per_hour=10,
    )
    return shop


def client_as(role: str) -> Client:
    client = Client()
    client.force_login(StaffFactory(role=role))
    return client


def local(at: Any) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%dT%H:%M")


def test_the_logistics_manager_sets_the_promise_and_a_campaigns_forecast(shop: Shop) -> None:
    client = client_as("logistics_manager")
    url = f"/staff/fulfilment/warehouses/{shop.place.se.pk}/capacity/"

    page = client.get(url)
    assert page.status_code == 200
    assert "Same-day promise" in page.content.decode()
    assert "<svg" in page.content.decode()

    saved = client.post(url + "cutoff/", {"until": "23:58"})
    assert saved.headers["Location"] == url
    assert SameDayCutoff.objects.get(warehouse=shop.place.se).until == time(23, 58)

    now = timezone.now()
    added = client.post(
        url + "forecasts/",
        {
            "orders": "120",
            "starts_at": local(now - timedelta(minutes=1)),
            "ends_at": local(now + timedelta(hours=2)),
            "source": "Newsletter: winter boots",
        },
    )
    assert added.headers["Location"] == url
    forecast = ExpectedOrders.objects.get()
    assert (forecast.orders, forecast.source) == (120, "Newsletter: winter boots")
    shown = client.get(url).content.decode()
    assert "Newsletter: winter boots" in shown
    assert "orders still to come before the same-day cut-off" in shown  # the projection counts it
    assert set(AuditEntry.objects.values_list("action", flat=True)) >= {
        "fulfilment.same_day_cutoff_set",
        "fulfilment.expected_orders_add",
    }

    removed = client.post(url + f"forecasts/{forecast.pk}/remove/")
    assert removed.headers["Location"] == url
    assert not ExpectedOrders.objects.exists()
    client.post(url + "cutoff/", {"until": ""})
    assert not SameDayCutoff.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"orders": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"orders": "many"}, "Enter a whole number."),
        ({"ends_at": "2026-01-01T08:00"}, "The end must come after the start."),
        ({"starts_at": "yesterday"}, "Enter a valid date/time."),
        ({"source": ""}, "This field is required."),
    ],
)
def test_a_wrong_forecast_is_explained_and_nothing_saved(
    shop: Shop, changes: dict[str, str], message: str
) -> None:
    client = client_as("logistics_manager")
    url = f"/staff/fulfilment/warehouses/{shop.place.se.pk}/capacity/forecasts/"
    form = {
        "orders": "10",
        "starts_at": "2026-01-01T09:00",
        "ends_at": "2026-01-01T12:00",
        "source": "Campaign",
        **changes,
    }

    response = client.post(url, form)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ExpectedOrders.objects.exists()


def test_roles_that_may_only_look_cannot_change_the_plan(shop: Shop) -> None:
    url = f"/staff/fulfilment/warehouses/{shop.place.se.pk}/capacity/"
    looker = client_as("inventory_manager")
    page = looker.get(url)
    assert page.status_code == 200
    assert "Add to the projection" not in page.content.decode()
    assert looker.post(url + "cutoff/", {"until": "15:00"}).status_code == 403
    assert looker.post(url + "forecasts/", {"orders": "5"}).status_code == 403
    assert client_as("marketing_manager").get(url).status_code == 403
    assert not SameDayCutoff.objects.exists()
    assert (
        client_as("logistics_manager")
        .get("/staff/fulfilment/warehouses/999999/capacity/")
        .status_code
        == 404
    )
