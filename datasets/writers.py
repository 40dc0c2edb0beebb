"""One pass over a table's rows writes its CSV, its Parquet file and its table in the SQLite
file, holding at most one row group in memory: a table of millions of searches costs what a
table of a few thousand does, only longer."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from core.csvstream import csv_lines
from datasets.columns import Column, ColumnType

ARROW_TYPES = {
    ColumnType.INTEGER: pa.int64(),
    ColumnType.NUMBER: pa.float64(),
    ColumnType.BOOLEAN: pa.bool_(),
    ColumnType.DATE: pa.date32(),
    ColumnType.DATETIME: pa.timestamp("us", tz="UTC"),
    ColumnType.TEXT: pa.string(),
}
# SQLite's own types; dates and times are ISO 8601 text (SQLite's date functions read them),
# booleans 0 and 1, as SQLite documents for both.
SQLITE_TYPES = {
    ColumnType.INTEGER: "INTEGER",
    ColumnType.NUMBER: "REAL",
    ColumnType.BOOLEAN: "INTEGER",
    ColumnType.DATE: "TEXT",
    ColumnType.DATETIME: "TEXT",
    ColumnType.TEXT: "TEXT",
}


@dataclass(frozen=True)
class WriteSettings:
    # Rows converted to Arrow at a time, and rows per Parquet row group (the memory bound).
    batch_rows: int = 10_000
    row_group_rows: int = 100_000


def _iso(value: dt.datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _optional(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value is None else convert(value)


# What a typed value becomes in a CSV cell and in SQLite, for the types that need it; text and
# numbers go as they are (the csv module writes None as an empty cell, sqlite3 as NULL, and
# stores a bool as 0 or 1).
CSV_CELLS: dict[ColumnType, Callable[[Any], Any]] = {
    ColumnType.BOOLEAN: lambda value: "" if value is None else ("true" if value else "false"),
    ColumnType.DATE: _optional(dt.date.isoformat),
    ColumnType.DATETIME: _optional(_iso),
}
SQLITE_VALUES: dict[ColumnType, Callable[[Any], Any]] = {
    ColumnType.DATE: _optional(dt.date.isoformat),
    ColumnType.DATETIME: _optional(_iso),
}


def _converted(
    columns: Sequence[Column], table: dict[ColumnType, Callable[[Any], Any]]
) -> Callable[[tuple[Any, ...]], Sequence[Any]]:
    """A function giving one row's values with ``table``'s conversions applied."""
    steps = [(i, table[c.type]) for i, c in enumerate(columns) if c.type in table]
    if not steps:
        return lambda row: row

    def convert(row: tuple[Any, ...]) -> list[Any]:
        values = list(row)
        for i, step in steps:
            values[i] = step(values[i])
        return values

    return convert


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def arrow_schema(columns: Sequence[Column]) -> pa.Schema:
    return pa.schema([pa.field(c.name, ARROW_TYPES[c.type]) for c in columns])


def sqlite_create(connection: sqlite3.Connection, name: str, columns: Sequence[Column]) -> None:
    body = ", ".join(f"{quote(c.name)} {SQLITE_TYPES[c.type]}" for c in columns)
    connection.execute(f"CREATE TABLE {quote(name)} ({body})")


def _batches(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def table_write(
    *,
    name: str,
    columns: Sequence[Column],
    rows: Iterable[tuple[Any, ...]],
    csv_path: Path,
    parquet_path: Path,
    sqlite: sqlite3.Connection,
    settings: WriteSettings,
) -> int:
    """Write every row (typed values in column order) to the three outputs; returns the
    number of rows written."""
    schema = arrow_schema(columns)
    placeholders = ", ".join("?" for _ in columns)
    insert = f"INSERT INTO {quote(name)} VALUES ({placeholders})"
    sqlite_create(sqlite, name, columns)
    csv_row, sqlite_row = _converted(columns, CSV_CELLS), _converted(columns, SQLITE_VALUES)
    count = 0
    pending: list[pa.RecordBatch] = []
    pending_rows = 0
    with (
        open(csv_path, "w", encoding="utf-8", newline="") as csv_file,
        pq.ParquetWriter(parquet_path, schema, compression="zstd") as parquet,
    ):
        csv_file.writelines(csv_lines([[c.name for c in columns]]))
        for batch in _batches(rows, settings.batch_rows):
            count += len(batch)
            csv_file.writelines(csv_lines(map(csv_row, batch)))
            sqlite.executemany(insert, map(sqlite_row, batch))
            arrays = [
                pa.array([row[i] for row in batch], type=schema.field(i).type)
                for i in range(len(columns))
            ]
            pending.append(pa.RecordBatch.from_arrays(arrays, schema=schema))
            pending_rows += len(batch)
            if pending_rows >= settings.row_group_rows:
                parquet.write_table(pa.Table.from_batches(pending, schema=schema))
                pending, pending_rows = [], 0
        if pending or count == 0:
            # An empty table still gets its schema (one empty row group).
            parquet.write_table(pa.Table.from_batches(pending, schema=schema))
    return count
