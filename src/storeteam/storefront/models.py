"""The storefront's read model: products as category pages list them, denormalised from the
catalog and pricing so that a filtered, sorted, counted category page is a few indexed queries.

Rebuilt per product by storefront.services.listing_rebuild, from the catalog's and pricing's
events; never edited by hand.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from storeteam.catalog.models import AttributeValue, Category, Product, Variant


class ListingEntry(models.Model):
    """One published product with a price, as the shoppers of one market see it: priced in
    ``currency``, in stock or not for ``country`` (storefront.markets).

    ``is_available`` is inventory's answer, kept here so that a listing filters and sorts on a
    column of its own rows: some variant priced in the currency has salable units (on hand -
    reserved - allocated - safety stock) in an active warehouse serving the country. ``price``
    and ``compare_at`` are the cheapest such variant's (the cheapest priced one when none is in
    stock), as the product page shows them. Rebuilt from the catalog's and prices' events, and
    from the stock's (``services.listing_stock_refresh``) when a variant sells out or comes
    back."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    currency = models.CharField(max_length=3)
    country = models.CharField(max_length=2)
    category_path = models.CharField(max_length=255)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    compare_at = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    is_available = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    sales_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["product", "currency", "country"], name="listing_one_per_market"
            )
        ]
        indexes = [
            models.Index(
                fields=["currency", "country", "category_path", "price"],
                name="listing_by_path_price",
            ),
            models.Index(
                fields=["currency", "country", "category_path", "-created_at"],
                name="listing_newest",
            ),
            models.Index(
                fields=["currency", "country", "category_path", "-sales_count"],
                name="listing_bestselling",
            ),
        ]

    def __str__(self) -> str:
        return f"listing {self.product_id} {self.currency} {self.country}"


class ListingValue(models.Model):
    """A facet value a listed product has, on itself or on any of its variants."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    value = models.ForeignKey(AttributeValue, on_delete=models.CASCADE, related_name="+")
    attribute_id = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "value"], name="listing_value_once")
        ]
        indexes = [models.Index(fields=["value", "product"], name="listing_value_products")]

    def __str__(self) -> str:
        return f"listing {self.product_id}: {self.value_id}"


class ListingState(models.Model):
    """One row: the listing's version, raised in the same transaction as every rebuild, and its
    stock version, raised when what listings show of the stock changes (a product sold out or
    back in some market, or its price now another variant's). Cached pages are keyed by them,
    so every web process stops using a stale page at once, whatever cache backend each has:
    listings by both (storefront.selectors.listing_page), product pages by the listing's version
    and their own (ProductPageState), so a product selling out elsewhere keeps them."""

    version = models.PositiveBigIntegerField(default=1)
    stock_version = models.PositiveBigIntegerField(default=1)
    # The stamp of the latest ListingChange: a process's facet index that holds it is current.
    change_stamp = models.CharField(max_length=32, default="", blank=True)

    def __str__(self) -> str:
        return f"listing version {self.version}"


class ListingChange(models.Model):
    """The products whose listing rows one transaction rewrote (a rebuild, a stock refresh):
    how each process's listing index (storefront.listing_index) catches up with the listing by
    reloading those products only. Written under the listing's lock (ListingState), so ids
    follow the order of commits; ``stamp`` is random, so an index that finds another stamp
    under the id it last read knows the history it built on is gone (pruned, rolled back or
    restored) and reloads everything. Rows older than an hour are pruned by a periodic job."""

    id = models.BigAutoField(primary_key=True)
    stamp = models.CharField(max_length=32)
    product_ids = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"listing change {self.pk}: {len(self.product_ids)} products"


class VariantStockShown(models.Model):
    """What a product page last showed about a variant's stock for shoppers in one country:
    ``level`` is its salable units up to LOW_STOCK_SHOWN + 1 (0 out of stock, 1 to 5 "only N
    left", 6 in stock). Kept by storefront.services.stock_shown_refresh from StockLevelsChanged,
    which raises the product's ProductPageState.version whenever a level changes: a sale that
    leaves plenty in stock writes nothing, so cached pages stay."""

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="+")
    country = models.CharField(max_length=2)
    level = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["variant", "country"], name="stock_shown_once")
        ]

    def __str__(self) -> str:
        return f"variant {self.variant_id} in {self.country}: {self.level}"


class ProductPageState(models.Model):
    """One row per product whose page's stock has changed: ``version`` is part of the cached
    page's key (with the listing's version), so raising it drops that product's cached pages,
    and only those, in every process at once."""

    product = models.OneToOneField(
        Product, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    version = models.PositiveBigIntegerField(default=1)

    def __str__(self) -> str:
        return f"page of product {self.product_id}: version {self.version}"


class MerchandisingAction(models.TextChoices):
    PIN = "pin", _("Pin to a position")
    BOOST = "boost", _("Boost (show before the rest)")
    BURY = "bury", _("Bury (show after the rest)")


class CategorySorting(models.Model):
    """How a category page orders its products beyond the shopper's chosen sort (S4): whether
    products out of stock go last. Its pins, boosts and buries are MerchandisingRule rows.
    Edited through storefront.services.merchandising_save, which raises the listing version."""

    category = models.OneToOneField(Category, on_delete=models.CASCADE, related_name="+")
    out_of_stock_last = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        permissions = [("manage_merchandising", _("Can set the sorting rules of categories"))]

    def __str__(self) -> str:
        return f"sorting of category {self.category_id}"


class MerchandisingRule(models.Model):
    """A staff rule for one product on one category's page, applied to the default
    (recommended) order: pinned products take their position, boosted ones come before the
    rest, buried ones after."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=8, choices=MerchandisingAction.choices)
    position = models.PositiveIntegerField(null=True, blank=True)  # pins only, from 1

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["category", "product"], name="merch_rule_once"),
            models.UniqueConstraint(
                fields=["category", "position"],
                condition=Q(action="pin"),
                name="merch_pin_position_once",
            ),
            models.CheckConstraint(
                condition=(Q(action="pin") & Q(position__gte=1))
                | (~Q(action="pin") & Q(position__isnull=True)),
                name="merch_pin_has_position",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} product {self.product_id} in category {self.category_id}"
