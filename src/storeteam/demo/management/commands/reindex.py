"""`storeteam reindex`: rebuild the storefront listing and the search index of every product.

For after a restore, an upgrade that changes what is indexed, or a database built before search
existed. The handlers do the same per product as the catalog changes; this does all at once.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from storeteam.catalog.models import Product
from storeteam.catalog.search import search_index_rebuild
from storeteam.core.database import statistics_refresh
from storeteam.storefront.services import listing_rebuild


class Command(BaseCommand):
    help = "Rebuild the storefront listing and the search index of every product."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chunk", type=int, default=2000)
        parser.add_argument("--only", choices=["listing", "search"], default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        ids = list(Product.objects.order_by("pk").values_list("pk", flat=True))
        started = time.monotonic()
        for start in range(0, len(ids), options["chunk"]):
            chunk = ids[start : start + options["chunk"]]
            if options["only"] in (None, "listing"):
                listing_rebuild(product_ids=chunk)
            if options["only"] in (None, "search"):
                search_index_rebuild(product_ids=chunk)
            done = min(start + options["chunk"], len(ids))
            sys.stderr.write(f"\r  reindexed {done:,}/{len(ids):,} products")
            sys.stderr.flush()
        sys.stderr.write("\n")
        statistics_refresh()
        self.stdout.write(f"Reindexed {len(ids):,} products in {time.monotonic() - started:.0f} s.")
