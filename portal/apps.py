from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


def _refresh_clerk_group(sender, **kwargs) -> None:
    """Keep the Clerks group's permissions current on every deploy's migrate."""
    from django.contrib.auth.models import Permission

    from core.permissions import clerk_group

    # Permissions of every app exist once the last app has migrated; cheap and idempotent.
    if Permission.objects.using(kwargs.get("using", "default")).exists():
        clerk_group()


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        post_migrate.connect(_refresh_clerk_group, dispatch_uid="portal.refresh_clerk_group")
        from core import pagecache

        # Every saved or deleted row of the public apps makes the cached pages stale on commit.
        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(pagecache.invalidate_on_model_change, dispatch_uid="core.pagecache")
        post_migrate.connect(pagecache.invalidate_after_migrate, dispatch_uid="core.pagecache")
