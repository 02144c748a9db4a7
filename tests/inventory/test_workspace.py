"""The inventory manager's workspace in the back office: reads, writes through services with
audit, clear errors, and roles that may only look."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from storeteam.core.models import AuditEntry
from storeteam.inventory.models import Stock, StockMovement
from tests.factories import StaffFactory
from tests.inventory.fixtures import Place, build_stock_place, receive


@pytest.fixture
def place(db: Any, deliver_events: Any) -> Place:
    return build_stock_place(deliver_events)


def signed_in(role: str, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.force_login(StaffFactory(role=role))
    return client


def test_the_manager_receives_a_delivery_in_several_lines(place: Place) -> None:
    client = signed_in("inventory_manager")
    response = client.post(
        "/staff/inventory/receive/",
        {
            "warehouse": place.se.pk,
            "reference": "PO-7",
            "lines": "WOOL-JACKET-M 12\nLINEN-SHIRT-S\t3\n",
            "reason": "",
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Received 15 units on 2 lines (PO-7)." in page
    assert sorted(Stock.objects.values_list("variant__sku", "on_hand")) == [
        ("LINEN-SHIRT-S", 3),
        ("WOOL-JACKET-M", 12),
    ]
    entry = AuditEntry.objects.get(action="stock.receive")
    assert entry.after == {"reference": "PO-7", "lines": 2, "units": 15}


def test_a_receipt_with_a_bad_line_says_which_and_writes_nothing(place: Place) -> None:
    client = signed_in("inventory_manager")
    response = client.post(
        "/staff/inventory/receive/",
        {"warehouse": place.se.pk, "lines": "WOOL-JACKET-M 2\nNOPE-1 4\nLINEN-SHIRT-S many"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Line 3 (&quot;LINEN-SHIRT-S many&quot;): write the SKU" in page
    assert "Line 2: there is no product with SKU NOPE-1." in page
    assert StockMovement.objects.count() == 0


def test_an_adjustment_without_a_reason_is_refused_with_a_clear_message(place: Place) -> None:
    receive(place.se, place.variants["WOOL-JACKET-M"], 5)
    client = signed_in("inventory_manager")
    data = {"warehouse": place.se.pk, "sku": "WOOL-JACKET-M", "change": "-2", "reason": ""}
    response = client.post("/staff/inventory/adjust/", data)
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    response = client.post("/staff/inventory/adjust/", {**data, "change": "-9", "reason": "Wet"})
    assert response.status_code == 400
    assert "Only 5 of WOOL-JACKET-M in sto can be taken away" in response.content.decode()
    assert StockMovement.objects.count() == 1  # the receipt only
    response = client.post("/staff/inventory/adjust/", {**data, "reason": "Water damage"})
    assert response.status_code == 302
    assert Stock.objects.get().on_hand == 3
    assert AuditEntry.objects.get(action="stock.adjust").reason == "Water damage"


def test_transfer_and_count_from_the_workspace(place: Place) -> None:
    receive(place.se, place.variants["WOOL-JACKET-M"], 5)
    client = signed_in("inventory_manager")
    same = client.post(
        "/staff/inventory/transfer/",
        {"source": place.se.pk, "destination": place.se.pk, "sku": "WOOL-JACKET-M", "quantity": 1},
    )
    assert same.status_code == 400
    assert "Choose another warehouse" in same.content.decode()
    moved = client.post(
        "/staff/inventory/transfer/",
        {"source": place.se.pk, "destination": place.nl.pk, "sku": "WOOL-JACKET-M", "quantity": 2},
    )
    assert moved.status_code == 302
    counted = client.post(
        "/staff/inventory/count/",
        {"warehouse": place.nl.pk, "sku": "WOOL-JACKET-M", "counted": 1, "reason": "Cycle count"},
    )
    assert counted.status_code == 302
    assert dict(Stock.objects.values_list("warehouse__code", "on_hand")) == {"sto": 3, "tilburg": 1}


def test_a_viewer_sees_stock_but_cannot_change_it(place: Place) -> None:
    receive(place.se, place.variants["WOOL-JACKET-M"], 5)
    row = Stock.objects.get()
    client = signed_in("logistics_manager")
    page = client.get("/staff/inventory/").content.decode()
    assert "WOOL-JACKET-M" in page
    assert 'href="/staff/inventory/receive/"' not in page  # no write tabs for a viewer
    before = (StockMovement.objects.count(), AuditEntry.objects.count())
    for url, data in [
        ("/staff/inventory/receive/", {"warehouse": place.se.pk, "lines": "WOOL-JACKET-M 5"}),
        (
            "/staff/inventory/adjust/",
            {"warehouse": place.se.pk, "sku": "WOOL-JACKET-M", "change": -5, "reason": "x"},
        ),
        (f"/staff/inventory/stock/{row.pk}/levels/", {"safety_stock": 3, "low_stock_threshold": 3}),
    ]:
        assert client.post(url, data).status_code == 403
    assert (StockMovement.objects.count(), AuditEntry.objects.count()) == before
    row.refresh_from_db()
    assert (row.on_hand, row.safety_stock) == (5, 0)


def test_writes_need_the_csrf_token(place: Place) -> None:
    client = signed_in("inventory_manager", enforce_csrf_checks=True)
    response = client.post(
        "/staff/inventory/receive/", {"warehouse": place.se.pk, "lines": "WOOL-JACKET-M 5"}
    )
    assert response.status_code == 403
    assert StockMovement.objects.count() == 0


def test_stock_search_paging_low_list_and_movement_filters(place: Place) -> None:
    for sku, variant_id in place.variants.items():
        receive(place.se, variant_id, 4 if sku.startswith("WOOL") else 1)
    client = signed_in("inventory_manager")
    by_name = client.get("/staff/inventory/", {"q": "wool"}).content.decode()
    assert "WOOL-JACKET-S" in by_name
    assert "LINEN-SHIRT-S" not in by_name
    by_sku = client.get("/staff/inventory/", {"q": "linen-shirt"}).content.decode()
    assert "LINEN-SHIRT-S" in by_sku
    assert "WOOL-JACKET-S" not in by_sku
    assert "6 stock rows" in client.get("/staff/inventory/").content.decode()

    row = Stock.objects.get(variant__sku="LINEN-SHIRT-S")
    response = client.post(
        f"/staff/inventory/stock/{row.pk}/levels/", {"safety_stock": 0, "low_stock_threshold": 2}
    )
    assert response.status_code == 302
    low = client.get("/staff/inventory/low/").content.decode()
    assert "LINEN-SHIRT-S" in low
    assert "WOOL-JACKET-S" not in low
    assert "1 stock row is low" in low
    home = client.get("/staff/").content.decode()
    assert "1 stock row is low" in home

    receipts = client.get("/staff/inventory/movements/", {"kind": "receipt"}).content.decode()
    assert receipts.count('class="state receipt"') == 6
    none_yet = client.get(
        "/staff/inventory/movements/", {"date_from": "2999-01-01"}
    ).content.decode()
    assert "No movements match." in none_yet
    bad_date = client.get("/staff/inventory/movements/", {"date_to": "yesterday"})
    assert bad_date.status_code == 200
    assert "Enter a valid date." in bad_date.content.decode()
    one = client.get("/staff/inventory/movements/", {"sku": "LINEN-SHIRT-S"}).content.decode()
    assert one.count('class="state receipt"') == 1


def test_stock_list_pages(place: Place) -> None:
    from storeteam.backoffice import inventory_views

    for warehouse in (place.se, place.fr, place.nl):
        for variant_id in place.variants.values():
            receive(warehouse, variant_id, 1)
    client = signed_in("inventory_manager")
    old = inventory_views.PAGE_SIZE
    inventory_views.PAGE_SIZE = 10
    try:
        first = client.get("/staff/inventory/").content.decode()
        second = client.get("/staff/inventory/", {"page": 2}).content.decode()
    finally:
        inventory_views.PAGE_SIZE = old
    assert "Page 1 of 2" in first
    assert "Page 2 of 2" in second
    assert first.count("inventory/stock/") == 10
    assert second.count("inventory/stock/") == 8
