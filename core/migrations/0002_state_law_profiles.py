"""Create the state law profiles listed in core/lawdata.py that do not exist yet.

Existing profiles are never overwritten, so a clerk's edits survive; `manage.py load_state_laws
--update` is the explicit way to refresh them. Reversing is a no-op: profiles may have been edited
since and deleting them would lose that work.
"""

from django.db import migrations

from core.lawdata import profiles_create_missing


def create_missing_profiles(apps, schema_editor):
    profiles_create_missing(model=apps.get_model("core", "StateLawProfile"))


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_missing_profiles, migrations.RunPython.noop),
    ]
