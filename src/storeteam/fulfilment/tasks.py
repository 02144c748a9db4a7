"""Background work of fulfilment: the packing stations' print queues (F2), following parcels
with their carriers (F5), the external warehouse links (F4) and the capacity check (F3)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Any

from django_tasks import task

from storeteam.core.scheduling import periodic
from storeteam.fulfilment.capacity import capacity_check
from storeteam.fulfilment.link import links_drain
from storeteam.fulfilment.printing import print_queues_run
from storeteam.fulfilment.tracking import tracking_poll


@periodic(every=timedelta(seconds=10))
@task()
def print_queues_send() -> dict[str, Any]:
    """Send every station's due labels and slips; mark uncertain the jobs of dead workers."""
    return {code: asdict(run) for code, run in print_queues_run().items()}


@periodic(every=timedelta(minutes=10))
@task()
def tracking_poll_run() -> int:
    """Record the new steps of every parcel on its way (F5). Returns how many."""
    return tracking_poll()


@periodic(every=timedelta(seconds=15))
@task()
def links_drain_run() -> int:
    """Send the orders waiting for external warehouse systems, in order (F4). Returns how many."""
    return links_drain()


@periodic(every=timedelta(minutes=10))
@task()
def capacity_check_run() -> int:
    """Warn the logistics managers of parcels that will miss today's deadline (F3)."""
    return len(capacity_check())
