"""Project moved from apps.planning to apps.projects: the foreign keys follow in the state only
(the table planning_project stays, so the database constraints are unchanged)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('credentials', '0001_initial'),
        ('projects', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='providercredential',
                    name='project',
                    field=models.ForeignKey(blank=True, help_text='Empty: the credential applies to the whole organization.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='credentials', to='projects.project', verbose_name='project'),
                ),
            ],
            database_operations=[],
        ),
    ]
