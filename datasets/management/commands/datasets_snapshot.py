"""``manage.py datasets_snapshot``: write today's bulk data snapshot now (what beat runs nightly),
then apply the retention (DATASETS_KEEP_DAYS)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from datasets import services
from datasets.tables import TABLES


class Command(BaseCommand):
    help = "Write a dated bulk data snapshot of every public table now, then purge old ones."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the snapshot's date, YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--replace", action="store_true", help="rewrite the day's snapshot if it exists"
        )
        parser.add_argument(
            "--table",
            action="append",
            choices=[t.name for t in TABLES],
            help="only this table (repeat for several); default: all",
        )
        parser.add_argument("--no-purge", action="store_true", help="keep old snapshots")

    def handle(self, *args, **options):
        try:
            day = dt.date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError as exc:
            raise CommandError(f"--date must be YYYY-MM-DD: {exc}") from exc
        names = options["table"]
        tables = [t for t in TABLES if t.name in names] if names else None
        try:
            snapshot = services.dataset_snapshot_write(
                day=day, replace=options["replace"], tables=tables
            )
        except services.SnapshotExists as exc:
            raise CommandError(
                f"A snapshot of {exc} exists; pass --replace to rewrite it."
            ) from exc
        for entry in snapshot.files:
            self.stdout.write(f"{entry.name}\t{entry.rows} rows\t{entry.size} B\t{entry.sha256}")
        self.stdout.write(
            f"Snapshot {snapshot.date} written to {snapshot.directory} "
            f"({filesizeformat(snapshot.size)})."
        )
        if not options["no_purge"]:
            deleted = services.dataset_snapshots_purge(keep_days=settings.DATASETS_KEEP_DAYS)
            if deleted:
                self.stdout.write(f"Deleted: {', '.join(sorted(deleted))}")
