# Site search on PostgreSQL: pg_trgm and GIN trigram indexes on the lower-cased name columns
# that the site search (portal.search) compares with LIKE and ``%>``. Nothing to do on SQLite,
# which ranks a bounded candidate set in Python instead. The indexes are SQL only (no model state), so the
# models stay backend-neutral.

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = [
    ("core_city_name_trgm", "core_city", "LOWER(name)"),
    ("core_agency_normalized_trgm", "core_agency", "LOWER(normalized_name)"),
    ("core_agency_name_trgm", "core_agency", "LOWER(name)"),
    ("core_agencyalias_normalized_trgm", "core_agencyalias", "LOWER(normalized_name)"),
    ("core_agencyalias_name_trgm", "core_agencyalias", "LOWER(name)"),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, expression in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (({expression}) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _expression in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_state_law_profiles"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
