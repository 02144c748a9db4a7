"""Demo warehouses and stock: three warehouses and deterministic stock for every variant of the
demo catalog, written through inventory.services (receipts, so the ledger explains every unit).

Per variant, from the seed: about 5 % are never stocked (sold out everywhere); Stockholm holds
the rest, Lyon and Tilburg about two in three each; about 12 % of the stock rows are low (1 to 4
units, under the warehouses' threshold of 5), the others hold 6 to 120 units.

The receipts' events (StockLevelsChanged, StockLow) are delivered in this process after each
chunk, as the catalog's are, so the listing says what is in stock when the build returns.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Max

from storeteam.catalog.models import Variant
from storeteam.core.models import OutboxEvent
from storeteam.demo.catalog import demo_events_deliver
from storeteam.inventory.models import Stock
from storeteam.inventory.services import StockLine, stock_receive, warehouse_ensure

CHUNK = 5000
LOW_THRESHOLD = 5

WAREHOUSES = (
    # code, name, country, countries served, priority
    ("sto", "Stockholm", "SE", ("SE", "NO", "DK", "FI"), 10),
    ("lyon", "Lyon", "FR", ("FR", "BE", "LU"), 20),
    ("tilburg", "Tilburg", "NL", ("NL", "BE", "DE"), 10),
)
SHARE = {"sto": 1.0, "lyon": 0.65, "tilburg": 0.7}


@dataclass(frozen=True)
class DemoStockSummary:
    created: bool
    warehouses: int
    rows: int
    units: int
    seconds: float


def _quantity(rng: random.Random) -> int:
    return rng.randint(1, LOW_THRESHOLD - 1) if rng.random() < 0.12 else rng.randint(6, 120)


def demo_stock_build(
    *, seed: int = 7, progress: Callable[[str, int, int], None] | None = None
) -> DemoStockSummary:
    """Create the demo warehouses and receive stock for every variant, unless stock exists."""
    started = time.monotonic()
    warehouses = [
        warehouse_ensure(
            code=code,
            name=name,
            country=country,
            serves=list(serves),
            priority=priority,
            low_stock_threshold=LOW_THRESHOLD,
        )
        for code, name, country, serves, priority in WAREHOUSES
    ]
    if Stock.objects.exists():
        return DemoStockSummary(False, len(warehouses), Stock.objects.count(), 0, 0.0)
    total = Variant.objects.count()
    events_after = OutboxEvent.objects.aggregate(last=Max("pk"))["last"] or 0
    rng = random.Random(seed * 7919 + 17)  # noqa: S311 (demo data: reproducible by seed)
    ids = Variant.objects.order_by("pk").values_list("pk", flat=True)
    rows = units = done = 0
    chunk: list[int] = []

    def receive(chunk: list[int]) -> None:
        nonlocal rows, units, events_after
        lines: dict[str, list[StockLine]] = {w.code: [] for w in warehouses}
        for variant_id in chunk:
            if rng.random() < 0.05:
                continue  # never stocked: sold out everywhere
            for warehouse in warehouses:
                if rng.random() < SHARE[warehouse.code]:
                    lines[warehouse.code].append(StockLine(variant_id, _quantity(rng)))
        for warehouse in warehouses:
            if lines[warehouse.code]:
                stock_receive(
                    actor=None,
                    warehouse=warehouse,
                    lines=lines[warehouse.code],
                    reference="demo-opening-stock",
                    reason="Opening stock",
                )
                rows += len(lines[warehouse.code])
                units += sum(line.quantity for line in lines[warehouse.code])
        events_after = demo_events_deliver(after=events_after)

    for variant_id in ids.iterator(chunk_size=CHUNK):
        chunk.append(variant_id)
        if len(chunk) == CHUNK:
            receive(chunk)
            done += len(chunk)
            chunk = []
            if progress:
                progress("stock", done, total)
    if chunk:
        receive(chunk)
        done += len(chunk)
    if progress:
        progress("stock", done, total)
    return DemoStockSummary(True, len(warehouses), rows, units, time.monotonic() - started)
