# Site search on PostgreSQL: pg_trgm and GIN trigram indexes on the lower-cased name columns
# that portal.search compares with LIKE and ``%>``. Nothing to do on SQLite, which ranks a
# bounded candidate set in Python instead. The indexes are SQL only (no model state), so the
# models stay backend-neutral.

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = [
    ("portal_city_name_trgm", "portal_city", "LOWER(name)"),
    ("portal_agency_normalized_trgm", "portal_agency", "LOWER(normalized_name)"),
    ("portal_agency_name_trgm", "portal_agency", "LOWER(name)"),
    ("portal_agencyalias_normalized_trgm", "portal_agencyalias", "LOWER(normalized_name)"),
    ("portal_agencyalias_name_trgm", "portal_agencyalias", "LOWER(name)"),
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
        ("portal", "0004_importjob_kind_portal_page"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
