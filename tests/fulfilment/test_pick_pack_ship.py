"""Pick, pack and ship (F1): an allocated order becomes parcels per warehouse; the packer is
refused the wrong item or one too many; shipping moves the stock through the ledger and the
order's state follows."""

from __future__ import annotations

from typing import Any

import pytest

from storeteam.checkout.services import order_cancel
from storeteam.fulfilment.models import Shipment, ShipmentStatus
from storeteam.fulfilment.selectors import open_work, work_by_warehouse
from storeteam.fulfilment.services import (
    FulfilmentError,
    WrongItemError,
    pack_scan,
    pick_list_create,
    pick_list_lines,
    shipment_ship,
    shipment_split,
)
from storeteam.inventory.models import Stock
from storeteam.orders.choices import OrderStatus
from storeteam.orders.models import Order
from tests.checkout.fixtures import build_shop
from tests.fulfilment.fixtures import order_of, pack_all
from tests.inventory.fixtures import assert_ledger_balances

pytestmark = pytest.mark.django_db

JACKET = "WOOL-JACKET-M"
SHIRT = "LINEN-SHIRT-S"


def test_an_allocated_order_becomes_a_parcel_that_is_picked_packed_and_shipped(
    deliver_events: Any,
) -> None:
    shop = build_shop(deliver_events)
    order = order_of(shop, {JACKET: 1, SHIRT: 2}, deliver_events)
    shipment = Shipment.objects.get(order=order)
    assert shipment.warehouse == shop.place.se
    assert list(open_work(warehouse_id=shop.place.se.pk)) == [shipment]

    pick_list = pick_list_create(warehouse=shop.place.se, actor="picker")
    assert pick_list is not None
    assert [(p.sku, p.quantity) for p in pick_list_lines(pick_list)] == [(SHIRT, 2), (JACKET, 1)]

    pack_scan(shipment_id=shipment.pk, code=JACKET.lower(), actor="packer")  # SKUs typed freely
    with pytest.raises(WrongItemError) as wrong:
        pack_scan(shipment_id=shipment.pk, code="RAIN-JACKET-M", actor="packer")
    assert "LINEN-SHIRT-S (2)" in wrong.value.message
    with pytest.raises(WrongItemError):
        pack_scan(shipment_id=shipment.pk, code=SHIRT, quantity=3, actor="packer")
    done = pack_scan(shipment_id=shipment.pk, code=SHIRT, quantity=2, actor="packer")
    assert done.complete

    on_hand_before = Stock.objects.get(warehouse=shop.place.se, variant_id=shop.variants[SHIRT])
    shipment_ship(
        shipment_id=shipment.pk,
        carrier="postnord",
        service="parcel",
        tracking_number="PN1",
        actor="packer",
    )
    again = shipment_ship(
        shipment_id=shipment.pk,
        carrier="postnord",
        service="parcel",
        tracking_number="PN1",
        actor="packer",
    )

    assert again.status == ShipmentStatus.SHIPPED
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    stock = Stock.objects.get(warehouse=shop.place.se, variant_id=shop.variants[SHIRT])
    assert (stock.on_hand, stock.allocated) == (on_hand_before.on_hand - 2, 0)
    assert list(open_work()) == []
    assert_ledger_balances()


def test_a_split_parcel_ships_in_two_and_the_order_is_partly_shipped_between(
    deliver_events: Any,
) -> None:
    shop = build_shop(deliver_events)
    order = order_of(shop, {JACKET: 1, SHIRT: 2}, deliver_events)
    first = Shipment.objects.get(order=order)
    pack_scan(shipment_id=first.pk, code=JACKET, actor="packer")

    second = shipment_split(shipment_id=first.pk, actor="packer")
    shipment_ship(
        shipment_id=first.pk,
        carrier="postnord",
        service="parcel",
        tracking_number="A",
        actor="packer",
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTLY_SHIPPED

    pack_all(second)
    shipment_ship(
        shipment_id=second.pk,
        carrier="postnord",
        service="parcel",
        tracking_number="B",
        actor="packer",
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert order.lines.get(sku=SHIRT).quantity_shipped == 2
    assert_ledger_balances()


def test_an_unpacked_parcel_does_not_ship(deliver_events: Any) -> None:
    shop = build_shop(deliver_events)
    order = order_of(shop, {JACKET: 1}, deliver_events)
    shipment = Shipment.objects.get(order=order)
    with pytest.raises(FulfilmentError):
        shipment_ship(
            shipment_id=shipment.pk,
            carrier="postnord",
            service="parcel",
            tracking_number="X",
            actor="packer",
        )
    assert Order.objects.get(pk=order.pk).status == OrderStatus.ALLOCATED


def test_a_cancelled_order_leaves_the_warehouses_work(deliver_events: Any) -> None:
    shop = build_shop(deliver_events)
    order = order_of(shop, {JACKET: 1}, deliver_events)
    assert work_by_warehouse()[0].to_pick == 1

    order_cancel(order_id=order.pk, actor="staff:1", reason="customer asked")
    deliver_events()

    assert Shipment.objects.get(order=order).status == ShipmentStatus.CANCELLED
    assert work_by_warehouse() == []


def test_pick_lists_take_the_oldest_ship_by_first_and_never_twice(deliver_events: Any) -> None:
    shop = build_shop(deliver_events)
    orders = [order_of(shop, {JACKET: 1}, deliver_events) for _ in range(3)]

    first = pick_list_create(warehouse=shop.place.se, actor="picker", size=2)
    second = pick_list_create(warehouse=shop.place.se, actor="picker", size=2)
    third = pick_list_create(warehouse=shop.place.se, actor="picker", size=2)

    assert first is not None
    assert second is not None
    assert [s.order_id for s in first.shipments.order_by("ship_by")] == [o.pk for o in orders[:2]]
    assert [s.order_id for s in second.shipments.all()] == [orders[2].pk]
    assert third is None
