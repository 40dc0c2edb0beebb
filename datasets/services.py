"""Writes of the bulk data snapshots: build one day's files, and delete old ones.

A snapshot is written into a hidden temporary directory next to the others and renamed to its
date only once every file is whole, hashed and listed in its manifest: a run that is killed
leaves a hidden directory that is never listed (and is deleted by the next purge), never a
half snapshot.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone, translation

from core.pagecache import page_cache_invalidate
from datasets.selectors import (
    CHECKSUMS,
    DATE_DIR,
    MANIFEST,
    Snapshot,
    SnapshotFile,
    SnapshotTable,
    datasets_root,
    snapshot_get,
    snapshot_read,
)
from datasets.tables import TABLES, Table
from datasets.writers import WriteSettings, table_write

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

SQLITE_NAME = "alpr-portal.sqlite"
TEMP_PREFIX = ".tmp-"
# A temporary directory this old belongs to a run that died (the task's hard time limit is
# far shorter).
STALE_TEMP = dt.timedelta(days=1)
# What the files' license section says (the page shows it translated): the portal's data is
# public-record data about government (README, "License and data credits").
LICENSE = {
    "statement": (
        "Public-record data about government, compiled by the ALPR Transparency Portal. "
        "Cite the portal and the snapshot date."
    ),
    "credits": [
        "Sharing and transparency-portal data: The News & Observer “Private Eyes” collection "
        "(MIT).",
        "Camera rows whose source is osm: © OpenStreetMap contributors, available under the "
        "Open Database License (ODbL 1.0, https://opendatacommons.org/licenses/odbl/); a "
        "database derived from them must be shared under the ODbL and credit OpenStreetMap.",
    ],
}


class SnapshotExists(Exception):
    """The day already has a snapshot and ``replace`` was not asked for."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


def _entry(path: Path, *, format: str, table: str | None, rows: int) -> SnapshotFile:
    return SnapshotFile(
        name=path.name,
        format=format,
        table=table,
        rows=rows,
        size=path.stat().st_size,
        sha256=_sha256(path),
    )


def _write_files(
    directory: Path, *, tables: Sequence[Table], write: WriteSettings
) -> tuple[list[SnapshotFile], list[SnapshotTable]]:
    files: list[SnapshotFile] = []
    written: list[SnapshotTable] = []
    sqlite_path = directory / SQLITE_NAME
    connection = sqlite3.connect(sqlite_path)
    try:
        # The file is built once and then only read: no journal is worth its cost.
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        for table in tables:
            started = time.monotonic()
            columns, rows = table.open()
            csv_path, parquet_path = (
                directory / f"{table.name}.csv",
                directory / f"{table.name}.parquet",
            )
            count = table_write(
                name=table.name,
                columns=columns,
                rows=rows,
                csv_path=csv_path,
                parquet_path=parquet_path,
                sqlite=connection,
                settings=write,
            )
            connection.commit()
            files.append(_entry(csv_path, format="csv", table=table.name, rows=count))
            files.append(_entry(parquet_path, format="parquet", table=table.name, rows=count))
            written.append(
                SnapshotTable(
                    name=table.name,
                    rows=count,
                    columns=[{"name": c.name, "type": str(c.type)} for c in columns],
                )
            )
            logger.info(
                "Dataset table %s: %d rows in %.1f s",
                table.name,
                count,
                time.monotonic() - started,
            )
    finally:
        connection.close()
    files.append(
        _entry(sqlite_path, format="sqlite", table=None, rows=sum(t.rows for t in written))
    )
    return files, written


def dataset_snapshot_write(
    *,
    day: dt.date | None = None,
    replace: bool = False,
    actor: User | None = None,
    tables: Sequence[Table] | None = None,
    write: WriteSettings | None = None,
) -> Snapshot:
    """Write the snapshot of ``day`` (today by default): every public table as CSV and Parquet
    plus one SQLite file of all, with a manifest of sizes, row counts and SHA-256 checksums.

    A day that already has a snapshot keeps it (SnapshotExists) unless ``replace``; ``tables``
    (all by default) limits it to some tables.
    """
    day = day or timezone.localdate()
    tables = TABLES if tables is None else tables
    root = datasets_root()
    final = root / day.isoformat()
    if not replace and snapshot_get(day) is not None:
        raise SnapshotExists(day.isoformat())
    root.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{day.isoformat()}-", dir=root))
    try:
        # Labels in the rows (state and category names) read the same whoever runs it.
        with translation.override(settings.LANGUAGE_CODE):
            files, written = _write_files(temp, tables=tables, write=write or WriteSettings())
        created_at = timezone.now()
        manifest = {
            "date": day.isoformat(),
            "created_at": created_at.isoformat(),
            "license": LICENSE,
            "files": [asdict(f) for f in files],
            "tables": [asdict(t) for t in written],
        }
        (temp / CHECKSUMS).write_text(
            "".join(f"{f.sha256}  {f.name}\n" for f in files), encoding="utf-8"
        )
        # The manifest last: a directory is a snapshot only once it has one.
        (temp / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        # mkdtemp makes it private to the worker's user; web processes under another user read it.
        os.chmod(temp, 0o755)  # noqa: S103 - public data, read-only for others
        _install(temp, final)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    page_cache_invalidate()
    snapshot = snapshot_read(final)
    assert snapshot is not None
    logger.info(
        "Dataset snapshot %s written by %s: %d files, %d bytes",
        day,
        getattr(actor, "username", "the scheduler"),
        len(files),
        snapshot.size,
    )
    return snapshot


def _install(temp: Path, final: Path) -> None:
    """Rename the finished ``temp`` to ``final``, replacing an older copy of the same day."""
    if not final.exists():
        os.rename(temp, final)
        return
    old = final.with_name(f"{TEMP_PREFIX}old-{final.name}-{os.getpid()}")
    os.rename(final, old)
    os.rename(temp, final)
    shutil.rmtree(old, ignore_errors=True)


def dataset_snapshots_purge(*, keep_days: int, today: dt.date | None = None) -> list[str]:
    """Delete snapshots older than ``keep_days`` (the newest one always stays) and temporary
    directories of runs that died; returns the names deleted."""
    today = today or timezone.localdate()
    root = datasets_root()
    if not root.is_dir():
        return []
    cutoff = today - dt.timedelta(days=keep_days)
    dated = sorted(
        (p for p in root.iterdir() if p.is_dir() and DATE_DIR.match(p.name)),
        key=lambda p: p.name,
    )
    newest = dated[-1].name if dated else None
    deleted = []
    for path in dated:
        if path.name != newest and dt.date.fromisoformat(path.name) < cutoff:
            shutil.rmtree(path)
            deleted.append(path.name)
    stale_before = time.time() - STALE_TEMP.total_seconds()
    for path in root.iterdir():
        if path.name.startswith(TEMP_PREFIX) and path.stat().st_mtime < stale_before:
            shutil.rmtree(path, ignore_errors=True)
            deleted.append(path.name)
    if deleted:
        page_cache_invalidate()
    return deleted


def dataset_snapshot_nightly(*, today: dt.date | None = None) -> Snapshot:
    """The beat task's work: today's snapshot (kept if it exists), then the retention purge."""
    today = today or timezone.localdate()
    try:
        snapshot = dataset_snapshot_write(day=today)
    except SnapshotExists:
        found = snapshot_get(today)
        assert found is not None
        snapshot = found
    dataset_snapshots_purge(keep_days=settings.DATASETS_KEEP_DAYS, today=today)
    return snapshot
