"""The storefront's listing follows the catalog and prices, and product pages the stock, through
their events."""

from __future__ import annotations

from storeteam.catalog.events import AttributesChanged, ProductImagesChanged, ProductsChanged
from storeteam.core.events import Envelope, event_handler
from storeteam.inventory.events import StockLevelsChanged
from storeteam.pricing.events import PricesChanged
from storeteam.storefront.services import (
    listing_rebuild,
    listing_version_raise,
    stock_shown_refresh,
)


@event_handler(ProductsChanged, name="storefront.relist_changed_products")
def relist_changed_products(event: ProductsChanged, envelope: Envelope) -> None:
    listing_rebuild(product_ids=event.product_ids)


@event_handler(PricesChanged, name="storefront.relist_repriced_products")
def relist_repriced_products(event: PricesChanged, envelope: Envelope) -> None:
    listing_rebuild(product_ids=event.product_ids)


@event_handler(AttributesChanged, name="storefront.refresh_facet_names")
def refresh_facet_names(event: AttributesChanged, envelope: Envelope) -> None:
    listing_version_raise()


@event_handler(ProductImagesChanged, name="storefront.refresh_product_images")
def refresh_product_images(event: ProductImagesChanged, envelope: Envelope) -> None:
    # Cards and product pages read images at render time; only the cached pages are stale.
    listing_version_raise()


@event_handler(StockLevelsChanged, name="storefront.refresh_shown_stock")
def refresh_shown_stock(event: StockLevelsChanged, envelope: Envelope) -> None:
    # Only the pages of products whose shown stock changed are dropped; the listing's version,
    # which every cached page depends on, stays as it is.
    stock_shown_refresh(variant_ids=event.variant_ids)
