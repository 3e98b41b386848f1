"""Project moved from apps.planning to apps.projects: the foreign keys follow in the state only
(the table planning_project stays, so the database constraints are unchanged)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ai', '0002_default_prompts'),
        ('projects', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='agentroute',
                    name='project',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='projects.project', verbose_name='project'),
                ),
                migrations.AlterField(
                    model_name='aidecision',
                    name='project',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='projects.project', verbose_name='project'),
                ),
                migrations.AlterField(
                    model_name='brandvoice',
                    name='project',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='projects.project', verbose_name='project'),
                ),
                migrations.AlterField(
                    model_name='knowledgechunk',
                    name='project',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='projects.project', verbose_name='project'),
                ),
                migrations.AlterField(
                    model_name='knowledgedoc',
                    name='project',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='projects.project', verbose_name='project'),
                ),
                migrations.AlterField(
                    model_name='similarityentry',
                    name='project',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='projects.project', verbose_name='project'),
                ),
            ],
            database_operations=[],
        ),
    ]
