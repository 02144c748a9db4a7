"""Background work of checkout: finishing or undoing checkouts left half-way."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta

from django_tasks import task

from storeteam.checkout.services import checkout_reconcile
from storeteam.core.scheduling import periodic


@periodic(every=timedelta(minutes=1))
@task()
def checkout_reconcile_run() -> dict[str, int]:
    """Complete checkouts whose payment went through, fail those whose did not (I3, S10)."""
    return asdict(checkout_reconcile())
