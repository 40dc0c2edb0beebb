"""Scrub patterns as admin data (with the defaults of searches/scrub.py) and the name review of
reasons. Reversing drops the patterns: they are recreated from the defaults on the way back up.
"""

from django.db import migrations, models

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
        ('searches', '0003_rollup_summaries'),
    ]

    operations = [
        migrations.CreateModel(
            name='ScrubPattern',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('plate', 'License plate'), ('phone', 'Phone number'), ('email', 'Email address'), ('dob', 'Date of birth'), ('other', 'Other')], max_length=8, verbose_name='kind')),
                ('pattern', models.CharField(help_text='Matched case-insensitively. When it has a group named “hit”, only that group is replaced (so “plate ABC123” becomes “plate [plate]”); otherwise the whole match.', max_length=1000, verbose_name='regular expression')),
                ('marker', models.CharField(blank=True, help_text="What replaces a match; blank: the kind's marker, e.g. [plate].", max_length=20, verbose_name='marker')),
                ('position', models.PositiveSmallIntegerField(default=100, help_text='Lower runs first.', verbose_name='order')),
                ('is_active', models.BooleanField(default=True, verbose_name='active')),
                ('note', models.CharField(blank=True, max_length=300, verbose_name='note')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': 'scrub pattern',
                'verbose_name_plural': 'scrub patterns',
                'ordering': ['position', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='ReasonReview',
            fields=[
            ],
            options={
                'verbose_name': 'reason to review',
                'verbose_name_plural': 'reasons to review',
                'proxy': True,
                'indexes': [],
                'constraints': [],
            },
            bases=('searches.reason',),
        ),
        migrations.AddField(
            model_name='reason',
            name='held_text',
            field=models.TextField(blank=True, help_text='The reason with the name(s) a clerk has not yet released or redacted.', verbose_name='text awaiting name review'),
        ),
        migrations.AddField(
            model_name='reason',
            name='name_review',
            field=models.CharField(choices=[('none', 'No name found'), ('pending', 'Name found, masked until reviewed'), ('released', "Released by a clerk (not a person's name)"), ('redacted', 'Name redacted by a clerk')], default='none', max_length=10, verbose_name='name review'),
        ),
        migrations.AlterField(
            model_name='reason',
            name='key',
            field=models.CharField(help_text='SHA-1 of the scrubbed text (unmasked while under review) and offense.', max_length=40, unique=True, verbose_name='key'),
        ),
        migrations.AddIndex(
            model_name='reason',
            index=models.Index(condition=models.Q(('name_review', 'pending')), fields=['name_review'], name='reason_name_pending_idx'),
        ),
        migrations.AddConstraint(
            model_name='scrubpattern',
            constraint=models.UniqueConstraint(fields=('kind', 'pattern'), name='scrubpattern_unique'),
        ),
        migrations.RunPython(create_default_patterns, migrations.RunPython.noop),
    ]
