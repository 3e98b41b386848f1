from django.db import migrations


class Migration(migrations.Migration):
    """pgvector: embeddings for knowledge retrieval and the similarity guard."""

    dependencies = []

    operations = [
        migrations.RunSQL("CREATE EXTENSION IF NOT EXISTS vector;", reverse_sql=migrations.RunSQL.noop),
    ]
