#!/usr/bin/env python3
"""Fulfilment benchmark: the warehouse pipeline through the services, at 10,000 open orders.

    .venv/bin/python bench/fulfilment.py [--db sqlite|postgres] [--orders 10000]

Builds a fresh database (`storeteam migrate` + `storeteam demo --profile small`), stocks 200
variants in the Stockholm and Tilburg warehouses, and places N paid orders of one to three
lines for Swedish and Dutch shoppers (stock reserved, order written, payment recorded). Then it
times the pipeline, in one process, through the same services the workspace and the handlers
call:

  allocate   reservation -> allocations, order allocated, shipments opened per warehouse
  pick       pick lists of 30 parcels per warehouse until none is left
  pack       every unit scanned by SKU (pack_scan verifies each against the parcel)
  ship       every parcel shipped (stock out through the ledger, order shipped)
  label      its shipping label rendered (ZPL, with the tracking number's barcode)

and, with every order open, the capacity projection of the busier warehouse. The baseline, in
the same run, is the database's rate of one-row write transactions. The last line:
`fulfilment orders_per_min=… labels_per_s=… backlog_projection_ms=…`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
STORETEAM = str(BIN / "storeteam")

PIPELINE = r"""
import json, os, random, time
from decimal import Decimal
from django.db import connection, transaction
from django.utils import timezone
from storeteam.catalog.models import Variant
from storeteam.core.models import AuditEntry
from storeteam.inventory.models import Warehouse
from storeteam.inventory.services import StockLine, stock_receive, reservation_create, reservation_allocate
from storeteam.orders.choices import OrderStatus
from storeteam.orders.services import OrderLineSpec, OrderSpec, PaymentFacts, order_place, order_transition
from storeteam.fulfilment.models import Shipment, ShipmentStatus
from storeteam.fulfilment.services import (
    pack_scan, pick_list_create, shipment_ship, shipments_create_for_order,
)
from storeteam.fulfilment.capacity import capacity_projection
from storeteam.fulfilment.documents import label_zpl

N = int(os.environ["BENCH_ORDERS"])
rng = random.Random(7)
figures = {}

# baseline: one-row write transactions per second on this database
start = time.perf_counter()
for i in range(500):
    with transaction.atomic():
        row = AuditEntry.objects.create(actor_label="bench", action="bench.baseline", at=timezone.now())
        row.delete()
figures["baseline_tx_per_s"] = 500 / (time.perf_counter() - start)

sto = Warehouse.objects.get(code="sto")
tilburg = Warehouse.objects.get(code="tilburg")
variants = list(
    Variant.objects.filter(product__is_published=True, prices__price_list__currency="EUR")
    .values_list("pk", "sku")
    .order_by("pk")[:200]
)
for warehouse in (sto, tilburg):
    stock_receive(actor=None, warehouse=warehouse, lines=[StockLine(pk, 100000) for pk, _ in variants], reference="bench")
address = {
    "SE": {"name": "Bench Buyer", "line1": "Gatan 1", "postcode": "111 51", "city": "Stockholm", "country": "SE"},
    "NL": {"name": "Bench Koper", "line1": "Straat 1", "postcode": "1012 LG", "city": "Amsterdam", "country": "NL"},
}
start = time.perf_counter()
orders = []
for i in range(N):
    country = "SE" if i % 2 else "NL"
    chosen = rng.sample(variants, rng.randint(1, 3))
    lines = [OrderLineSpec(pk, sku, sku, rng.randint(1, 2), Decimal("10.00"), Decimal("0.25")) for pk, sku in chosen]
    key = f"bench-{i}"
    reservation_create(key=key, lines=[StockLine(l.variant_id, l.quantity) for l in lines], country=country)
    subtotal = sum((l.line_total for l in lines), Decimal(0))
    spec = OrderSpec(reference=key, email=f"b{i}@example.com", language="en", currency="EUR", country=country,
        shipping_address=address[country], shipping_method="postal", shipping_method_name="Postal",
        subtotal=subtotal, shipping_total=Decimal("0"), tax_total=Decimal("0"), total=subtotal, lines=lines)
    order, _ = order_place(spec=spec, payment=PaymentFacts(payment_id=i + 1, gateway="test", summary="bench"))
    order_transition(order_id=order.pk, to_status=OrderStatus.PAID, actor="bench")
    orders.append(order)
figures["build_orders_per_s"] = N / (time.perf_counter() - start)

timings = {}
t = time.perf_counter()
for order in orders:
    with transaction.atomic():
        reservation_allocate(key=order.reference, reference=order.number)
        order_transition(order_id=order.pk, to_status=OrderStatus.ALLOCATED, actor="bench")
    shipments_create_for_order(order_id=order.pk)
timings["allocate"] = time.perf_counter() - t

busier = max((sto, tilburg), key=lambda w: Shipment.objects.filter(warehouse=w).count())
runs = []
for _ in range(5):
    t = time.perf_counter()
    projection = capacity_projection(warehouse=busier)
    runs.append((time.perf_counter() - t) * 1000)
figures["backlog_projection_ms"] = sorted(runs)[2]
figures["open_parcels_projected"] = projection.backlog

t = time.perf_counter()
lists = 0
for warehouse in (sto, tilburg):
    while pick_list_create(warehouse=warehouse, actor="bench") is not None:
        lists += 1
timings["pick"] = time.perf_counter() - t
figures["pick_lists"] = lists

parcels = list(Shipment.objects.filter(status=ShipmentStatus.PICKING).prefetch_related("lines").order_by("pk"))
t = time.perf_counter()
scans = 0
for shipment in parcels:
    for line in shipment.lines.all():
        for _ in range(line.quantity):
            pack_scan(shipment_id=shipment.pk, code=line.sku, actor="bench")
            scans += 1
timings["pack"] = time.perf_counter() - t
figures["scans"] = scans

t = time.perf_counter()
for n, shipment in enumerate(parcels):
    shipment_ship(shipment_id=shipment.pk, carrier="test", service="parcel", tracking_number=f"B{n:09d}", actor="bench")
timings["ship"] = time.perf_counter() - t

shipped = list(Shipment.objects.filter(pk__in=[p.pk for p in parcels]).select_related("order", "warehouse").prefetch_related("lines"))
t = time.perf_counter()
for shipment in shipped:
    label_zpl(shipment)
timings["label"] = time.perf_counter() - t
figures["labels_per_s"] = len(shipped) / timings["label"]

figures["parcels"] = len(parcels)
figures["pipeline_seconds"] = sum(timings.values())
figures["orders_per_min"] = N / figures["pipeline_seconds"] * 60
figures["step_seconds"] = timings
print("BENCH " + json.dumps(figures))
"""


def database_url(db: str) -> str:
    if db == "sqlite":
        path = ROOT / "var" / "bench" / "fulfilment.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    base = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/")
    name = "storeteam_bench_fulfilment"
    subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    return base.rstrip("/") + "/" + name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--orders", type=int, default=10000)
    args = parser.parse_args()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(args.db),
        "SECRET_KEY": "bench-" + "k" * 50,
        "DEBUG": "false",
        "BENCH_ORDERS": str(args.orders),
    }
    subprocess.run([STORETEAM, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run(
        [STORETEAM, "demo", "--profile", "small"],
        env=env,
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    out = subprocess.run(
        [STORETEAM, "shell", "-c", PIPELINE],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout
    figures = json.loads(next(x for x in out.splitlines() if x.startswith("BENCH "))[6:])
    print(f"database: {args.db}, orders: {args.orders:,}, parcels: {figures['parcels']:,}")
    print(f"baseline: {figures['baseline_tx_per_s']:.0f} one-row write transactions/s")
    print(f"building the open orders: {figures['build_orders_per_s']:.0f} orders/s")
    for step, seconds in figures["step_seconds"].items():
        print(f"  {step:9s} {seconds:8.1f} s  ({args.orders / seconds:8.0f} orders/s)")
    print(
        f"pick lists: {figures['pick_lists']}, scans: {figures['scans']:,}, "
        f"projection over {figures['open_parcels_projected']:,} open parcels"
    )
    print(
        f"fulfilment orders_per_min={figures['orders_per_min']:.0f} "
        f"labels_per_s={figures['labels_per_s']:.0f} "
        f"backlog_projection_ms={figures['backlog_projection_ms']:.1f}"
    )


if __name__ == "__main__":
    main()
