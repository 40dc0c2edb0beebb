from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WatchConfig(AppConfig):
    name = "watch"
    verbose_name = _("Changes")

    def ready(self) -> None:
        from core.signals import import_finished
        from watch.receivers import changes_after_import

        import_finished.connect(changes_after_import, dispatch_uid="watch.changes_after_import")
