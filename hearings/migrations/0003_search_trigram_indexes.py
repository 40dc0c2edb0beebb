# Site search on PostgreSQL: GIN trigram indexes on hearing and petition titles (pg_trgm is
# created by portal's 0005). Nothing to do on SQLite.

from django.db import migrations

INDEXES = [
    ("hearings_hearing_title_trgm", "hearings_hearing", "LOWER(title)"),
    ("hearings_petition_title_trgm", "hearings_petition", "LOWER(title)"),
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
        ("hearings", "0002_outboundemail_links"),
        ("portal", "0005_search_trigram_indexes"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
