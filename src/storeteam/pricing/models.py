"""Prices (S2): price lists per currency and channel, a price per variant in each, an optional
compare-at price, and VAT rates per country and tax class for tax-inclusive display."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from storeteam.catalog.models import TaxClass, Variant


class PriceList(models.Model):
    """Prices in one currency for one channel. Amounts are gross (VAT included), as shoppers in
    Europe see them; the VAT part is worked out from the destination country's rate."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    currency = models.CharField(max_length=3)
    channel = models.SlugField(max_length=40, default="web")
    # The storefront's price list for this currency (one per currency and channel).
    is_default = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "channel"],
                condition=Q(is_default=True),
                name="one_default_price_list_per_currency",
            )
        ]
        permissions = [("manage_prices", _("Can edit price lists and prices"))]

    def __str__(self) -> str:
        return f"{self.code} ({self.currency})"


class VariantPrice(models.Model):
    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="prices")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="prices")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    compare_at = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["price_list", "variant"], name="one_price_per_list"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="price_not_negative"),
            models.CheckConstraint(
                condition=Q(compare_at__isnull=True) | Q(compare_at__gt=F("amount")),
                name="compare_at_above_price",
            ),
        ]
        indexes = [models.Index(fields=["variant", "price_list"], name="price_by_variant")]

    def __str__(self) -> str:
        return f"{self.variant_id} {self.amount} in {self.price_list_id}"


class TaxRate(models.Model):
    country = models.CharField(max_length=2)
    tax_class = models.CharField(max_length=10, choices=TaxClass.choices)
    rate = models.DecimalField(max_digits=5, decimal_places=4)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["country", "tax_class"], name="one_rate_per_class"),
            models.CheckConstraint(condition=Q(rate__gte=0) & Q(rate__lt=1), name="rate_fraction"),
        ]

    def __str__(self) -> str:
        return f"{self.country} {self.tax_class} {self.rate}"
