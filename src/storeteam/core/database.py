"""Upkeep of the database itself."""

from __future__ import annotations

from django.db import connection


def statistics_refresh() -> bool:
    """Refresh PostgreSQL's planner statistics and visibility map after a bulk load, as its docs
    advise: until autovacuum gets to new tables, or where it is off, the planner guesses their
    sizes and can choose a scan of a whole table over an index (a listing page's rows read in
    100 ms, not 0.1 ms, on a freshly built large catalog), and every first read of a new row
    writes its hint bits. Outside a transaction this is ``VACUUM (ANALYZE)``, which also marks
    the pages all-visible (index-only and bitmap scans then skip the rows' visibility checks)
    and reclaims the old versions a rebuild leaves; inside one, where VACUUM cannot run, it is
    ``ANALYZE`` alone. Returns whether it ran; SQLite's planner needs no statistics for the
    store's queries, so nothing is done there."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
    return True
