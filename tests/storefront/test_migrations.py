"""Migrations that move the listing's existing rows, run on a database that has some (on
PostgreSQL a table with foreign-key checks pending cannot be altered in the same transaction)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("storefront", "0004_stock_shown")]
AFTER = [("storefront", "0006_listing_per_market_indexes")]


@pytest.mark.django_db(transaction=True)
def test_the_listing_gets_a_row_per_market_from_its_rows_per_currency() -> None:
    from storeteam.catalog.services import CategorySpec, ProductSpec, VariantSpec, catalog_import

    # products (their events stay in the outbox: no listing is built for them here)
    result = catalog_import(
        categories=[CategorySpec("c", {"en": "C"})],
        products=[
            ProductSpec(category_key="c", names={"en": f"P{k}"}, variants=[VariantSpec(f"P-{k}")])
            for k in range(2)
        ],
    )
    first, second = result.product_ids
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps.get_model("storefront", "ListingEntry")
        row: dict[str, Any] = {
            "category_path": "0001.",
            "created_at": datetime(2026, 1, 1, tzinfo=UTC),
            "is_available": True,
        }
        old.objects.create(product_id=first, currency="SEK", price="100.00", **row)
        old.objects.create(product_id=first, currency="EUR", price="10.00", **row)
        old.objects.create(product_id=second, currency="EUR", price="20.00", **row)

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
    finally:
        MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())

    from storeteam.storefront.models import ListingEntry

    assert sorted(
        ListingEntry.objects.values_list("product_id", "currency", "country", "price")
    ) == sorted(
        [
            (first, "SEK", "SE", 100),
            (first, "EUR", "SE", 10),
            (first, "EUR", "FR", 10),
            (first, "EUR", "NL", 10),
            (second, "EUR", "SE", 20),
            (second, "EUR", "FR", 20),
            (second, "EUR", "NL", 20),
        ]
    )
