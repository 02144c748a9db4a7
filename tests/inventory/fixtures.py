"""Warehouses and stock with known answers, on the small catalog of tests/catalog/fixtures.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from storeteam.catalog.models import Variant
from storeteam.inventory.models import Stock, Warehouse
from storeteam.inventory.services import StockLine, stock_receive, warehouse_ensure
from tests.catalog.fixtures import build_small_catalog


@dataclass
class Place:
    se: Warehouse  # Sweden: serves SE, NO, DK, FI
    fr: Warehouse  # France: serves FR, BE, LU
    nl: Warehouse  # the Netherlands: serves NL, BE, DE
    variants: dict[str, int]  # SKU -> variant id


def build_warehouses() -> tuple[Warehouse, Warehouse, Warehouse]:
    se = warehouse_ensure(
        code="sto", name="Stockholm", country="SE", serves=["SE", "NO", "DK", "FI"], priority=10
    )
    fr = warehouse_ensure(
        code="lyon", name="Lyon", country="FR", serves=["FR", "BE", "LU"], priority=20
    )
    nl = warehouse_ensure(
        code="tilburg", name="Tilburg", country="NL", serves=["NL", "BE", "DE"], priority=10
    )
    return se, fr, nl


def build_stock_place(deliver_events: Any) -> Place:
    """The small catalog, three warehouses, and no stock yet."""
    build_small_catalog(deliver_events)
    se, fr, nl = build_warehouses()
    return Place(se, fr, nl, dict(Variant.objects.values_list("sku", "pk")))


def receive(warehouse: Warehouse, variant_id: int, quantity: int) -> Stock:
    stock_receive(
        actor=None, warehouse=warehouse, lines=[StockLine(variant_id, quantity)], reference="T"
    )
    return Stock.objects.get(warehouse=warehouse, variant_id=variant_id)


def assert_ledger_balances() -> None:
    """Every stock row equals the sums of its movements and of its reservations/allocations."""
    from storeteam.inventory.selectors import stock_drift_find

    drifts = stock_drift_find()
    assert [d.explain() for d in drifts] == []
