"""The web server loads what its workers need before it forks them, and hands them no open
database connection."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from storeteam.core.warmup import warmups_run
from storeteam.storefront.listing_index import listing_index
from storeteam.storefront.markets import store_markets
from tests.catalog.fixtures import build_small_catalog


@pytest.mark.django_db(transaction=True)
def test_the_listing_index_is_loaded_before_the_fork(deliver_events: Any) -> None:
    build_small_catalog(deliver_events)
    assert listing_index().markets == {}
    took = warmups_run()
    assert "storeteam.storefront.listing_index.listing_index_warm" in took
    assert set(listing_index().markets) == set(store_markets())
    assert listing_index().slot_of  # the catalog's products have their slots
    assert connection.connection is None  # closed: no connection crosses the fork
