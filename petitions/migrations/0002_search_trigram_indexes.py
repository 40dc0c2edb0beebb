# Site search on PostgreSQL: GIN trigram indexes on petition titles (pg_trgm is
# created by core's 0003). Nothing to do on SQLite.

from django.db import migrations

INDEXES = [
    ("petitions_petition_title_trgm", "petitions_petition", "LOWER(title)"),
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
        ("petitions", "0001_initial"),
        ("core", "0003_search_trigram_indexes"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
