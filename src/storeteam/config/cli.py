"""`storeteam`: the store's command line. Django's management commands plus the store's own:
serve, worker, demo, createstaff (see `storeteam help`)."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "storeteam.config.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "storeteam"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
