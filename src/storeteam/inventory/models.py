"""Inventory (I1-I4): warehouses, stock per variant per warehouse, the stock ledger, reservations
and allocations.

Quantities change only through ``inventory.services``, which writes one ``StockMovement`` per
change, so every stock row's on hand, reserved and allocated equal the sums of its movements'
deltas (``storeteam stock-audit`` checks it). The database backs the invariants with CHECK
constraints: no quantity is ever negative and reserved + allocated never exceed on hand.
See docs/adr/0005-inventory-ledger-and-locking.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from storeteam.catalog.models import Variant


class Warehouse(models.Model):
    """A place that holds stock and ships to the countries it serves.

    ``priority`` orders warehouses when several could fill an order line (lower first); see the
    allocation rule in ``inventory.services``."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    country = models.CharField(_("country"), max_length=2)
    priority = models.PositiveSmallIntegerField(_("priority"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    # Given to each new stock row of this warehouse; the inventory manager tunes rows after.
    low_stock_threshold = models.PositiveIntegerField(_("low-stock threshold"), default=0)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["priority", "code"]

    def __str__(self) -> str:
        return f"{self.code} ({self.country})"


class WarehouseCountry(models.Model):
    """A shipping country a warehouse serves: its stock counts as salable for shoppers there."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="serves")
    country = models.CharField(max_length=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["country", "warehouse"], name="warehouse_serves_once")
        ]

    def __str__(self) -> str:
        return f"{self.warehouse_id} serves {self.country}"


class Stock(models.Model):
    """One variant in one warehouse.

    ``on_hand`` is physically there; ``reserved`` is held for checkouts in progress; ``allocated``
    is promised to placed orders and not yet shipped; ``safety_stock`` is never offered for sale.
    Salable here = max(on_hand - reserved - allocated - safety_stock, 0). The row is low
    (``is_low``) while its salable quantity is at or below ``low_stock_threshold`` (I4).
    """

    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="stock")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="stock")
    on_hand = models.IntegerField(default=0)
    reserved = models.IntegerField(default=0)
    allocated = models.IntegerField(default=0)
    safety_stock = models.IntegerField(default=0)
    low_stock_threshold = models.IntegerField(default=0)
    # Kept by the services at every movement, so StockLow is published once per crossing.
    is_low = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # The two permissions of the inventory workspace replace Django's per-model defaults.
        default_permissions = ()
        permissions = [
            ("view_stock", _("Can see stock, movements and low stock")),
            ("manage_stock", _("Can receive, adjust, count and transfer stock")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["variant", "warehouse"], name="stock_one_per_place"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stock_on_hand_not_negative"),
            models.CheckConstraint(
                condition=Q(reserved__gte=0), name="stock_reserved_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(allocated__gte=0), name="stock_allocated_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(safety_stock__gte=0), name="stock_safety_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(low_stock_threshold__gte=0), name="stock_threshold_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(on_hand__gte=F("reserved") + F("allocated")),
                name="stock_held_within_on_hand",
            ),
        ]
        indexes = [
            models.Index(fields=["warehouse", "variant"], name="stock_by_warehouse"),
            models.Index(fields=["warehouse", "is_low"], name="stock_low_by_warehouse"),
        ]

    def __str__(self) -> str:
        return f"{self.variant_id} in {self.warehouse_id}"

    @property
    def salable(self) -> int:
        return max(self.on_hand - self.reserved - self.allocated - self.safety_stock, 0)

    @property
    def free(self) -> int:
        """Units neither reserved nor allocated (safety stock included): what may leave by a
        transfer or an adjustment."""
        return self.on_hand - self.reserved - self.allocated


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    RESERVATION = "reservation", _("Reservation")
    RELEASE = "release", _("Release")
    ALLOCATION = "allocation", _("Allocation")
    SHIPMENT = "shipment", _("Shipment")
    RETURN = "return", _("Return")
    ADJUSTMENT = "adjustment", _("Adjustment")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    COUNT = "count", _("Count")


class StockMovement(models.Model):
    """One line of the stock ledger (I3): what changed on one stock row, by whom, why, and for
    what. Never updated or deleted. ``variant`` and ``warehouse`` repeat the stock row's, so the
    movement screens filter on indexed columns without a join."""

    stock = models.ForeignKey(Stock, on_delete=models.PROTECT, related_name="movements")
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=MovementKind.choices)
    on_hand_delta = models.IntegerField(default=0)
    reserved_delta = models.IntegerField(default=0)
    allocated_delta = models.IntegerField(default=0)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, default="system")
    reason = models.CharField(max_length=500, blank=True, default="")
    reference = models.CharField(max_length=100, blank=True, default="")
    at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["stock", "id"], name="movement_by_stock"),
            models.Index(fields=["warehouse", "at"], name="movement_by_warehouse"),
            models.Index(fields=["variant", "at"], name="movement_by_variant"),
            models.Index(fields=["kind", "at"], name="movement_by_kind"),
            models.Index(fields=["at"], name="movement_by_time"),
            models.Index(fields=["reference"], name="movement_by_reference"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.kind} {self.on_hand_delta:+}/{self.reserved_delta:+}/{self.allocated_delta:+}"
        )


class ReservationStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RELEASED = "released", _("Released")
    EXPIRED = "expired", _("Expired")
    ALLOCATED = "allocated", _("Allocated")


class Reservation(models.Model):
    """Stock held for one checkout until ``expires_at`` (I2). ``key`` is the caller's idempotency
    key (one per checkout): asking again with the same key returns this reservation."""

    key = models.CharField(max_length=100, unique=True)
    country = models.CharField(max_length=2)
    status = models.CharField(
        max_length=10, choices=ReservationStatus.choices, default=ReservationStatus.ACTIVE
    )
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "expires_at"], name="reservation_expiry")]

    def __str__(self) -> str:
        return f"reservation {self.key}"


class ReservationLine(models.Model):
    """Units of one variant held in one warehouse for a reservation."""

    reservation = models.ForeignKey(Reservation, on_delete=models.CASCADE, related_name="lines")
    stock = models.ForeignKey(Stock, on_delete=models.PROTECT, related_name="reservation_lines")
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="+")
    quantity = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reservation", "stock"], name="reservation_line_once"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="reservation_line_positive"),
        ]
        indexes = [models.Index(fields=["stock"], name="reservation_line_by_stock")]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.variant_id} for {self.reservation_id}"


class Allocation(models.Model):
    """Units of one variant promised to one order (``reference``) in one warehouse; ``shipped``
    of them have left. Open while shipped + released < quantity."""

    reference = models.CharField(max_length=100)
    stock = models.ForeignKey(Stock, on_delete=models.PROTECT, related_name="allocations")
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="+")
    quantity = models.IntegerField()
    shipped = models.IntegerField(default=0)
    released = models.IntegerField(default=0)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reference", "stock"], name="allocation_once"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="allocation_positive"),
            models.CheckConstraint(
                condition=Q(shipped__gte=0) & Q(released__gte=0), name="allocation_parts_positive"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=F("shipped") + F("released")),
                name="allocation_parts_within_quantity",
            ),
        ]
        indexes = [models.Index(fields=["stock"], name="allocation_by_stock")]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.variant_id} for {self.reference}"

    @property
    def open_quantity(self) -> int:
        return self.quantity - self.shipped - self.released
