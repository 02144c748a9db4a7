"""The logistics manager's set-up screens under /staff/fulfilment/: packing stations, packing
shifts (which feed the capacity projection) and the external warehouse systems' links. Forms
refuse bad input with the reason on the field and write nothing; every change is audited; roles
that may only look see the pages but get 403 for changes, which change nothing."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from storeteam.core.models import AuditEntry
from storeteam.fulfilment.capacity import capacity_projection, shifts_of_day
from storeteam.fulfilment.link import warehouse_link_set
from storeteam.fulfilment.models import PackingStation, Shift, WarehouseLink
from storeteam.fulfilment.printing import packing_station_ensure, print_enqueue
from tests.checkout.fixtures import Shop, build_shop
from tests.factories import StaffFactory
from tests.fulfilment.fixtures import shipped_parcel
from tests.fulfilment.warehouse_system import SECRET, buy

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(deliver_events: Any) -> Shop:
    return build_shop(deliver_events)


def client_as(role: str) -> Client:
    client = Client()
    client.force_login(StaffFactory(role=role))
    return client


def page(response: Any) -> str:
    return str(response.content.decode())


SETUP_ACTIONS = ("packing_station.", "shift.", "warehouse_link.")
DASH = "\u2013"  # between a shift's start and end


def actions() -> list[str]:
    """The set-up changes in the audit log, oldest first (building the shop audits receipts)."""
    return [
        action
        for action in AuditEntry.objects.order_by("id").values_list("action", flat=True)
        if action.startswith(SETUP_ACTIONS)
    ]


# Packing stations ----------------------------------------------------------------------------


def station_form(shop: Shop, **changes: Any) -> dict[str, Any]:
    return {
        "code": "sto-3",
        "name": "Stockholm packing 3",
        "warehouse": shop.place.se.pk,
        "printer": "tcp://10.0.4.31:9100",
        "label_format": "pdf",
        "labels_per_hour": "90",
        "prints_packing_slips": "on",
        "is_active": "on",
        **changes,
    }


def test_the_logistics_manager_adds_a_packing_station(shop: Shop) -> None:
    client = client_as("logistics_manager")
    assert "New packing station" in page(client.get("/staff/fulfilment/stations/"))
    form = page(client.get("/staff/fulfilment/stations/new/"))
    assert 'name="csrfmiddlewaretoken"' in form

    response = client.post("/staff/fulfilment/stations/new/", station_form(shop))

    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/fulfilment/stations/"
    station = PackingStation.objects.get(code="sto-3")
    assert (
        station.warehouse_id,
        station.printer,
        station.label_format,
        station.labels_per_hour,
        station.prints_packing_slips,
        station.is_active,
    ) == (shop.place.se.pk, "tcp://10.0.4.31:9100", "pdf", 90, True, True)
    listing = page(client.get("/staff/fulfilment/stations/"))
    assert "Packing station Stockholm packing 3 is set up: 90 labels an hour." in listing
    assert "tcp://10.0.4.31:9100" in listing
    [entry] = AuditEntry.objects.filter(action="packing_station.create")
    assert entry.after is not None
    assert entry.after["labels_per_hour"] == 90
    assert entry.after["warehouse"] == shop.place.se.code


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"printer": "lpt1"}, "printer", "A printer address is tcp://host:9100"),
        ({"printer": "tcp://printer"}, "printer", "A printer address is tcp://host:9100"),
        ({"labels_per_hour": "0"}, "labels_per_hour", "greater than or equal to 1"),
        ({"labels_per_hour": "many"}, "labels_per_hour", "Enter a whole number."),
        ({"name": ""}, "name", "This field is required."),
        ({"label_format": "epl"}, "label_format", "Select a valid choice."),
        ({"code": "Sto 3!"}, "code", "Enter a valid"),
        ({"code": "sto-1"}, "code", "There is already a station sto-1."),
    ],
)
def test_a_bad_station_is_refused_with_the_reason_and_nothing_written(
    shop: Shop, tmp_path: Path, changes: dict[str, str], field: str, message: str
) -> None:
    packing_station_ensure(
        warehouse=shop.place.se, code="sto-1", name="Stockholm 1", printer=f"dir:{tmp_path}"
    )
    client = client_as("logistics_manager")

    response = client.post("/staff/fulfilment/stations/new/", station_form(shop, **changes))

    assert response.status_code == 400
    assert message in response.context["form"].errors[field][0]
    assert message in page(response)
    assert list(PackingStation.objects.values_list("code", flat=True)) == ["sto-1"]
    assert not AuditEntry.objects.filter(action="packing_station.create").exists()


def test_editing_a_station_is_audited_and_taking_it_out_of_use_warns_of_its_queue(
    shop: Shop, deliver_events: Any, tmp_path: Path
) -> None:
    station = packing_station_ensure(
        warehouse=shop.place.se, code="sto-1", name="Stockholm 1", printer=f"dir:{tmp_path}"
    )
    parcel = shipped_parcel(shop, deliver_events, tracking="PN1SE")
    print_enqueue(shipment_id=parcel.pk, station_id=station.pk)
    client = client_as("logistics_manager")
    url = f"/staff/fulfilment/stations/{station.pk}/edit/"
    assert 'value="Stockholm 1"' in page(client.get(url))
    unchanged = {
        "name": "Stockholm 1",
        "warehouse": shop.place.se.pk,
        "printer": f"dir:{tmp_path}",
        "label_format": "zpl",
        "labels_per_hour": "120",
        "prints_packing_slips": "on",
        "is_active": "on",
    }

    assert client.post(url, unchanged).status_code == 302
    assert actions() == []  # nothing changed, nothing audited
    response = client.post(url, {**unchanged, "labels_per_hour": "60", "is_active": ""})

    assert response.status_code == 302
    station.refresh_from_db()
    assert (station.labels_per_hour, station.is_active) == (60, False)
    [entry] = AuditEntry.objects.filter(action="packing_station.update")
    assert entry.changes() == [("is_active", True, False), ("labels_per_hour", 120, 60)]
    listing = page(client.get("/staff/fulfilment/stations/"))
    assert "2 documents wait in its queue" in listing
    assert "Not in use" in listing


def test_roles_that_only_look_cannot_set_up_stations(shop: Shop, tmp_path: Path) -> None:
    station = packing_station_ensure(
        warehouse=shop.place.se, code="sto-1", name="Stockholm 1", printer=f"dir:{tmp_path}"
    )
    client = client_as("inventory_manager")  # sees the warehouses' work, changes no set-up

    listing = page(client.get("/staff/fulfilment/stations/"))
    assert "Stockholm 1" in listing
    assert "New packing station" not in listing
    assert client.get("/staff/fulfilment/stations/new/").status_code == 403
    assert client.post("/staff/fulfilment/stations/new/", station_form(shop)).status_code == 403
    edit = f"/staff/fulfilment/stations/{station.pk}/edit/"
    assert client.post(edit, station_form(shop, name="Renamed")).status_code == 403
    assert list(PackingStation.objects.values_list("name", flat=True)) == ["Stockholm 1"]
    assert client_as("marketing_manager").get("/staff/fulfilment/stations/").status_code == 403
    assert actions() == []


def test_the_forms_are_protected_by_csrf(shop: Shop) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(StaffFactory(role="logistics_manager"))

    response = client.post("/staff/fulfilment/stations/new/", station_form(shop))

    assert response.status_code == 403
    assert not PackingStation.objects.exists()


# Packing shifts ------------------------------------------------------------------------------


def shift_form(shop: Shop, **changes: Any) -> dict[str, Any]:
    return {
        "warehouse": shop.place.se.pk,
        "weekdays": ["0", "1", "2", "3", "4"],
        "date": "",
        "starts_at": "08:00",
        "ends_at": "16:00",
        "orders_per_hour": "60",
        **changes,
    }


def next_weekday(weekday: int) -> date:
    today = timezone.localdate()
    return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)


def test_shifts_are_added_for_weekdays_and_feed_the_capacity_projection(shop: Shop) -> None:
    client = client_as("logistics_manager")

    response = client.post("/staff/fulfilment/shifts/new/", shift_form(shop))

    assert response.status_code == 302
    assert response.headers["Location"] == f"/staff/fulfilment/shifts/#warehouse-{shop.place.se.pk}"
    assert sorted(Shift.objects.values_list("weekday", flat=True)) == [0, 1, 2, 3, 4]
    assert actions() == ["shift.add"] * 5
    listing = page(client.get("/staff/fulfilment/shifts/"))
    assert "Added 5 shifts to Stockholm." in listing
    assert f"08:00{DASH}16:00" in listing
    stockholm = listing.split(f'id="warehouse-{shop.place.se.pk}"')[1].split("</section>")[0]
    assert stockholm.count('class="num">480</td>') == 5  # 8 hours at 60 an hour, Monday-Friday
    assert stockholm.count('class="num">0</td>') == 2  # no packing at the weekend
    monday = next_weekday(0)
    zone = timezone.get_current_timezone()
    projection = capacity_projection(
        warehouse=shop.place.se, now=datetime.combine(monday, time(12, 0), tzinfo=zone)
    )
    assert projection.capacity_left == 240  # four hours left of the shift at 60 an hour


def test_a_shift_on_a_date_replaces_that_weekdays_shifts(shop: Shop) -> None:
    client = client_as("logistics_manager")
    client.post("/staff/fulfilment/shifts/new/", shift_form(shop))
    friday = next_weekday(4)

    response = client.post(
        "/staff/fulfilment/shifts/new/",
        shift_form(shop, weekdays=[], date=friday.isoformat(), starts_at="06:00", ends_at="22:00"),
    )

    assert response.status_code == 302
    [dated] = shifts_of_day(shop.place.se, friday)
    assert (dated.date, dated.starts_at, dated.ends_at) == (friday, time(6), time(22))
    assert [s.weekday for s in shifts_of_day(shop.place.se, friday + timedelta(days=7))] == [4]
    listing = page(client.get("/staff/fulfilment/shifts/"))
    assert "On particular dates" in listing
    assert f"06:00{DASH}22:00" in listing


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"starts_at": "16:00", "ends_at": "08:00"},
            "ends_at",
            "The shift must end after it starts.",
        ),
        ({"starts_at": "09:00", "ends_at": "09:00"}, "ends_at", "The shift must end after"),
        ({"weekdays": []}, "weekdays", "Choose at least one weekday, or a date."),
        ({"date": "2031-05-02"}, "date", "Choose the weekdays or a date, not both."),
        ({"weekdays": [], "date": "2001-05-02"}, "date", "The date has passed"),
        ({"orders_per_hour": "0"}, "orders_per_hour", "greater than or equal to 1"),
        ({"orders_per_hour": "10001"}, "orders_per_hour", "less than or equal to 10000"),
        ({"starts_at": "25:00"}, "starts_at", "Enter a valid time."),
        ({"weekdays": ["7"]}, "weekdays", "Select a valid choice."),
        (
            {"weekdays": ["2"], "starts_at": "15:00", "ends_at": "20:00"},
            "starts_at",
            "It overlaps the shift on Wednesday from 07:00 to 15:30.",
        ),
    ],
)
def test_a_bad_shift_is_refused_with_the_reason_and_nothing_written(
    shop: Shop, changes: dict[str, Any], field: str, message: str
) -> None:
    client = client_as("logistics_manager")
    client.post(
        "/staff/fulfilment/shifts/new/",
        shift_form(shop, weekdays=["2"], starts_at="07:00", ends_at="15:30"),
    )

    response = client.post("/staff/fulfilment/shifts/new/", shift_form(shop, **changes))

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert Shift.objects.count() == 1  # only the first one
    assert actions() == ["shift.add"]


def test_a_shift_is_changed_and_deleted_with_its_checks_and_audit(shop: Shop) -> None:
    client = client_as("logistics_manager")
    client.post("/staff/fulfilment/shifts/new/", shift_form(shop, weekdays=["0"]))
    client.post(
        "/staff/fulfilment/shifts/new/",
        shift_form(shop, weekdays=["0"], starts_at="16:00", ends_at="22:00", orders_per_hour="40"),
    )
    early, late = Shift.objects.order_by("starts_at")
    url = f"/staff/fulfilment/shifts/{early.pk}/"
    assert 'value="08:00"' in page(client.get(url))

    clash = client.post(
        url, {"weekday": "0", "starts_at": "08:00", "ends_at": "17:00", "orders_per_hour": "60"}
    )
    moved = client.post(
        url, {"weekday": "1", "starts_at": "07:00", "ends_at": "15:00", "orders_per_hour": "55"}
    )

    assert clash.status_code == 400
    assert "It overlaps the shift on Monday from 16:00 to 22:00." in page(clash)
    assert moved.status_code == 302
    early.refresh_from_db()
    assert (early.weekday, early.starts_at, early.orders_per_hour) == (1, time(7), 55)
    [change] = AuditEntry.objects.filter(action="shift.change")
    assert change.changes() == [
        ("day", "Monday", "Tuesday"),
        ("ends", "16:00", "15:00"),
        ("orders_per_hour", 60, 55),
        ("starts", "08:00", "07:00"),
    ]

    response = client.post(f"/staff/fulfilment/shifts/{late.pk}/delete/")

    assert response.status_code == 302
    assert list(Shift.objects.values_list("pk", flat=True)) == [early.pk]
    [deleted] = AuditEntry.objects.filter(action="shift.delete")
    assert deleted.before == {
        "warehouse": shop.place.se.code,
        "day": "Monday",
        "starts": "16:00",
        "ends": "22:00",
        "orders_per_hour": 40,
    }
    assert client.get(f"/staff/fulfilment/shifts/{late.pk}/").status_code == 404


def test_a_weekly_shift_moves_to_one_date(shop: Shop) -> None:
    client = client_as("logistics_manager")
    client.post("/staff/fulfilment/shifts/new/", shift_form(shop, weekdays=["4"]))
    shift = Shift.objects.get()
    friday = next_weekday(4)
    url = f"/staff/fulfilment/shifts/{shift.pk}/"
    times = {"starts_at": "10:00", "ends_at": "18:00", "orders_per_hour": "80"}

    both = client.post(url, {"weekday": "4", "date": friday.isoformat(), **times})
    neither = client.post(url, {"weekday": "", "date": "", **times})
    moved = client.post(url, {"weekday": "", "date": friday.isoformat(), **times})

    assert "Choose a weekday or a date, not both." in page(both)
    assert "Choose a weekday, or a date." in page(neither)
    assert moved.status_code == 302
    shift.refresh_from_db()
    assert (shift.weekday, shift.date, shift.starts_at) == (None, friday, time(10))
    assert shifts_of_day(shop.place.se, friday) == [shift]
    assert shifts_of_day(shop.place.se, friday + timedelta(days=7)) == []
    [change] = AuditEntry.objects.filter(action="shift.change")
    assert change.changes()[0] == ("day", "Friday", friday.isoformat())


def test_roles_that_only_look_cannot_change_shifts(shop: Shop) -> None:
    manager = client_as("logistics_manager")
    manager.post("/staff/fulfilment/shifts/new/", shift_form(shop, weekdays=["0"]))
    shift = Shift.objects.get()
    looker = client_as("head_of_digital")

    listing = page(looker.get("/staff/fulfilment/shifts/"))
    assert f"08:00{DASH}16:00" in listing
    assert "New packing shift" not in listing
    assert f"/staff/fulfilment/shifts/{shift.pk}/" not in listing
    assert looker.post("/staff/fulfilment/shifts/new/", shift_form(shop)).status_code == 403
    assert looker.post(f"/staff/fulfilment/shifts/{shift.pk}/delete/").status_code == 403
    assert looker.get(f"/staff/fulfilment/shifts/{shift.pk}/").status_code == 403
    assert list(Shift.objects.values_list("pk", flat=True)) == [shift.pk]
    assert actions() == ["shift.add"]


# Warehouse system links ----------------------------------------------------------------------

NEW_SECRET = "rotated-secret-for-tilburg-2027"


def test_connecting_a_warehouse_system_validates_and_never_shows_the_secret(shop: Shop) -> None:
    client = client_as("logistics_manager")
    settings_url = f"/staff/fulfilment/links/{shop.place.nl.pk}/settings/"
    listing = page(client.get("/staff/fulfilment/links/"))
    assert "Packed in the store" in listing
    assert settings_url in listing
    # an unconnected warehouse's page leads the manager to connect it
    assert client.get(f"/staff/fulfilment/links/{shop.place.nl.pk}/").headers["Location"] == (
        settings_url
    )

    missing = client.post(settings_url, {"endpoint": "https://wms.example/orders", "secret": ""})
    short = client.post(settings_url, {"endpoint": "https://wms.example/orders", "secret": "x" * 8})
    spaced = client.post(
        settings_url, {"endpoint": "https://wms.example/orders", "secret": "a secret with spaces"}
    )
    bad_address = client.post(settings_url, {"endpoint": "ftp://wms.example", "secret": SECRET})
    no_host = client.post(settings_url, {"endpoint": "https://", "secret": SECRET})

    assert [r.status_code for r in (missing, short, spaced, bad_address, no_host)] == [400] * 5
    assert "Enter the shared secret agreed with the warehouse system." in page(missing)
    assert "The shared secret must be at least 16 characters." in page(short)
    assert "The shared secret cannot contain spaces." in page(spaced)
    assert "must start with http:// or https://" in page(bad_address)
    assert "Enter the warehouse system&#x27;s full address (URL)." in page(no_host)
    assert SECRET not in page(bad_address)  # a refused form does not echo the secret either
    assert not WarehouseLink.objects.exists()

    response = client.post(
        settings_url, {"endpoint": "https://wms.example/orders", "secret": SECRET}
    )

    assert response.headers["Location"] == f"/staff/fulfilment/links/{shop.place.nl.pk}/"
    link = WarehouseLink.objects.get()
    assert (link.endpoint, link.secret) == ("https://wms.example/orders", SECRET)
    shown = page(client.get(response.headers["Location"]))
    assert "is connected to its warehouse system" in shown
    assert "https://wms.example/orders" in shown
    assert "never shown" in shown
    assert SECRET not in shown
    assert SECRET not in page(client.get(settings_url))
    assert actions() == ["warehouse_link.connect"]


def test_the_address_and_secret_change_with_an_audit_that_holds_no_secret(shop: Shop) -> None:
    link = warehouse_link_set(
        warehouse=shop.place.nl, endpoint="https://wms.example/orders", secret=SECRET
    )
    client = client_as("logistics_manager")
    settings_url = f"/staff/fulfilment/links/{shop.place.nl.pk}/settings/"

    client.post(settings_url, {"endpoint": "https://wms2.example/orders", "secret": ""})
    link.refresh_from_db()
    assert (link.endpoint, link.secret, link.previous_secret) == (
        "https://wms2.example/orders",
        SECRET,
        "",
    )
    client.post(settings_url, {"endpoint": "https://wms2.example/orders", "secret": NEW_SECRET})

    link.refresh_from_db()
    assert (link.secret, link.previous_secret) == (NEW_SECRET, SECRET)
    assert actions() == [
        "warehouse_link.connect",  # set up by a script, as "system"
        "warehouse_link.endpoint",
        "warehouse_link.secret",
    ]
    for entry in AuditEntry.objects.filter(action__startswith="warehouse_link."):
        assert SECRET not in str(entry.before) + str(entry.after)
        assert NEW_SECRET not in str(entry.before) + str(entry.after)
    head = client_as("head_of_digital")
    audit = page(head.get("/staff/audit/", {"action": "warehouse_link"}))
    assert "<code>warehouse_link.secret</code>" in audit
    assert "https://wms2.example/orders" in audit
    assert NEW_SECRET not in audit


def test_the_link_page_shows_the_queue_and_pause_resume_and_retry_are_audited(
    shop: Shop, deliver_events: Any
) -> None:
    link = warehouse_link_set(
        warehouse=shop.place.nl, endpoint="http://127.0.0.1:9/orders", secret=SECRET
    )
    orders = [buy(shop, deliver_events) for _ in range(2)]
    client = client_as("logistics_manager")
    url = f"/staff/fulfilment/links/{shop.place.nl.pk}/"

    shown = page(client.get(url))
    for order in orders:
        assert f">{order.number}</a>" in shown
    assert shown.count(">Order</span>") == 2
    assert "After the one before" in shown
    assert "Retry now" in shown

    client.post(url + "pause/", {"reason": "Stocktaking until noon"})
    link.refresh_from_db()
    assert link.is_paused
    paused = page(client.get(url))
    assert "Resume sending" in paused
    assert "Paused: nothing is sent" in paused
    refused = client.post(url + "retry/")
    assert refused.status_code == 302
    assert "The link is paused: resume it to send the waiting messages." in page(client.get(url))

    client.post(url + "resume/")
    link.refresh_from_db()
    assert not link.is_paused
    WarehouseLink.objects.filter(pk=link.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=4)
    )
    client.post(url + "retry/")
    link.refresh_from_db()
    assert link.next_attempt_at is None

    assert actions() == [
        "warehouse_link.connect",
        "warehouse_link.pause",
        "warehouse_link.resume",
        "warehouse_link.retry",
    ]
    pause = AuditEntry.objects.get(action="warehouse_link.pause")
    assert (pause.reason, pause.target_label) == (
        "Stocktaking until noon",
        f"warehouse system of {shop.place.nl.code}",
    )


def test_roles_that_only_look_see_the_link_but_cannot_touch_it(
    shop: Shop, deliver_events: Any
) -> None:
    link = warehouse_link_set(
        warehouse=shop.place.nl, endpoint="https://wms.example/orders", secret=SECRET
    )
    client = client_as("inventory_manager")
    url = f"/staff/fulfilment/links/{shop.place.nl.pk}/"

    shown = page(client.get(url))
    assert "https://wms.example/orders" in shown
    assert "Pause sending" not in shown
    assert "settings/" not in shown
    for action in ("pause/", "resume/", "retry/", "settings/"):
        assert client.post(url + action, {"endpoint": "https://evil.example"}).status_code == 403
    link.refresh_from_db()
    assert (link.is_paused, link.endpoint) == (False, "https://wms.example/orders")
    assert client.get(f"/staff/fulfilment/links/{shop.place.se.pk}/").status_code == 404
    assert actions() == ["warehouse_link.connect"]  # only the set-up before


def test_the_set_up_screens_are_in_the_navigation_of_those_who_may_open_them() -> None:
    logistics = page(client_as("logistics_manager").get("/staff/"))
    finance = page(client_as("finance").get("/staff/"))
    for url in (
        "/staff/fulfilment/stations/",
        "/staff/fulfilment/shifts/",
        "/staff/fulfilment/links/",
    ):
        assert f'href="{url}"' in logistics
        assert f'href="{url}"' not in finance


@pytest.mark.parametrize(
    ("language", "title", "refusal"),
    [
        ("sv", "Packskift", "Skiftet måste sluta efter att det börjar."),
        ("fr", "Créneaux d\u2019emballage", "Le créneau doit finir après son début."),
        ("nl", "Inpakdiensten", "De dienst moet eindigen nadat hij begint."),
    ],
)
def test_the_set_up_screens_speak_the_staff_members_language(
    shop: Shop, language: str, title: str, refusal: str
) -> None:
    client = client_as("logistics_manager")
    headers = {"Accept-Language": language}

    listing = page(client.get("/staff/fulfilment/shifts/", headers=headers))
    refused = client.post(
        "/staff/fulfilment/shifts/new/",
        shift_form(shop, starts_at="16:00", ends_at="08:00"),
        headers=headers,
    )

    assert f"<h1>{title}</h1>" in listing
    assert refused.status_code == 400
    assert refusal in page(refused)
