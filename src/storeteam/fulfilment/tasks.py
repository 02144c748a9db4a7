"""Background work of fulfilment: the packing stations' print queues (F2)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Any

from django_tasks import task

from storeteam.core.scheduling import periodic
from storeteam.fulfilment.printing import print_queues_run


@periodic(every=timedelta(seconds=10))
@task()
def print_queues_send() -> dict[str, Any]:
    """Send every station's due labels and slips; mark uncertain the jobs of dead workers."""
    return {code: asdict(run) for code, run in print_queues_run().items()}
