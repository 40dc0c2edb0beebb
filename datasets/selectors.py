"""Reads of the bulk data snapshots: each is a dated directory under ``DATASETS_ROOT`` whose
``manifest.json`` lists its files. A directory without a manifest (a run still writing, or one
that was killed) is never listed, and no file outside a manifest is ever served."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"
DATE_DIR = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def datasets_root() -> Path:
    """Where snapshots are kept: ``DATASETS_ROOT``, by default ``MEDIA_ROOT/datasets``."""
    configured = getattr(settings, "DATASETS_ROOT", "") or ""
    return Path(configured) if configured else Path(settings.MEDIA_ROOT) / "datasets"


@dataclass(frozen=True)
class SnapshotFile:
    name: str
    format: str
    table: str | None
    rows: int
    size: int
    sha256: str


@dataclass(frozen=True)
class SnapshotTable:
    name: str
    rows: int
    columns: list[dict[str, str]]


@dataclass(frozen=True)
class Snapshot:
    date: dt.date
    created_at: dt.datetime
    directory: Path
    files: list[SnapshotFile]
    tables: list[SnapshotTable]
    license: dict[str, Any]

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)

    def file(self, name: str) -> SnapshotFile | None:
        return next((f for f in self.files if f.name == name), None)

    def files_of(self, table: str) -> list[SnapshotFile]:
        return [f for f in self.files if f.table == table]

    @property
    def sqlite(self) -> SnapshotFile | None:
        return next((f for f in self.files if f.format == "sqlite"), None)


def snapshot_read(directory: Path) -> Snapshot | None:
    """The snapshot in ``directory``, or None when it has no readable manifest."""
    try:
        data = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        return Snapshot(
            date=dt.date.fromisoformat(data["date"]),
            created_at=dt.datetime.fromisoformat(data["created_at"]),
            directory=directory,
            files=[SnapshotFile(**entry) for entry in data["files"]],
            tables=[SnapshotTable(**entry) for entry in data["tables"]],
            license=data.get("license", {}),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def snapshot_list() -> list[Snapshot]:
    """Every complete snapshot, newest first."""
    root = datasets_root()
    if not root.is_dir():
        return []
    found = (
        snapshot_read(path)
        for path in root.iterdir()
        if path.is_dir() and DATE_DIR.match(path.name)
    )
    return sorted((s for s in found if s is not None), key=lambda s: s.date, reverse=True)


def snapshot_get(day: dt.date) -> Snapshot | None:
    """The complete snapshot of ``day``, if there is one."""
    return snapshot_read(datasets_root() / day.isoformat())
