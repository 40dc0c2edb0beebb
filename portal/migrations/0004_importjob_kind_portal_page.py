from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_alter_importjob_kind"),
    ]

    operations = [
        migrations.AlterField(
            model_name="importjob",
            name="kind",
            field=models.CharField(
                choices=[
                    ("cameras", "Camera locations"),
                    ("sharing", "Sharing agreements"),
                    ("portal_metrics", "Transparency portal metrics and policies"),
                    ("audit", "Search audit"),
                    ("portal_page", "Transparency page (HTML or page text)"),
                ],
                max_length=32,
                verbose_name="kind",
            ),
        ),
    ]
