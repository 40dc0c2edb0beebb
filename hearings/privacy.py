"""Retention of private data: IP hashes are kept only as long as abuse handling needs them.

Every model listed in ``IP_HASH_MODELS`` has an ``ip_hash`` CharField and a ``created_at``
timestamp; ``ip_hashes_purge`` blanks the hashes of rows older than the retention period.
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.conf import settings
from django.utils import timezone

# "app_label.Model" of every model that stores an IP hash.
IP_HASH_MODELS: list[str] = [
    "hearings.Comment",
    "hearings.Petition",
    "hearings.Signature",
]


def ip_hashes_purge(*, now: dt.datetime | None = None) -> int:
    """Blank IP hashes older than ``HEARINGS_IP_RETENTION_DAYS``; returns how many rows."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=getattr(settings, "HEARINGS_IP_RETENTION_DAYS", 30))
    cleared = 0
    for label in IP_HASH_MODELS:
        model = apps.get_model(label)
        cleared += (
            model._default_manager.filter(created_at__lt=cutoff)
            .exclude(ip_hash="")
            .update(ip_hash="")
        )
    return cleared
