"""Background work of the core: event delivery and the outbox sweep.

Tasks are thin: they parse their arguments and call one service.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django_tasks import task
from django_tasks.base import Task

from storeteam.core import outbox
from storeteam.core.scheduling import periodic

logger = logging.getLogger(__name__)


def enqueue_safely(job: Task[Any, Any], *args: Any, run_after: datetime | None = None) -> None:
    """Hand work to the task backend; if the backend is unreachable, log it and leave the work to
    the periodic sweep (the outbox row is already committed, so nothing is lost)."""
    try:
        (job.using(run_after=run_after) if run_after else job).enqueue(*args)
    except Exception:
        logger.exception("could not enqueue %s%r; the outbox sweep will pick it up", job.name, args)


@task()
def deliver_event(event_id: int) -> int:
    """Deliver one event to each of its handlers that is due. Returns how many were attempted."""
    return len(outbox.event_deliver(event_id=event_id))


@task()
def deliver_event_batch(event_ids: list[int]) -> int:
    """Deliver each of several events (those one request committed) to its due handlers. Returns
    how many deliveries were attempted."""
    return sum(len(outbox.event_deliver(event_id=int(event_id))) for event_id in event_ids)


@periodic(every=timedelta(seconds=15))
@task()
def outbox_sweep() -> int:
    """Hand every event with a due delivery to the workers: retries after backoff, and any event
    whose hand-off after commit was lost. Returns how many events were handed on."""
    event_ids = outbox.deliveries_due()
    for event_id in event_ids:
        enqueue_safely(deliver_event, event_id)
    return len(event_ids)


@periodic(every=timedelta(hours=6))
@task()
def outbox_prune() -> int:
    """Remove events delivered long ago, keeping the outbox small."""
    return outbox.outbox_prune(older_than=timedelta(days=settings.OUTBOX_KEEP_DELIVERED_DAYS))
