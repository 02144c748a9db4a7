"""Core tables: the outbox of domain events and its deliveries, the audit log, schedules."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OutboxEvent(models.Model):
    """A domain event, written in the same transaction as the change that caused it."""

    name = models.CharField(max_length=120, db_index=True)
    payload = models.JSONField()
    occurred_at = models.DateTimeField()
    # Who or what caused it, for people reading the log (e.g. "staff:12", "customer:7", "system").
    actor = models.CharField(max_length=80, blank=True, default="")

    class Meta:
        verbose_name = _("domain event")
        verbose_name_plural = _("domain events")
        ordering = ["-id"]
        permissions = [
            ("view_event_outbox", _("Can see domain events, their deliveries and dead letters")),
            ("retry_event_delivery", _("Can retry a dead-lettered event delivery")),
        ]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    DEAD = "dead", _("Dead letter")


class EventDelivery(models.Model):
    """One handler's receipt of one event. Delivered at most once as an effect, retried until then.

    The handler's own writes commit in the same transaction that marks the delivery delivered, so a
    crash either keeps both or neither (see docs/adr/0002-outbox.md).
    """

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="deliveries")
    handler = models.CharField(max_length=200)
    state = models.CharField(
        max_length=12, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True, default="")
    delivered_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("event delivery")
        verbose_name_plural = _("event deliveries")
        constraints = [
            models.UniqueConstraint(fields=["event", "handler"], name="one_delivery_per_handler"),
            models.CheckConstraint(
                condition=~Q(state="delivered") | Q(delivered_at__isnull=False),
                name="delivered_has_time",
            ),
        ]
        indexes = [
            # The sweeper's query: pending deliveries that are due.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state="pending"),
                name="delivery_pending_due",
            ),
            models.Index(fields=["state", "-updated_at"], name="delivery_state_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.handler} ← {self.event_id} ({self.state})"


class AuditEntry(models.Model):
    """A staff action: who did what to which thing, when, with the state before and after."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=120, db_index=True)
    target_type = models.CharField(max_length=120, blank=True, default="")
    target_id = models.CharField(max_length=64, blank=True, default="")
    target_label = models.CharField(max_length=255, blank=True, default="")
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True, default="")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target")]
        permissions = [("view_audit_log", _("Can read the audit log of staff actions"))]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def changes(self) -> list[tuple[str, Any, Any]]:
        """Fields that differ between before and after, for display."""
        before = self.before or {}
        after = self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class ScheduledJob(models.Model):
    """When a periodic job next runs. Workers claim a run with a conditional update, so with many
    workers each run is enqueued exactly once."""

    name = models.CharField(max_length=200, primary_key=True)
    next_run_at = models.DateTimeField()
    last_enqueued_at = models.DateTimeField(null=True, blank=True)
    runs = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")

    def __str__(self) -> str:
        return self.name
