"""On PostgreSQL, ``searches_search`` is partitioned by source agency (``LIST``): one partition per
audited agency, plus a default partition for rows written one at a time (tests, the demo).

Why the source: every page, rollup and import of an audit reads or writes one source's rows,
and it is the key a distributed PostgreSQL (Citus) would distribute the table by, with the
rollups co-located on it. Why a partition each: an audit's rows can then be loaded into a bare
table (``load_table_create``) in committed segments, its indexes built once after the load
(several times faster than keeping seven indexes up to date row by row), and the table attached
as the source's partition in one short transaction (``load_table_attach``). A source that has a
partition already takes only the load's rows whose dedupe key it lacks (``load_table_merge``).

SQLite (the embedded default) keeps one plain table; nothing here runs there.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.models import Model, UniqueConstraint

SEARCH_TABLE = "searches_search"
DEFAULT_PARTITION = "searches_search_default"


def partition_name(source_id: int) -> str:
    return f"searches_search_s{int(source_id)}"


def load_table_name(job_id: int) -> str:
    return f"searches_search_load{int(job_id)}"


def is_partitioned() -> bool:
    """Whether this database holds searches partitioned (PostgreSQL after the migration)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "WHERE c.relname = %s AND c.relnamespace = current_schema()::regnamespace",
            [SEARCH_TABLE],
        )
        return cursor.fetchone() is not None


def partition_search_table(schema_editor: BaseDatabaseSchemaEditor, model: type[Model]) -> None:
    """Turn the plain ``searches_search`` Django created into the partitioned one (migration;
    ``model`` is the migration's historical ``Search``).

    The columns, defaults and checks are Django's own (``LIKE``); the id keeps a sequence of its
    own (identity columns cannot be partitioned on PostgreSQL 15); the indexes and unique
    constraints are created again from the model, now as partitioned indexes. Rows already
    there move to the default partition.
    """
    old = f"{SEARCH_TABLE}_unpartitioned"
    statements = [
        f"ALTER TABLE {SEARCH_TABLE} RENAME TO {old}",
        f"CREATE TABLE {SEARCH_TABLE} (LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
        "PARTITION BY LIST (source_agency_id)",
        f"CREATE TABLE {DEFAULT_PARTITION} PARTITION OF {SEARCH_TABLE} DEFAULT",
        f"INSERT INTO {SEARCH_TABLE} SELECT * FROM {old}",
        f"DROP TABLE {old}",  # with its identity sequence, indexes and keys
        f"CREATE SEQUENCE {SEARCH_TABLE}_id_seq OWNED BY {SEARCH_TABLE}.id",
        f"ALTER TABLE {SEARCH_TABLE} ALTER COLUMN id SET DEFAULT nextval('{SEARCH_TABLE}_id_seq')",
        f"SELECT setval('{SEARCH_TABLE}_id_seq', "
        f"COALESCE((SELECT max(id) FROM {SEARCH_TABLE}), 0) + 1, false)",
        # The partition key must be part of every unique index; ids stay unique by the sequence.
        f"ALTER TABLE {SEARCH_TABLE} ADD CONSTRAINT {SEARCH_TABLE}_pkey "
        "PRIMARY KEY (id, source_agency_id)",
    ]
    for sql in statements:
        schema_editor.execute(sql)
    for constraint in model._meta.constraints:
        # The checks came with LIKE; unique constraints become partitioned indexes.
        if isinstance(constraint, UniqueConstraint):
            schema_editor.add_constraint(model, constraint)
    for index in model._meta.indexes:
        schema_editor.add_index(model, index)


def unpartition_search_table(schema_editor: BaseDatabaseSchemaEditor, model: type[Model]) -> None:
    """The migration's reverse: one plain table again, with every partition's rows."""
    rows = f"{SEARCH_TABLE}_rows"
    schema_editor.execute(f"CREATE TABLE {rows} AS SELECT * FROM {SEARCH_TABLE}")
    schema_editor.execute(f"DROP TABLE {SEARCH_TABLE} CASCADE")  # with every partition
    schema_editor.create_model(model)
    schema_editor.execute(
        f"INSERT INTO {SEARCH_TABLE} OVERRIDING SYSTEM VALUE SELECT * FROM {rows}"
    )
    schema_editor.execute(f"DROP TABLE {rows}")
    schema_editor.execute(
        f"SELECT setval(pg_get_serial_sequence('{SEARCH_TABLE}', 'id'), "
        f"COALESCE((SELECT max(id) FROM {SEARCH_TABLE}), 0) + 1, false)"
    )


def partition_exists(cursor, source_id: int) -> bool:
    cursor.execute(
        "SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = %s::regclass AND c.relname = %s",
        [SEARCH_TABLE, partition_name(source_id)],
    )
    return cursor.fetchone() is not None


def table_exists(cursor, name: str) -> bool:
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
    return bool(cursor.fetchone()[0])


def load_table_create(cursor, job_id: int) -> str:
    """A bare table shaped like the searches (no index, no key): an audit's rows go here."""
    name = load_table_name(job_id)
    cursor.execute(
        f"CREATE TABLE IF NOT EXISTS {name} "
        f"(LIKE {SEARCH_TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
    )
    return name


def load_table_dedupe(cursor, name: str) -> int:
    """Drop the later copies of rows that share a dedupe key (the first in the file wins: ids
    follow file order). Returns how many were dropped."""
    cursor.execute(
        f"""
        DELETE FROM {name} AS l
        USING (SELECT dedupe_key, min(id) AS keep FROM {name}
               GROUP BY dedupe_key HAVING count(*) > 1) AS d
        WHERE l.dedupe_key = d.dedupe_key AND l.id <> d.keep
        """
    )
    return max(cursor.rowcount, 0)


def load_table_index(cursor, name: str) -> None:
    """Build on the load table every index and key the partitioned table has, each once over
    the loaded rows (before attaching, so the build holds no lock on the searches table)."""
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid),
               pg_get_constraintdef(c.oid)
        FROM pg_index AS i
        LEFT JOIN pg_constraint AS c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid
        WHERE i.indrelid = %s::regclass
        ORDER BY 1
        """,
        [SEARCH_TABLE],
    )
    for index, definition, constraint in cursor.fetchall():
        own = f"{name}_{index.rsplit('.', 1)[-1]}"[:63]
        if constraint:
            cursor.execute(f"ALTER TABLE {name} ADD CONSTRAINT {own} {constraint}")
            continue
        head, _, tail = definition.partition(" ON ")
        columns = tail.partition(" USING ")[2]
        unique = "UNIQUE " if head.startswith("CREATE UNIQUE") else ""
        cursor.execute(f"CREATE {unique}INDEX {own} ON {name} USING {columns}")


# pg_advisory_xact_lock(namespace, 0): one partition attach at a time ("prt"). Attaching takes
# the parent table's and the default partition's locks, and moving a source's one-at-a-time rows
# out of the default partition reads it first; two first imports of different audits finishing
# together would each hold what the other's attach waits for (a deadlock, seen in
# bench/import_audit.py --concurrent). Held until the import's last transaction commits; the
# long part of each import (parsing and loading its segments) still runs side by side.
ATTACH_LOCK_NAMESPACE = 0x707274


def attach_lock(cursor) -> None:
    cursor.execute("SELECT pg_advisory_xact_lock(%s, 0)", [ATTACH_LOCK_NAMESPACE])


def load_table_take_default(cursor, name: str, source_id: int) -> int:
    """Move the source's rows written one at a time (in the default partition) into the load,
    where they win over the file's rows with the same dedupe key; returns how many of the
    file's rows that dropped."""
    cursor.execute(
        f"SELECT EXISTS (SELECT 1 FROM {DEFAULT_PARTITION} WHERE source_agency_id = %s)",
        [source_id],
    )
    if not cursor.fetchone()[0]:
        return 0
    cursor.execute(
        f"DELETE FROM {name} AS l WHERE EXISTS (SELECT 1 FROM {DEFAULT_PARTITION} AS d "
        "WHERE d.source_agency_id = %s AND d.dedupe_key = l.dedupe_key)",
        [source_id],
    )
    dropped = max(cursor.rowcount, 0)
    cursor.execute(
        f"WITH moved AS (DELETE FROM {DEFAULT_PARTITION} WHERE source_agency_id = %s "
        f"RETURNING *) INSERT INTO {name} SELECT * FROM moved",
        [source_id],
    )
    return dropped


def load_table_attach(cursor, name: str, source_id: int) -> None:
    """Make the loaded (and indexed) table the source's partition."""
    # The check lets the attach skip scanning the table for rows of other sources.
    cursor.execute(
        f"ALTER TABLE {name} ADD CONSTRAINT {name}_source CHECK (source_agency_id = %s)"
        % int(source_id)
    )
    cursor.execute(
        f"ALTER TABLE {SEARCH_TABLE} ATTACH PARTITION {name} FOR VALUES IN ({int(source_id)})"
    )
    cursor.execute(f"ALTER TABLE {name} DROP CONSTRAINT {name}_source")
    cursor.execute(f"ALTER TABLE {name} RENAME TO {partition_name(source_id)}")


def load_table_merge(cursor, name: str, source_id: int) -> tuple[int, int | None, set[dt.date]]:
    """Insert the loaded rows whose dedupe key the source's searches lack (an overlapping file
    adds only its new searches), then drop the load table. Returns how many were inserted,
    the first new id and the UTC months of the new rows."""
    cursor.execute(
        f"""
        WITH inserted AS (
            INSERT INTO {SEARCH_TABLE}
            SELECT l.* FROM {name} AS l
            WHERE NOT EXISTS (
                SELECT 1 FROM {SEARCH_TABLE} AS s
                WHERE s.source_agency_id = %s AND s.dedupe_key = l.dedupe_key)
            ORDER BY l.id
            RETURNING id, searched_at
        )
        SELECT count(*), min(id),
            array_agg(DISTINCT date_trunc('month', searched_at AT TIME ZONE 'UTC')::date)
        FROM inserted
        """,
        [source_id],
    )
    created, first_id, months = cursor.fetchone()
    cursor.execute(f"DROP TABLE {name}")
    return created, first_id, set(months or ())


def load_tables_orphaned(cursor, live_job_ids: set[int]) -> list[str]:
    """Load tables of jobs that no longer run (failed for good, deleted)."""
    cursor.execute(
        "SELECT relname FROM pg_class WHERE relkind = 'r' AND relname LIKE %s "
        "AND relnamespace = current_schema()::regnamespace",
        ["searches\\_search\\_load%"],
    )
    prefix = load_table_name(0)[:-1]
    return [
        name
        for (name,) in cursor.fetchall()
        if name.removeprefix(prefix).isdigit()
        and int(name.removeprefix(prefix)) not in live_job_ids
    ]
