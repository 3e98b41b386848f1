"""Was a data migration; now a no-op. `manage.py ensure_defaults` (run after `migrate`) seeds the
defaults from their one source, and databases that ran the old version keep their rows."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("ai", "0001_initial")]

    operations = []
