"""On PostgreSQL, searches partitioned by source agency (see ``searches.partitions``)."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from searches.partitions import partition_search_table

    partition_search_table(schema_editor, apps.get_model("searches", "Search"))


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from searches.partitions import unpartition_search_table

    unpartition_search_table(schema_editor, apps.get_model("searches", "Search"))


class Migration(migrations.Migration):
    dependencies = [("searches", "0004_searches_keys_without_constraints")]

    operations = [migrations.RunPython(forwards, backwards)]
