from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _refresh_clerk_group(sender, **kwargs) -> None:
    """Keep the Clerks group's permissions current on every deploy's migrate."""
    from django.contrib.auth.models import Permission

    from portal.permissions import clerk_group

    # Permissions of every app exist once the last app has migrated; cheap and idempotent.
    if Permission.objects.using(kwargs.get("using", "default")).exists():
        clerk_group()


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        post_migrate.connect(_refresh_clerk_group, dispatch_uid="portal.refresh_clerk_group")
