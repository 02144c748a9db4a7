"""`storeteam serve`: the production web server (gunicorn), never Django's runserver."""

from __future__ import annotations

import os
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve the store with gunicorn. Refuses to start with unsafe production settings."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1))),
        )
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", 1)))
        parser.add_argument("--timeout", type=int, default=30)
        parser.add_argument("--access-log", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        # Production refuses the development secret key and DEBUG=true (checks tagged deploy).
        call_command("check", deploy=True, fail_level="ERROR", verbosity=0)
        from django.core.wsgi import get_wsgi_application
        from gunicorn.app.base import BaseApplication

        application = get_wsgi_application()
        from storeteam.core.warmup import warmups_run

        warmed = warmups_run()  # before the fork: every worker starts with it
        if warmed:
            self.stdout.write(
                "warmed up: " + ", ".join(f"{name} ({s:.1f} s)" for name, s in warmed.items())
            )

        settings = {
            "bind": options["bind"],
            "workers": options["workers"],
            "threads": options["threads"],
            "timeout": options["timeout"],
            "accesslog": "-" if options["access_log"] else None,
            "proc_name": "storeteam",
            # gunicorn's control socket sits at one path per host: with it, a second server on the
            # same machine (scale-out, or a test beside a demo) would fail to start.
            "control_socket_disable": True,
            # gunicorn's heartbeat files go to memory, not a disk that may stall under load.
            "worker_tmp_dir": "/dev/shm" if os.path.isdir("/dev/shm") else None,  # noqa: S108
        }

        class StoreServer(BaseApplication):  # type: ignore[misc]
            def load_config(self) -> None:
                for key, value in settings.items():
                    if value is not None:
                        self.cfg.set(key, value)

            def load(self) -> Any:
                return application

        self.stdout.write(
            f"storeteam serving on http://{options['bind']} ({options['workers']} workers)"
        )
        StoreServer().run()
