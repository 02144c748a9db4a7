from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class TeamConfig(AppConfig):
    name = "storeteam.team"
    label = "team"
    verbose_name = _("Team")

    def ready(self) -> None:
        from storeteam.team.services import roles_sync_after_migrate

        # Permissions themselves are created after migrate; the roles' grants follow right after,
        # so a fresh database and an upgraded one end with exactly the grants in roles.py.
        post_migrate.connect(roles_sync_after_migrate, dispatch_uid="storeteam.roles_sync")
