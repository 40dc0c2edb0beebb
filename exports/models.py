"""Background CSV downloads: one job per endpoint and normalized query, built into a file."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ExportJob(models.Model):
    """A CSV of every row an API list returns for one query, built by a worker. A job is
    ``ready`` only once its whole file is written, counted and hashed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a worker")
        RUNNING = "running", _("Being built")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    # Not a counter: a poll address should not tell how many downloads others asked for.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("endpoint"), max_length=50, help_text=_("API route name."))
    query = models.CharField(_("filters"), max_length=2000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    row_count = models.PositiveBigIntegerField(null=True, blank=True)
    size_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    file = models.FileField(upload_to="exports/", max_length=255, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["kind", "query", "status"]),
            models.Index(fields=["expires_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="export_ready_has_file",
                condition=~Q(status="ready")
                | (Q(row_count__isnull=False) & ~Q(sha256="") & ~Q(file="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}?{self.query} ({self.status})"
