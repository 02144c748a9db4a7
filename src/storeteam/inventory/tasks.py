"""Background work of inventory: releasing reservations whose checkout never finished."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from storeteam.core.scheduling import periodic
from storeteam.inventory.services import reservations_expire


@periodic(every=timedelta(minutes=1))
@task()
def reservations_expire_due() -> int:
    """Release the stock of every reservation past its expiry (I2). Returns how many."""
    return reservations_expire()
