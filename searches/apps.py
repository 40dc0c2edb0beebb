from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchesConfig(AppConfig):
    name = "searches"
    verbose_name = _("Search audits")

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from core import signals
        from core.imports import register_importer
        from core.models import Agency, ImportJob
        from searches import receivers
        from searches.importers.layouts import LAYOUTS

        # Audit files hold plates and officer names: keep none once they are imported.
        register_importer(
            ImportJob.Kind.AUDIT,
            "searches.importers.audit.run",
            keep_file=False,
            segmented=True,
            formats=[(layout.slug, layout.label) for layout in LAYOUTS],
        )

        signals.agency_merging.connect(receivers.searches_before_agency_merge)
        signals.agency_merged.connect(receivers.searches_after_agency_merge)
        signals.state_laws_changed.connect(receivers.searches_on_state_laws_changed)
        post_delete.connect(
            receivers.searches_after_agency_delete, sender=Agency, dispatch_uid="searchercount"
        )
