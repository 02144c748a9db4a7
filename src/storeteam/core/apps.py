from __future__ import annotations

from importlib import import_module

from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "storeteam.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from storeteam.core import checks, tasks  # noqa: F401  (registers checks and periodic jobs)

        autodiscover("handlers")
        autodiscover("tasks")


def autodiscover(module_name: str) -> None:
    """Import ``<app>.<module_name>`` for every storeteam app that has one, so event handlers and
    periodic tasks register themselves at start-up in every process (web and worker alike)."""
    for config in apps.get_app_configs():
        if not config.name.startswith("storeteam."):
            continue
        try:
            import_module(f"{config.name}.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.{module_name}":
                raise
