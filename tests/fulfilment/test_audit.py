"""Warehouse work in the staff audit log: every scan (accepted or refused), the parcel packed,
split and shipped with its carrier and tracking number, and reprints; each with who did it,
shown on the audit log page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from storeteam.core.models import AuditEntry
from storeteam.fulfilment.models import PrintJob, PrintStatus, Shipment
from storeteam.fulfilment.printing import packing_station_ensure
from tests.checkout.fixtures import Shop, build_shop
from tests.factories import StaffFactory
from tests.fulfilment.fixtures import order_of

pytestmark = pytest.mark.django_db

JACKET = "WOOL-JACKET-M"
SHIRT = "LINEN-SHIRT-S"


@pytest.fixture
def shop(deliver_events: Any) -> Shop:
    return build_shop(deliver_events)


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def test_packing_splitting_shipping_and_reprinting_are_audited_with_the_packer(
    shop: Shop, deliver_events: Any, tmp_path: Path
) -> None:
    station = packing_station_ensure(
        warehouse=shop.place.se, code="sto-1", name="Stockholm 1", printer=f"dir:{tmp_path}"
    )
    order = order_of(shop, {JACKET: 1, SHIRT: 2}, deliver_events)
    parcel = Shipment.objects.get(order=order)
    packer = StaffFactory(role="logistics_manager")
    client = Client()
    client.force_login(packer)
    url = f"/staff/fulfilment/shipments/{parcel.pk}/"

    client.post(url + "pack/", {"code": "RAIN-JACKET-M"})  # not in the parcel
    client.post(url + "pack/", {"code": JACKET})
    client.post(url + "pack/", {"code": SHIRT})
    client.post(url + "split/")  # the second shirt goes in a parcel of its own
    rest = Shipment.objects.exclude(pk=parcel.pk).get(order=order)
    client.post(
        url + "ship/",
        {
            "carrier": "postnord",
            "service": "parcel",
            "tracking_number": "PN555SE",
            "station": station.pk,
        },
    )
    client.post(url + "reprint/", {"station": station.pk})
    rest_url = f"/staff/fulfilment/shipments/{rest.pk}/"
    client.post(rest_url + "pack/", {"code": SHIRT})
    client.post(rest_url + "pack/", {"code": SHIRT})  # one too many
    label = PrintJob.objects.filter(shipment=parcel, kind="label_zpl", copy=1).get()
    PrintJob.objects.filter(pk=label.pk).update(status=PrintStatus.UNCERTAIN)
    client.post(f"/staff/fulfilment/print-jobs/{label.pk}/decide/", {"action": "reprint"})

    [wrong, too_many] = entries("shipment.pack_refused")
    assert (wrong.actor_id, wrong.target_label) == (packer.pk, f"parcel {parcel.label}")
    assert wrong.after == {"code": "RAIN-JACKET-M", "quantity": 1}
    assert wrong.reason.startswith("RAIN-JACKET-M is not in this parcel.")
    assert too_many.target_label == f"parcel {rest.label}"
    assert too_many.reason == "This parcel is Packed; nothing more can be packed into it."
    packs = entries("shipment.pack")
    assert [(e.target_label, e.after) for e in packs] == [
        (f"parcel {parcel.label}", {"sku": JACKET, "packed": 1, "of": 1}),
        (f"parcel {parcel.label}", {"sku": SHIRT, "packed": 1, "of": 2}),
        (f"parcel {rest.label}", {"sku": SHIRT, "packed": 1, "of": 1}),
    ]
    assert all(e.actor_id == packer.pk for e in packs)
    [packed] = entries("shipment.packed")  # the split parcel is packed by the split itself
    assert (packed.target_label, packed.before, packed.after) == (
        f"parcel {rest.label}",
        {"status": "open"},
        {"status": "packed"},
    )
    [split] = entries("shipment.split")
    assert split.after == {"status": "packed", "rest_in": rest.label, "moved": f"1 x {SHIRT}"}
    [ship] = entries("shipment.ship")
    assert (ship.actor_id, ship.before, ship.after) == (
        packer.pk,
        {"status": "packed"},
        {
            "status": "shipped",
            "carrier": "postnord",
            "service": "parcel",
            "tracking_number": "PN555SE",
        },
    )
    reprints = entries("print_job.reprint")
    assert len(reprints) == 3  # label and slip asked again, then the uncertain label resent
    assert all(e.actor_id == packer.pk for e in reprints)

    head = Client()
    head.force_login(StaffFactory(role="head_of_digital"))
    page = head.get("/staff/audit/", {"action": "shipment."}).content.decode()
    for action in (
        "shipment.pack_refused",
        "shipment.pack",
        "shipment.packed",
        "shipment.split",
        "shipment.ship",
    ):
        assert f"<code>{action}</code>" in page
    assert "PN555SE" in page
    assert f"parcel {parcel.label}" in page
    assert "<code>print_job.reprint</code>" in head.get("/staff/audit/").content.decode()
