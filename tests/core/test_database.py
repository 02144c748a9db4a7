"""After a bulk load the planner's statistics are refreshed on PostgreSQL."""

from __future__ import annotations

from typing import Any

from django.db import connection

from storeteam.core.database import statistics_refresh


def test_statistics_are_refreshed_on_postgresql_only(db: Any) -> None:
    if connection.vendor != "postgresql":
        assert statistics_refresh() is False
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE pg_class SET reltuples = -1 WHERE relname = 'storefront_listingentry'"
        )
    assert statistics_refresh() is True
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'storefront_listingentry'")
        assert cursor.fetchone()[0] >= 0  # -1: never analyzed


def test_outside_a_transaction_the_tables_are_vacuumed_too(transactional_db: Any) -> None:
    if connection.vendor != "postgresql":
        assert statistics_refresh() is False
        return
    query = "SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'catalog_product'"
    with connection.cursor() as cursor:
        cursor.execute(query)
        before = cursor.fetchone()[0]
    assert statistics_refresh() is True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(query)
        assert cursor.fetchone()[0] > before
