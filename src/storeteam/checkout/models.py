"""Carts, shipping methods and checkouts (I2, S9, S10).

A cart holds variants and quantities only: prices are worked out from the price lists every time
the cart is shown or ordered, never stored from what a browser sent. Each cart carries a
``checkout_key``, the idempotency key of placing its order: a double click, a retry or a second
tab with the same cart submit the same key and get the same order. Every change to the cart's
lines gives it a new key, so an order is always for the lines the shopper last saw.

A ``CheckoutAttempt`` is the durable record of placing one order: created before stock is
reserved, it holds the priced order (``spec``) and where the attempt stands, so a payment that is
confirmed later (a webhook, the reconciliation job) makes exactly that order, once.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from storeteam.catalog.models import Variant
from storeteam.checkout.choices import AttemptStatus, CartStatus
from storeteam.orders.models import Order

MAX_LINE_QUANTITY = 99
MAX_CART_LINES = 100


def new_key() -> str:
    return uuid.uuid4().hex


class Cart(models.Model):
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="carts",
    )
    status = models.CharField(max_length=10, choices=CartStatus.choices, default=CartStatus.OPEN)
    currency = models.CharField(max_length=3)
    checkout_key = models.CharField(max_length=40, default=new_key, unique=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(status=CartStatus.OPEN) & Q(customer__isnull=False),
                name="one_open_cart_per_customer",
            )
        ]
        indexes = [models.Index(fields=["status", "updated_at"], name="cart_by_status")]
        default_permissions = ()

    def __str__(self) -> str:
        return str(self.token)


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="one_line_per_variant"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(quantity__lte=MAX_LINE_QUANTITY),
                name="cart_line_quantity_range",
            ),
        ]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.quantity} x {self.variant_id}"


class ShippingMethod(models.Model):
    """A way to deliver (postal parcel, express ...), with a price per currency."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    # Name per language code; the first language's name stands in for a missing one.
    names = models.JSONField(_("names"), default=dict)
    # Shipping countries (ISO codes) it delivers to; empty means every country the store serves.
    countries = models.JSONField(_("countries"), default=list, blank=True)
    days_min = models.PositiveSmallIntegerField(_("delivery days, at least"), default=1)
    days_max = models.PositiveSmallIntegerField(_("delivery days, at most"), default=5)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "code"]
        default_permissions = ()

    def __str__(self) -> str:
        return self.code

    def name_in(self, language: str) -> str:
        names = self.names or {}
        return str(names.get(language) or names.get("en") or next(iter(names.values()), self.code))


class ShippingRate(models.Model):
    method = models.ForeignKey(ShippingMethod, on_delete=models.CASCADE, related_name="rates")
    currency = models.CharField(max_length=3)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    # Orders whose goods come to at least this ship free; empty: never free.
    free_above = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["method", "currency"], name="one_rate_per_currency"),
            models.CheckConstraint(condition=Q(price__gte=0), name="shipping_price_not_negative"),
        ]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.method_id} {self.price} {self.currency}"


class CheckoutAttempt(models.Model):
    key = models.CharField(max_length=100, unique=True)
    cart = models.ForeignKey(Cart, on_delete=models.SET_NULL, null=True, related_name="attempts")
    status = models.CharField(max_length=20, choices=AttemptStatus.choices)
    spec = models.JSONField()
    gateway = models.CharField(max_length=30)
    payment_id = models.IntegerField(null=True, blank=True)
    order = models.OneToOneField(
        Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="checkout"
    )
    failure_code = models.CharField(max_length=40, blank=True, default="")
    failure_message = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["status", "updated_at"], name="attempt_by_status")]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"
