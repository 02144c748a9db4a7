"""The outbox dispatcher: delivers each pending event delivery to its handler, once as an effect.

Reads and writes only core tables; the handlers it calls do their own domain's writes, inside the
same transaction that marks their delivery delivered.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from storeteam.core.audit import audit_record
from storeteam.core.errors import DomainError
from storeteam.core.events import Envelope, UnknownEventError, event_decode, registry
from storeteam.core.models import DeliveryState, EventDelivery

logger = logging.getLogger(__name__)


class DeliveryNotRetryableError(DomainError):
    """Only a dead-lettered delivery can be retried by hand."""


@dataclass(frozen=True)
class AttemptOutcome:
    delivery_id: int
    state: str
    attempts: int
    next_attempt_at: datetime | None = None


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after ``attempts`` failures: 5 s, 10 s, 20 s … capped at an hour."""
    seconds = settings.OUTBOX_BACKOFF_SECONDS * (2 ** max(attempts - 1, 0))
    return timedelta(seconds=min(seconds, settings.OUTBOX_BACKOFF_CAP_SECONDS))


def delivery_attempt(*, delivery_id: int) -> AttemptOutcome | None:
    """Try one pending, due delivery. Return None when there was nothing to do (already delivered,
    dead, not yet due, or being attempted by another worker right now).

    The row is locked for the whole attempt (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: the
    write lock an IMMEDIATE transaction takes), so two workers never run one delivery at once.
    The handler's writes and the "delivered" mark commit together; on failure the handler's writes
    roll back to a savepoint and only the failure is recorded.
    """
    with transaction.atomic():
        now = timezone.now()
        delivery = (
            EventDelivery.objects.select_for_update(skip_locked=True)
            .select_related("event")
            .filter(pk=delivery_id, state=DeliveryState.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if delivery is None:
            return None
        delivery.attempts += 1
        event_row = delivery.event
        spec = registry.find_handler(delivery.handler)
        max_attempts = spec.max_attempts if spec else settings.OUTBOX_MAX_ATTEMPTS
        try:
            with transaction.atomic():
                if spec is None:
                    raise UnknownEventError(f"no handler named {delivery.handler} is registered")
                event = event_decode(event_row.name, event_row.payload)
                spec.func(
                    event,
                    Envelope(
                        event_id=event_row.pk,
                        event_name=event_row.name,
                        occurred_at=event_row.occurred_at,
                        actor=event_row.actor,
                        attempt=delivery.attempts,
                    ),
                )
        except Exception as exc:
            delivery.last_error = "".join(traceback.format_exception(exc, limit=8))[-4000:]
            if delivery.attempts >= max_attempts:
                delivery.state = DeliveryState.DEAD
                logger.error(
                    "event delivery %s dead-lettered after %s attempts: %s",
                    delivery.pk,
                    delivery.attempts,
                    exc,
                )
            else:
                delivery.next_attempt_at = now + backoff(delivery.attempts)
                _schedule(delivery.event_id, delivery.next_attempt_at)
            delivery.save(update_fields=["attempts", "last_error", "state", "next_attempt_at"])
            return AttemptOutcome(
                delivery.pk,
                delivery.state,
                delivery.attempts,
                delivery.next_attempt_at if delivery.state == DeliveryState.PENDING else None,
            )
        delivery.state = DeliveryState.DELIVERED
        delivery.delivered_at = timezone.now()
        delivery.last_error = ""
        delivery.save(update_fields=["attempts", "state", "delivered_at", "last_error"])
        return AttemptOutcome(delivery.pk, delivery.state, delivery.attempts)


def _schedule(event_id: int, run_after: datetime) -> None:
    def enqueue() -> None:
        from storeteam.core.tasks import deliver_event, enqueue_safely

        enqueue_safely(deliver_event, event_id, run_after=run_after)

    transaction.on_commit(enqueue)


def event_deliver(*, event_id: int) -> list[AttemptOutcome]:
    """Attempt every pending, due delivery of one event, each in its own transaction."""
    ids = list(
        EventDelivery.objects.filter(
            event_id=event_id, state=DeliveryState.PENDING, next_attempt_at__lte=timezone.now()
        ).values_list("pk", flat=True)
    )
    outcomes = []
    for delivery_id in ids:
        outcome = delivery_attempt(delivery_id=delivery_id)
        if outcome is not None:
            outcomes.append(outcome)
    return outcomes


def deliveries_due(*, limit: int = 500) -> list[int]:
    """Events with a pending delivery that is due: what the sweep hands to the workers."""
    return list(
        EventDelivery.objects.filter(
            state=DeliveryState.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at")
        .values_list("event_id", flat=True)
        .distinct()[:limit]
    )


def delivery_retry(
    *, delivery_id: int, actor: object, ip_address: str | None = None
) -> EventDelivery:
    """Put a dead-lettered delivery back in line now, keeping its history; audited."""
    with transaction.atomic():
        delivery = EventDelivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None or delivery.state != DeliveryState.DEAD:
            raise DeliveryNotRetryableError()
        before = {"state": delivery.state, "attempts": delivery.attempts}
        delivery.state = DeliveryState.PENDING
        delivery.next_attempt_at = timezone.now()
        delivery.save(update_fields=["state", "next_attempt_at"])
        audit_record(
            actor=actor,
            action="event_delivery.retry",
            target=delivery,
            before=before,
            after={"state": delivery.state, "attempts": delivery.attempts},
            ip_address=ip_address,
        )
        _schedule(delivery.event_id, delivery.next_attempt_at)
    return delivery
