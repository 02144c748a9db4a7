"""The logistics workspace at /staff/fulfilment/ through Django's test client: open work, pick
list, packing by scans (wrong item refused in red), split, ship, the print queue and a person's
decision on an uncertain label; read-only roles see it but change nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from storeteam.core.models import AuditEntry
from storeteam.fulfilment.models import PickList, PrintJob, PrintStatus, Shipment, ShipmentStatus
from storeteam.fulfilment.printing import packing_station_ensure, print_queue_run
from tests.checkout.fixtures import Shop, build_shop
from tests.factories import StaffFactory
from tests.fulfilment.fixtures import order_of

pytestmark = pytest.mark.django_db

JACKET = "WOOL-JACKET-M"
SHIRT = "LINEN-SHIRT-S"


@pytest.fixture
def shop(deliver_events: Any) -> Shop:
    return build_shop(deliver_events)


def client_as(role: str) -> Client:
    client = Client()
    client.force_login(StaffFactory(role=role))
    return client


def test_the_logistics_manager_picks_packs_ships_and_prints(
    shop: Shop, deliver_events: Any, tmp_path: Path
) -> None:
    station = packing_station_ensure(
        warehouse=shop.place.se, code="sto-1", name="Stockholm 1", printer=f"dir:{tmp_path}"
    )
    order = order_of(shop, {JACKET: 1, SHIRT: 2}, deliver_events)
    shipment = Shipment.objects.get(order=order)
    client = client_as("logistics_manager")

    overview = client.get("/staff/fulfilment/").content.decode()
    assert "Stockholm" in overview
    assert "Stockholm 1" in overview  # its print queue

    work = client.get(f"/staff/fulfilment/warehouses/{shop.place.se.pk}/").content.decode()
    assert shipment.label in work

    response = client.post(f"/staff/fulfilment/warehouses/{shop.place.se.pk}/pick-lists/")
    pick_list = PickList.objects.get()
    assert response.headers["Location"] == f"/staff/fulfilment/pick-lists/{pick_list.pk}/"
    page = client.get(response.headers["Location"]).content.decode()
    assert SHIRT in page
    assert shipment.label in page

    packing_url = f"/staff/fulfilment/shipments/{shipment.pk}/"
    response = client.post(packing_url + "pack/", {"code": "RAIN-JACKET-M"})
    assert response.status_code == 302
    page = client.get(packing_url).content.decode()
    assert 'class="feedback wrong" role="alert"' in page
    assert (
        "RAIN-JACKET-M is not in this parcel. It still needs: LINEN-SHIRT-S (2), WOOL-JACKET-M (1)."
        in page
    )
    assert "feedback" not in client.get(packing_url).content.decode()  # shown once

    for code in (JACKET.lower(), SHIRT, SHIRT):
        client.post(packing_url + "pack/", {"code": code})
    page = client.get(packing_url).content.decode()
    assert "The parcel is complete: ship it." in page
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.PACKED

    response = client.post(
        packing_url + "ship/",
        {"carrier": "postnord", "service": "parcel", "tracking_number": "", "station": station.pk},
    )
    assert response.status_code == 400  # no tracking number: nothing shipped
    assert Shipment.objects.get(pk=shipment.pk).status == ShipmentStatus.PACKED

    response = client.post(
        packing_url + "ship/",
        {
            "carrier": "postnord",
            "service": "parcel",
            "tracking_number": "PN123456789SE",
            "station": station.pk,
        },
    )
    assert response.status_code == 302
    shipment.refresh_from_db()
    assert (shipment.status, shipment.tracking_number) == (ShipmentStatus.SHIPPED, "PN123456789SE")
    assert sorted(PrintJob.objects.values_list("kind", flat=True)) == ["label_zpl", "slip_pdf"]
    assert client.session["fulfilment_station"] == station.pk

    queue = client.get(f"/staff/fulfilment/stations/{station.pk}/").content.decode()
    assert shipment.label in queue
    assert "Shipping label (ZPL)" in queue

    # the printer hesitated over the label; the packer saw it come out
    print_queue_run(station_id=station.pk)
    label = PrintJob.objects.get(kind="label_zpl")
    PrintJob.objects.filter(pk=label.pk).update(status=PrintStatus.UNCERTAIN)
    queue = client.get(f"/staff/fulfilment/stations/{station.pk}/").content.decode()
    assert "It printed" in queue
    response = client.post(
        f"/staff/fulfilment/print-jobs/{label.pk}/decide/", {"action": "printed"}
    )
    assert response.headers["Location"] == f"/staff/fulfilment/stations/{station.pk}/"
    label.refresh_from_db()
    assert label.status == PrintStatus.PRINTED
    assert AuditEntry.objects.filter(action="print_job.printed").count() == 1

    client.post(packing_url + "reprint/", {"station": station.pk})
    assert PrintJob.objects.filter(copy=2).count() == 2


def test_split_ships_what_is_packed_and_opens_a_parcel_for_the_rest(
    shop: Shop, deliver_events: Any
) -> None:
    order = order_of(shop, {JACKET: 1, SHIRT: 2}, deliver_events)
    shipment = Shipment.objects.get(order=order)
    client = client_as("logistics_manager")
    client.post(f"/staff/fulfilment/shipments/{shipment.pk}/pack/", {"code": JACKET})

    client.post(f"/staff/fulfilment/shipments/{shipment.pk}/split/")

    shipment.refresh_from_db()
    rest = Shipment.objects.exclude(pk=shipment.pk).get(order=order)
    assert shipment.status == ShipmentStatus.PACKED
    assert list(rest.lines.values_list("sku", "quantity")) == [(SHIRT, 2)]
    page = client.get(f"/staff/fulfilment/shipments/{shipment.pk}/").content.decode()
    assert f"the rest is parcel {rest.label}" in page


def test_read_only_roles_see_the_work_but_cannot_pack(shop: Shop, deliver_events: Any) -> None:
    order = order_of(shop, {JACKET: 1}, deliver_events)
    shipment = Shipment.objects.get(order=order)
    for role in ("inventory_manager", "head_of_digital"):
        client = client_as(role)
        page = client.get(f"/staff/fulfilment/shipments/{shipment.pk}/").content.decode()
        assert JACKET in page
        assert 'name="code"' not in page
        assert (
            "Create pick list"
            not in client.get(f"/staff/fulfilment/warehouses/{shop.place.se.pk}/").content.decode()
        )
        response = client.post(f"/staff/fulfilment/shipments/{shipment.pk}/pack/", {"code": JACKET})
        assert response.status_code == 403
    assert shipment.lines.get().packed == 0
    assert client_as("marketing_manager").get("/staff/fulfilment/").status_code == 403


def test_the_navigation_leads_the_logistics_manager_to_the_workspace() -> None:
    assert (
        'href="/staff/fulfilment/"'
        in client_as("logistics_manager").get("/staff/").content.decode()
    )
    assert 'href="/staff/fulfilment/"' not in client_as("finance").get("/staff/").content.decode()
