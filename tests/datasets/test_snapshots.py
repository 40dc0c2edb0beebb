"""Bulk data snapshots: the files hold what the API serves (same rows, same columns), their
checksums verify, no private value reaches them, and old or half-written ones are never listed."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import sqlite3
import time

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.urls import reverse

from datasets import services
from datasets.columns import values_plan
from datasets.selectors import CHECKSUMS, datasets_root, snapshot_get, snapshot_list
from datasets.tables import TABLES, table_get
from datasets.tasks import dataset_snapshot_nightly
from hearings.models import Comment
from petitions.models import Petition, Signature
from searches.models import Reason, Search
from tests.factories import (
    AgencyFactory,
    CameraFactory,
    CityFactory,
    SharingAgreementFactory,
    TransparencySnapshotFactory,
)
from tests.searches.factories import SearchFactory
from watch.models import ChangeEvent

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 12, 1)


def _api_count(client, table) -> int:
    """What the API says the table holds: the list's ``count``, or for the cursor-paginated
    searches the rows of its streamed CSV."""
    if table.api_kind is None:
        return ChangeEvent.objects.count()  # the change log has no API list yet
    url = reverse(f"api:{table.api_kind}-list")
    if table.api_kind == "search":
        body = b"".join(client.get(url, {"format": "csv"}).streaming_content).decode()
        return len(list(csv.reader(io.StringIO(body)))) - 1
    query = f"?{table.api_query}&page_size=1" if table.api_query else "?page_size=1"
    return client.get(url + query).json()["count"]


def _private_values() -> list[str]:
    values = set(Search.objects.exclude(searcher_hash="").values_list("searcher_hash", flat=True))
    values |= set(Reason.objects.exclude(held_text="").values_list("held_text", flat=True))
    for model, fields in (
        (Comment, ["email", "ip_hash", "address_or_zip"]),
        (Signature, ["email", "ip_hash"]),
        (Petition, ["creator_email", "ip_hash"]),
    ):
        for row in model.objects.values_list(*fields):
            values |= {v for v in row if v and len(v) > 5}
    return sorted(values)


@pytest.fixture
def demo(settings, tmp_path):
    call_command("seed_demo", verbosity=0)
    # A held reason (unmasked text waiting for a clerk) and a change log row.
    Reason.objects.filter(pk=Search.objects.values("reason")[:1]).update(
        held_text="warrant for Johnathan Q. Heldname"
    )
    agency = AgencyFactory(name="Change Log PD", state="IL")
    ChangeEvent.objects.create(
        kind=ChangeEvent.Kind.SHARING_ADDED,
        key="test:1",
        occurred_on=DAY,
        agency=agency,
        other_agency=AgencyFactory(name="Far Away TX SO", state="TX"),
        out_of_state=True,
        data={"note": "public"},
    )
    settings.DATASETS_ROOT = str(tmp_path / "datasets")


def test_demo_snapshot_counts_equal_the_api_checksums_verify_and_nothing_private(client, demo):
    snapshot = services.dataset_snapshot_write(day=DAY)
    assert snapshot_list() == [snapshot]
    names = {f.name for f in snapshot.files}
    assert names == {f"{t.name}.{ext}" for t in TABLES for ext in ("csv", "parquet")} | {
        services.SQLITE_NAME
    }
    sqlite = sqlite3.connect(snapshot.directory / services.SQLITE_NAME)
    secrets = _private_values()
    assert len(secrets) > 50  # the demo has searcher hashes, emails and IP hashes to leak
    for table in TABLES:
        expected = _api_count(client, table)
        parquet = pq.read_table(snapshot.directory / f"{table.name}.parquet")
        (in_sqlite,) = sqlite.execute(f'SELECT count(*) FROM "{table.name}"').fetchone()
        with open(snapshot.directory / f"{table.name}.csv", encoding="utf-8") as handle:
            in_csv = len(list(csv.reader(handle))) - 1
        counts = {f.format: f.rows for f in snapshot.files_of(table.name)}
        assert (parquet.num_rows, in_sqlite, in_csv) == (expected,) * 3, table.name
        assert counts == {"csv": expected, "parquet": expected}, table.name
        # The same columns everywhere, and only the API's.
        columns = [c.name for c in table.columns()]
        assert parquet.column_names == columns
        assert [r[1] for r in sqlite.execute(f'PRAGMA table_info("{table.name}")')] == columns
        text = (snapshot.directory / f"{table.name}.csv").read_text(encoding="utf-8")
        values = "\n".join(str(v) for row in parquet.to_pylist() for v in row.values())
        leaked = [s for s in secrets if s in text or s in values]
        assert leaked == [], (table.name, leaked[:3])
    assert {"searches", "comments", "petitions"} <= {t.name for t in TABLES}
    assert ChangeEvent.objects.count() == 1 and snapshot.sqlite.rows == sum(
        t.rows for t in snapshot.tables
    )
    for private in ("searcher_hash", "email", "ip_hash", "held_text", "address_or_zip"):
        assert not any(private in c["name"] for t in snapshot.tables for c in t.columns)
    dump = "\n".join(sqlite.iterdump())
    assert [s for s in secrets if s in dump] == []
    # Checksums: the manifest's and SHA256SUMS's match the files' bytes.
    for entry in snapshot.files:
        data = (snapshot.directory / entry.name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry.sha256
        assert len(data) == entry.size
    sums = (snapshot.directory / CHECKSUMS).read_text().splitlines()
    assert sums == [f"{f.sha256}  {f.name}" for f in snapshot.files]


def test_typed_columns_in_parquet_and_sqlite(settings, tmp_path):
    settings.DATASETS_ROOT = str(tmp_path)
    pd = AgencyFactory(name="Typed IL PD", state="IL")
    SearchFactory(source_agency=pd, devices_searched=48211, case_number_present=True)
    snapshot = services.dataset_snapshot_write(day=DAY, tables=[table_get("searches")])
    schema = pq.read_schema(snapshot.directory / "searches.parquet")
    assert str(schema.field("searched_at").type) == "timestamp[us, tz=UTC]"
    assert str(schema.field("devices_searched").type) == "int64"
    assert str(schema.field("case_number_present").type) == "bool"
    sqlite = sqlite3.connect(snapshot.directory / services.SQLITE_NAME)
    row = sqlite.execute(
        "SELECT typeof(devices_searched), devices_searched, case_number_present, "
        "searched_at LIKE '____-__-__T__:__:__%Z' FROM searches"
    ).fetchone()
    assert row == ("integer", 48211, 1, 1)


def test_plain_tables_read_without_the_serializer_give_the_serializers_rows():
    city = CityFactory(name="Fastpath", state="IL")
    owner = AgencyFactory(name="Fastpath IL PD", state="IL", home_city=city)
    CameraFactory(city=city, owner=owner)
    SharingAgreementFactory(owner=owner, recipient=AgencyFactory(name="Elsewhere TX SO"))
    SearchFactory.create_batch(5, source_agency=owner)
    SearchFactory(source_agency=owner, category=None)
    TransparencySnapshotFactory(agency=owner)
    planned = [t for t in TABLES if t.rows is None and values_plan(t.columns()) is not None]
    assert "searches" in {t.name for t in planned}
    for table in planned:
        fast = list(table.open()[1])
        slow = list(table.open(fast=False)[1])
        assert fast == slow and fast, table.name


def test_a_day_is_written_once_unless_replaced(settings, tmp_path):
    settings.DATASETS_ROOT = str(tmp_path)
    CityFactory(name="Once", state="IL")
    tables = [table_get("cities")]
    first = services.dataset_snapshot_write(day=DAY, tables=tables)
    with pytest.raises(services.SnapshotExists):
        services.dataset_snapshot_write(day=DAY, tables=tables)
    CityFactory(name="Twice", state="IL")
    second = services.dataset_snapshot_write(day=DAY, tables=tables, replace=True)
    assert (first.tables[0].rows, second.tables[0].rows) == (1, 2)
    assert [p.name for p in tmp_path.iterdir()] == [DAY.isoformat()]


def test_a_failed_or_killed_run_leaves_no_listed_snapshot(settings, tmp_path, monkeypatch):
    settings.DATASETS_ROOT = str(tmp_path)
    CityFactory(name="Killed", state="IL")

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "table_write", broken)
    with pytest.raises(RuntimeError):
        services.dataset_snapshot_write(day=DAY, tables=[table_get("cities")])
    assert list(tmp_path.iterdir()) == [] and snapshot_list() == []
    # A worker killed outright leaves its hidden directory, files and all but no manifest.
    dead = tmp_path / f"{services.TEMP_PREFIX}{DAY.isoformat()}-x"
    dead.mkdir()
    (dead / "cities.csv").write_text("slug\n")
    assert snapshot_list() == [] and snapshot_get(DAY) is None
    old = time.time() - 2 * 24 * 3600
    os.utime(dead, (old, old))
    assert services.dataset_snapshots_purge(keep_days=30, today=DAY) == [dead.name]


def test_retention_deletes_snapshots_older_than_keep_days(settings, tmp_path):
    settings.DATASETS_ROOT = str(tmp_path)
    CityFactory(name="Kept", state="IL")
    tables = [table_get("cities")]
    for days_ago in (0, 1, 7, 8, 40):
        services.dataset_snapshot_write(day=DAY - dt.timedelta(days=days_ago), tables=tables)
    deleted = services.dataset_snapshots_purge(keep_days=7, today=DAY)
    assert sorted(deleted) == ["2026-10-22", "2026-11-23"]
    assert [s.date for s in snapshot_list()] == [DAY - dt.timedelta(days=d) for d in (0, 1, 7)]


def test_retention_keeps_the_newest_snapshot_however_old(settings, tmp_path):
    settings.DATASETS_ROOT = str(tmp_path)
    CityFactory(name="Stale", state="IL")
    services.dataset_snapshot_write(day=DAY - dt.timedelta(days=90), tables=[table_get("cities")])
    assert services.dataset_snapshots_purge(keep_days=7, today=DAY) == []
    assert len(snapshot_list()) == 1


def test_nightly_task_writes_today_then_purges(settings, tmp_path, monkeypatch):
    settings.DATASETS_ROOT = str(tmp_path)
    settings.DATASETS_KEEP_DAYS = 2
    CityFactory(name="Nightly", state="IL")
    monkeypatch.setattr(services, "TABLES", (table_get("cities"),))
    services.dataset_snapshot_write(day=DAY - dt.timedelta(days=5))
    monkeypatch.setattr(services.timezone, "localdate", lambda: DAY)
    assert dataset_snapshot_nightly.delay().get() == DAY.isoformat()
    assert dataset_snapshot_nightly.delay().get() == DAY.isoformat()  # twice: kept, no error
    assert [s.date for s in snapshot_list()] == [DAY]
    schedule = settings.CELERY_BEAT_SCHEDULE["datasets-snapshot-nightly"]
    assert schedule["task"] == "datasets.tasks.dataset_snapshot_nightly"


def test_management_command_writes_one_now(settings, tmp_path):
    settings.DATASETS_ROOT = str(tmp_path)
    CityFactory(name="Command", state="IL")
    out = io.StringIO()
    call_command("datasets_snapshot", "--date", "2026-11-30", "--table", "cities", stdout=out)
    assert "2026-11-30" in out.getvalue()
    snapshot = snapshot_get(dt.date(2026, 11, 30))
    assert snapshot is not None and snapshot.tables[0].rows == 1
    assert datasets_root() == tmp_path
