"""The default scrub patterns of searches/scrub.py, created once; patterns are admin data after
that. Reversing is a no-op: the patterns may have been edited since."""

from django.db import migrations

from searches.scrub import DEFAULT_PATTERNS


def create_default_patterns(apps, schema_editor):
    pattern_model = apps.get_model("searches", "ScrubPattern")
    for position, spec in enumerate(DEFAULT_PATTERNS, start=1):
        pattern_model.objects.get_or_create(
            kind=spec.kind,
            pattern=spec.pattern,
            defaults={"position": position * 10, "note": spec.note, "marker": spec.marker},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("searches", "0002_default_rules"),
    ]

    operations = [
        migrations.RunPython(create_default_patterns, migrations.RunPython.noop),
    ]
