"""Background work of payments: the reconciliation job (S10)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta

from django_tasks import task

from storeteam.core.scheduling import periodic
from storeteam.payments.services import payments_reconcile


@periodic(every=timedelta(minutes=2))
@task()
def payments_reconcile_run() -> dict[str, int]:
    """Settle payments left half-done and flag for staff what cannot be settled."""
    return asdict(payments_reconcile())
