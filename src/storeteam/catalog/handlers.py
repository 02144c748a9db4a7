"""How the catalog reacts to its own events: the search index follows the products."""

from __future__ import annotations

from storeteam.catalog.events import ProductsChanged
from storeteam.catalog.search import search_index_rebuild
from storeteam.core.events import Envelope, event_handler


@event_handler(ProductsChanged, name="catalog.reindex_changed_products")
def reindex_changed_products(event: ProductsChanged, envelope: Envelope) -> None:
    search_index_rebuild(product_ids=event.product_ids)
