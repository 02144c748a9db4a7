"""`storeteam worker`: runs background tasks and the periodic schedule.

With the database task backend (the default) it runs django-tasks-db's worker; with REDIS_URL set,
an RQ worker. Either way a scheduler thread enqueues periodic jobs; many workers may run at once.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from storeteam.core.scheduling import Scheduler, scheduler_tick


class Command(BaseCommand):
    help = "Run background tasks (event delivery, periodic jobs) until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Run what is due now, then exit (for cron and tests).",
        )
        parser.add_argument("--interval", type=float, default=0.5)

    def handle(self, *args: Any, **options: Any) -> None:
        backend = settings.TASKS["default"]["BACKEND"]
        scheduler = None
        if options["batch"]:
            scheduler_tick()
        else:
            scheduler = Scheduler()
            scheduler.start()
        try:
            if backend == "django_tasks_rq.RQBackend":
                call_command(
                    "rqworker",
                    "default",
                    worker_class="rq.worker.SimpleWorker",
                    job_class="django_tasks_rq.backend.Job",
                    burst=options["batch"],
                    with_scheduler=True,
                    verbosity=options["verbosity"],
                )
            else:
                call_command(
                    "db_worker",
                    queue_name="*",
                    batch=options["batch"],
                    interval=options["interval"],
                    reload=False,
                    startup_delay=not options["batch"],
                    verbosity=options["verbosity"],
                )
        finally:
            if scheduler is not None:
                scheduler.stop()
