"""Periodic jobs, scheduled by the workers themselves.

Each worker runs ``scheduler_tick`` every second. A run is claimed by a conditional UPDATE on the
job's ``next_run_at``, so however many workers tick, each run is enqueued once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db import IntegrityError, close_old_connections, transaction
from django.db.models import F
from django.utils import timezone
from django_tasks.base import Task

from storeteam.core.models import ScheduledJob

logger = logging.getLogger(__name__)
T = TypeVar("T", bound=Task[Any, Any])


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: Task[Any, Any]
    every: timedelta


_jobs: dict[str, PeriodicJob] = {}


def periodic(*, every: timedelta) -> Callable[[T], T]:
    """Run this task every ``every`` while at least one worker is up."""

    def register(job: T) -> T:
        _jobs[job.module_path] = PeriodicJob(name=job.module_path, task=job, every=every)
        return job

    return register


def periodic_jobs() -> list[PeriodicJob]:
    return list(_jobs.values())


def scheduler_tick(*, now: datetime | None = None) -> list[str]:
    """Enqueue every periodic job that is due and that no other worker claimed first."""
    now = now or timezone.now()
    enqueued = []
    for job in periodic_jobs():
        if not ScheduledJob.objects.filter(name=job.name).exists():
            try:
                with transaction.atomic():
                    ScheduledJob.objects.create(name=job.name, next_run_at=now)
            except IntegrityError:
                pass  # another worker created it first
        claimed = ScheduledJob.objects.filter(name=job.name, next_run_at__lte=now).update(
            next_run_at=now + job.every, last_enqueued_at=now, runs=F("runs") + 1
        )
        if claimed:
            try:
                job.task.enqueue()
                enqueued.append(job.name)
            except Exception:
                logger.exception("could not enqueue periodic job %s", job.name)
    return enqueued


class Scheduler(threading.Thread):
    """A daemon thread in each worker process that ticks the schedule."""

    def __init__(self, *, interval: float = 1.0) -> None:
        super().__init__(name="storeteam-scheduler", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                close_old_connections()
                scheduler_tick()
            except Exception:
                logger.exception("scheduler tick failed; trying again")
            finally:
                close_old_connections()
            self.stopped.wait(self.interval)

    def stop(self) -> None:
        self.stopped.set()
