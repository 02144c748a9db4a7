"""Work a web server does once, before it forks its workers, instead of each worker doing it for
its first shopper: each domain registers what to load (``warmup``), and ``storeteam serve`` runs
them all (``warmups_run``), then closes the database connections so that none crosses the fork.
The workers start with what was loaded, sharing its memory until they change it."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

_warmups: dict[str, Callable[[], None]] = {}


def warmup(load: Callable[[], None]) -> Callable[[], None]:
    """Register ``load`` to run in the web server before it forks."""
    _warmups[f"{load.__module__}.{load.__qualname__}"] = load
    return load


def warmups_run() -> dict[str, float]:
    """Run every registered warm-up; returns the seconds each took. One that fails (a database
    not yet migrated, say) is logged and skipped: the workers then load lazily."""
    took: dict[str, float] = {}
    try:
        for name, load in _warmups.items():
            started = time.monotonic()
            try:
                load()
            except DatabaseError as exc:
                logger.warning("warm-up %s skipped: %s", name, exc)
                continue
            took[name] = time.monotonic() - started
    finally:
        connections.close_all()
    return took
