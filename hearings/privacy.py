"""Retention of private data: IP hashes are kept only as long as abuse handling needs them.

Every model of the project with an ``ip_hash`` CharField and a ``created_at`` timestamp (comments,
petitions, signatures) is covered; ``ip_hashes_purge`` blanks the hashes of rows older than the
retention period.
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone


def ip_hash_models() -> list[type[models.Model]]:
    """Every installed model that stores an IP hash beside its creation time."""
    names = {"ip_hash", "created_at"}
    return [
        model
        for model in apps.get_models()
        if names <= {field.name for field in model._meta.get_fields()}
    ]


def ip_hashes_purge(*, now: dt.datetime | None = None) -> int:
    """Blank IP hashes older than ``HEARINGS_IP_RETENTION_DAYS``; returns how many rows."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=getattr(settings, "HEARINGS_IP_RETENTION_DAYS", 30))
    cleared = 0
    for model in ip_hash_models():
        cleared += (
            model._default_manager.filter(created_at__lt=cutoff)
            .exclude(ip_hash="")
            .update(ip_hash="")
        )
    return cleared
