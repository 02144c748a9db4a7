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
from django.db.models import F
from django.utils import timezone

from storeteam.core.audit import audit_record
from storeteam.core.errors import DomainError
from storeteam.core.events import Envelope, UnknownEventError, event_decode, registry
from storeteam.core.models import DeliveryState, EventDelivery, OutboxEvent

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
    dead, not yet due, or claimed by another worker).

    Two steps. First the attempt is *claimed*: counted and leased (not due again until the lease
    ends) in a transaction of its own, so a handler that kills its worker still uses up an attempt
    and ends as a dead letter instead of looping. Then the row is locked and the handler runs; its
    writes and the "delivered" mark commit together, and on failure its writes roll back to a
    savepoint and only the failure is recorded. A handler that outlives its lease is waited for
    (the lock), never run twice at once.
    """
    now = timezone.now()
    lease_ends = now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    with transaction.atomic():
        claimed = EventDelivery.objects.filter(
            pk=delivery_id, state=DeliveryState.PENDING, next_attempt_at__lte=now
        ).update(attempts=F("attempts") + 1, next_attempt_at=lease_ends)
    if not claimed:
        return None
    with transaction.atomic():
        delivery = (
            EventDelivery.objects.select_for_update().select_related("event").get(pk=delivery_id)
        )
        if delivery.state != DeliveryState.PENDING:
            return None  # a slow earlier attempt finished while this one waited for the lock
        spec = registry.find_handler(delivery.handler)
        max_attempts = spec.max_attempts if spec else settings.OUTBOX_MAX_ATTEMPTS
        if delivery.attempts > max_attempts:
            return _give_up(
                delivery, "the worker stopped during the last attempt; no attempts are left"
            )
        event_row = delivery.event
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
                        delivery_id=delivery.pk,
                    ),
                )
        except Exception as exc:
            error = "".join(traceback.format_exception(exc, limit=8))[-4000:]
            if delivery.attempts >= max_attempts:
                return _give_up(delivery, error)
            delivery.last_error = error
            delivery.next_attempt_at = timezone.now() + backoff(delivery.attempts)
            delivery.save(update_fields=["last_error", "next_attempt_at"])
            _schedule(delivery.event_id, delivery.next_attempt_at)
            return AttemptOutcome(
                delivery.pk, delivery.state, delivery.attempts, delivery.next_attempt_at
            )
        delivery.state = DeliveryState.DELIVERED
        delivery.delivered_at = timezone.now()
        delivery.last_error = ""
        delivery.save(update_fields=["state", "delivered_at", "last_error"])
        return AttemptOutcome(delivery.pk, delivery.state, delivery.attempts)


def _give_up(delivery: EventDelivery, error: str) -> AttemptOutcome:
    delivery.state = DeliveryState.DEAD
    delivery.last_error = error
    delivery.save(update_fields=["state", "last_error"])
    logger.error(
        "event delivery %s (%s) dead-lettered after %s attempts",
        delivery.pk,
        delivery.handler,
        delivery.attempts,
    )
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


def outbox_prune(*, older_than: timedelta) -> int:
    """Delete events whose every delivery was delivered more than ``older_than`` ago, and old
    events no handler listened to. Pending and dead deliveries are never pruned.

    Returns the number of rows deleted (events and their deliveries)."""
    cutoff = timezone.now() - older_than
    unfinished = EventDelivery.objects.exclude(state=DeliveryState.DELIVERED).values("event_id")
    recent = EventDelivery.objects.filter(delivered_at__gt=cutoff).values("event_id")
    deleted, _ = (
        OutboxEvent.objects.filter(occurred_at__lt=cutoff)
        .exclude(pk__in=unfinished)
        .exclude(pk__in=recent)
        .delete()
    )
    return deleted


def delivery_retry(
    *, delivery_id: int, actor: object, ip_address: str | None = None
) -> EventDelivery:
    """Put a dead-lettered delivery back in line now with a fresh set of attempts; audited (the
    audit entry keeps how many attempts it had used)."""
    with transaction.atomic():
        delivery = EventDelivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None or delivery.state != DeliveryState.DEAD:
            raise DeliveryNotRetryableError()
        before = {"state": delivery.state, "attempts": delivery.attempts}
        delivery.state = DeliveryState.PENDING
        delivery.attempts = 0
        delivery.next_attempt_at = timezone.now()
        delivery.save(update_fields=["state", "attempts", "next_attempt_at"])
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
