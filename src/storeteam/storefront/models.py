"""The storefront's read model: products as category pages list them, denormalised from the
catalog and pricing so that a filtered, sorted, counted category page is a few indexed queries.

Rebuilt per product by storefront.services.listing_rebuild, from the catalog's and pricing's
events; never edited by hand.
"""

from __future__ import annotations

from django.db import models

from storeteam.catalog.models import AttributeValue, Product


class ListingEntry(models.Model):
    """One published product with a price, in one currency."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    currency = models.CharField(max_length=3)
    category_path = models.CharField(max_length=255)
    price = models.DecimalField(max_digits=12, decimal_places=2)  # lowest variant price
    compare_at = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    is_available = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    sales_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "currency"], name="listing_one_per_currency")
        ]
        indexes = [
            models.Index(
                fields=["currency", "category_path", "price"], name="listing_by_path_price"
            ),
            models.Index(
                fields=["currency", "category_path", "-created_at"], name="listing_newest"
            ),
            models.Index(
                fields=["currency", "category_path", "-sales_count"], name="listing_bestselling"
            ),
        ]

    def __str__(self) -> str:
        return f"listing {self.product_id} {self.currency}"


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
    """One row: the listing's version, raised in the same transaction as every rebuild. Cached
    listing pages are keyed by it, so every web process stops using a stale page at once,
    whatever cache backend each has (see storefront.selectors.listing_page)."""

    version = models.PositiveBigIntegerField(default=1)

    def __str__(self) -> str:
        return f"listing version {self.version}"
