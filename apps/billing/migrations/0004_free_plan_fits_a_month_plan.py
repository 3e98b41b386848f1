from django.db import migrations


def forwards(apps, schema_editor):
    # A month plan is up to 31 days × 3 slots: Free must fit one, or a new agency's first
    # "Generate" is refused. Only the seeded value is changed; staff edits are kept.
    Plan = apps.get_model("billing", "Plan")
    Plan.objects.filter(slug="free", posts_per_month=30).update(posts_per_month=100)


def backwards(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    Plan.objects.filter(slug="free", posts_per_month=100).update(posts_per_month=30)


class Migration(migrations.Migration):
    dependencies = [("billing", "0003_seed_plans")]

    operations = [migrations.RunPython(forwards, backwards)]
