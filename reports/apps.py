from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Annual surveillance reports")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from core.pagecache import page_cache_invalidate
        from reports.models import ReportNarrative

        # A published narrative shows on a public, page-cached report: any change to one makes
        # the cached pages stale, as a change to the public apps' rows does (core/pagecache.py).
        def invalidate(sender: type, **kwargs: object) -> None:
            page_cache_invalidate()

        post_save.connect(invalidate, sender=ReportNarrative, dispatch_uid="reports-narrative-save")
        post_delete.connect(
            invalidate, sender=ReportNarrative, dispatch_uid="reports-narrative-delete"
        )
