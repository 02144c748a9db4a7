"""Returns (R1): a customer (or customer service on their behalf) asks to send back lines of a
shipped order, staff approve or reject, the warehouse receives and inspects each unit, restocks
(a ledger movement) or scraps it, and the money goes back through the order's payment."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from storeteam.inventory.models import Warehouse
from storeteam.orders.models import Order, OrderLine


class ReturnReason(models.TextChoices):
    TOO_SMALL = "too_small", _("Too small")
    TOO_LARGE = "too_large", _("Too large")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
    DAMAGED = "damaged", _("Arrived damaged")
    WRONG_ITEM = "wrong_item", _("Wrong item sent")
    CHANGED_MIND = "changed_mind", _("Changed my mind")
    OTHER = "other", _("Other")


# Reasons that are the store's fault: the customer gets the shipping back too.
STORE_FAULT = frozenset(
    {ReturnReason.NOT_AS_DESCRIBED, ReturnReason.DAMAGED, ReturnReason.WRONG_ITEM}
)


class ReturnStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved: send it back")
    REJECTED = "rejected", _("Rejected")
    RECEIVED = "received", _("Received at the warehouse")
    REFUNDED = "refunded", _("Refunded")


class ReturnRequest(models.Model):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="returns")
    status = models.CharField(
        max_length=12, choices=ReturnStatus.choices, default=ReturnStatus.REQUESTED
    )
    # "customer" or "staff:<id>": who started it (customer service may, on the customer's behalf).
    requested_by = models.CharField(max_length=80)
    decision_note = models.CharField(max_length=300, blank=True, default="")
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    refund_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="return_by_status")]
        permissions = [
            ("view_returns", _("Can see returns")),
            ("manage_returns", _("Can start, approve, reject and refund returns")),
            ("receive_returns", _("Can receive and inspect returned items")),
        ]
        default_permissions = ()

    def __str__(self) -> str:
        return f"RMA {self.pk} for {self.order_id}"

    @property
    def number(self) -> str:
        return f"R{self.pk}"


class Inspection(models.TextChoices):
    PENDING = "", _("Not inspected")
    RESTOCK = "restock", _("Back to stock")
    SCRAP = "scrap", _("Scrapped")


class ReturnLine(models.Model):
    request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    reason = models.CharField(max_length=20, choices=ReturnReason.choices)
    note = models.CharField(max_length=300, blank=True, default="")
    received = models.PositiveIntegerField(default=0)
    restocked = models.PositiveIntegerField(default=0)
    scrapped = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="return_line_quantity"),
            models.CheckConstraint(
                condition=Q(received__lte=F("quantity")), name="return_line_received_within"
            ),
            models.CheckConstraint(
                condition=Q(restocked__lte=F("received") - F("scrapped")),
                name="return_line_inspected_within",
            ),
        ]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.quantity} of line {self.order_line_id}"

    @property
    def inspected(self) -> int:
        return self.restocked + self.scrapped


class ReturnNotice(models.Model):
    """An email the customer was sent about a return (approved, rejected, refunded), claimed
    before sending so it is sent once."""

    request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=20)
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "kind"], name="return_notice_once")
        ]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind}"
