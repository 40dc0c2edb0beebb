"""Scrub the reasons stored before scrubbing existed: plates, phones, emails and dates of birth
become markers, names are masked for review, reasons that became equal are merged (their
searches re-pointed) and searches and rollups are reclassified where that changed anything.

It runs the current service (``searches.scrubbing.reasons_rescrub``), as 0002 runs the current
rule loader: the work is the same one an edited pattern triggers. On an empty database (a new
install, the tests) it reads no row. Scrubbed text cannot be restored, so reversing is a no-op.
"""

from django.db import migrations


def scrub_existing(apps, schema_editor):
    reason_model = apps.get_model("searches", "Reason")
    if not reason_model.objects.exists():
        return
    from searches.scrubbing import reasons_rescrub

    reasons_rescrub()


class Migration(migrations.Migration):
    dependencies = [
        ("searches", "0004_scrub_patterns"),
    ]

    operations = [
        migrations.RunPython(scrub_existing, migrations.RunPython.noop),
    ]
