from django.db import migrations, models

SEEDED_STORAGE_MB = {"free": 1_024, "pro": 20_480, "agency": 204_800}


def forwards(apps, schema_editor):
    # The asset library's limit per plan: the seeded plans get their tier's size, others keep the default.
    Plan = apps.get_model("billing", "Plan")
    for slug, megabytes in SEEDED_STORAGE_MB.items():
        Plan.objects.filter(slug=slug).update(storage_mb=megabytes)


class Migration(migrations.Migration):
    dependencies = [("billing", "0005_project_moved_to_projects")]

    operations = [
        migrations.AddField(
            model_name="plan",
            name="storage_mb",
            field=models.PositiveIntegerField(
                default=1024,
                help_text="How much the organization's asset library may hold, in megabytes.",
                verbose_name="stored files (MB)",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
