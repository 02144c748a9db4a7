"""Background work of the storefront: pruning the record of listing changes."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from storeteam.core.scheduling import periodic
from storeteam.storefront.services import listing_changes_prune


@periodic(every=timedelta(minutes=10))
@task()
def listing_changes_prune_due() -> int:
    """Forget listing changes older than an hour (a process's facet index that has not caught up
    by then reloads the listing). Returns rows deleted."""
    return listing_changes_prune()
