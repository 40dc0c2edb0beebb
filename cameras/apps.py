from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CamerasConfig(AppConfig):
    name = "cameras"
    verbose_name = _("Cameras and sharing")

    def ready(self) -> None:
        from cameras import receivers  # noqa: F401 - connects the agency merge receiver
        from core.imports import register_importer
        from core.models import ImportJob

        for kind, module in (
            (ImportJob.Kind.CAMERAS, "cameras"),
            (ImportJob.Kind.SHARING, "sharing"),
            (ImportJob.Kind.PORTAL_METRICS, "portal_metrics"),
            (ImportJob.Kind.PORTAL_PAGE, "portal_page"),
        ):
            register_importer(kind, f"cameras.importers.{module}.run")
