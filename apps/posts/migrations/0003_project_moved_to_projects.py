"""Project moved from apps.planning to apps.projects: the foreign keys follow in the state only
(the table planning_project stays, so the database constraints are unchanged)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('posts', '0002_post_month_plan_label'),
        ('projects', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='postitem',
                    name='project',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='posts', to='projects.project', verbose_name='project'),
                ),
            ],
            database_operations=[],
        ),
    ]
