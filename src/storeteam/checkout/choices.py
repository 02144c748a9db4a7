from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CartStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ORDERED = "ordered", _("Ordered")
    MERGED = "merged", _("Merged into the customer's cart")


class AttemptStatus(models.TextChoices):
    # Stock is being reserved; nothing has been asked of the payment provider yet. (Attempts are
    # now written with their reservation in one transaction, as ``paying``; older rows and the
    # reconciliation job still know this state.)
    RESERVING = "reserving", _("Reserving stock")
    # The payment provider has been asked; its answer is not in (or was lost).
    PAYING = "paying", _("Paying")
    # The provider waits for the shopper (3-D Secure); a webhook finishes it.
    AWAITING_PAYMENT = "awaiting_payment", _("Waiting for the shopper's bank")
    COMPLETED = "completed", _("Order placed")
    FAILED = "failed", _("Failed")


OPEN_ATTEMPTS = frozenset(
    {AttemptStatus.RESERVING, AttemptStatus.PAYING, AttemptStatus.AWAITING_PAYMENT}
)
