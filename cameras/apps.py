from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CamerasConfig(AppConfig):
    name = "cameras"
    verbose_name = _("Cameras and sharing")

    def ready(self) -> None:
        from cameras import receivers  # noqa: F401 - connects the agency merge receiver
        from core.imports import register_importer
        from core.models import ImportJob

        register_importer(ImportJob.Kind.CAMERAS, "cameras.importers.cameras.run")
        register_importer(ImportJob.Kind.SHARING, "cameras.importers.entry.sharing_run")
        register_importer(
            ImportJob.Kind.PORTAL_METRICS, "cameras.importers.entry.portal_metrics_run"
        )
        register_importer(ImportJob.Kind.PORTAL_PAGE, "cameras.importers.portal_page.run")
