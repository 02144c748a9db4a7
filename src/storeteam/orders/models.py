"""Orders (I3, S9): what a shopper bought, at what price, shipped where, and every step since.

An order is written once, complete, by ``orders.services.order_place`` from a checkout whose
payment went through: lines, prices and addresses are copies, so later catalog or price changes
never rewrite what the customer bought. Its state moves only through ``order_transition``, which
records an ``OrderHistory`` row and publishes a domain event in the same transaction.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from storeteam.catalog.models import Variant
from storeteam.core.money import Money
from storeteam.orders.choices import OrderStatus

ZERO = Decimal("0")
# Order numbers are the primary key plus this, so they look like a store's numbers (100001 ...)
# and need no second write or sequence of their own.
NUMBER_OFFSET = 100000


class Order(models.Model):
    # The checkout's idempotency key: one order per checkout, whatever retries happen.
    reference = models.CharField(max_length=100, unique=True)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
    )
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True, default="")
    language = models.CharField(max_length=8)
    currency = models.CharField(max_length=3)
    country = models.CharField(max_length=2)
    shipping_address = models.JSONField()
    shipping_method = models.CharField(max_length=40)
    shipping_method_name = models.CharField(max_length=120)
    status = models.CharField(max_length=20, choices=OrderStatus.choices)
    subtotal = models.DecimalField(max_digits=14, decimal_places=2)
    shipping_total = models.DecimalField(max_digits=14, decimal_places=2)
    tax_total = models.DecimalField(max_digits=14, decimal_places=2)
    total = models.DecimalField(max_digits=14, decimal_places=2)
    refunded_total = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    payment_id = models.IntegerField(null=True, blank=True)
    payment_gateway = models.CharField(max_length=30, blank=True, default="")
    payment_summary = models.CharField(max_length=60, blank=True, default="")
    # Set when a person must look (stock counted away after payment, a refund the provider
    # refused ...); the staff order list shows these first.
    needs_attention = models.BooleanField(default=False)
    attention_reason = models.CharField(max_length=300, blank=True, default="")
    # Claimed before the confirmation email is sent, so a retried delivery never sends it twice.
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    placed_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(subtotal__gte=0)
                & Q(shipping_total__gte=0)
                & Q(tax_total__gte=0)
                & Q(total__gte=0),
                name="order_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(refunded_total__gte=0) & Q(refunded_total__lte=F("total")),
                name="order_refunds_within_total",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "placed_at"], name="order_by_status"),
            models.Index(fields=["customer", "placed_at"], name="order_by_customer"),
            models.Index(fields=["email"], name="order_by_email"),
            models.Index(fields=["placed_at"], name="order_by_date"),
        ]
        permissions = [
            ("view_orders", _("Can see orders and their history")),
            ("manage_orders", _("Can cancel and refund orders")),
        ]
        default_permissions = ()

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return str(NUMBER_OFFSET + self.pk) if self.pk else ""

    @property
    def total_money(self) -> Money:
        return Money(self.total, self.currency)

    @property
    def refundable(self) -> Money:
        return Money(self.total - self.refunded_total, self.currency)


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(Variant, on_delete=models.SET_NULL, null=True, related_name="+")
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=250)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    tax_rate = models.DecimalField(max_digits=5, decimal_places=4)
    line_total = models.DecimalField(max_digits=14, decimal_places=2)
    quantity_shipped = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity"),
            models.CheckConstraint(
                condition=Q(quantity_shipped__lte=F("quantity")), name="order_line_shipped_within"
            ),
        ]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku}"


class OrderHistory(models.Model):
    """One step in the order's life: a change of state, a refund, a note. Who, when and why."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=20, blank=True, default="")
    to_status = models.CharField(max_length=20, blank=True, default="")
    kind = models.CharField(max_length=30)
    note = models.CharField(max_length=500, blank=True, default="")
    actor = models.CharField(max_length=80, blank=True, default="")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["order", "at"], name="order_history_by_order")]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind} {self.to_status}"
