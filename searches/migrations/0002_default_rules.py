"""Create the default reason categories, patterns and offense-type mappings of rules_data.py.

Only missing rows are created, so rules edited in the admin survive; `manage.py load_reason_rules
--update` is the explicit way to reset them. Reversing is a no-op: the rules may have been edited
since, and searches point at their categories.
"""

from django.db import migrations

from searches.rules_data import default_rules_apply


def create_default_rules(apps, schema_editor):
    default_rules_apply(
        category_model=apps.get_model("searches", "ReasonCategory"),
        pattern_model=apps.get_model("searches", "ReasonPattern"),
        offense_model=apps.get_model("searches", "OffenseType"),
        ruleset_model=apps.get_model("searches", "RuleSet"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("searches", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_default_rules, migrations.RunPython.noop),
    ]
