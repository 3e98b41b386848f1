"""Project and its guardian grant tables moved to apps.projects (see projects/0001): state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("planning", "0004_project_logo_path"),
        ("projects", "0001_initial"),
        # Every foreign key to Project points at projects.Project before planning's copy goes.
        ("ai", "0003_project_moved_to_projects"),
        ("billing", "0005_project_moved_to_projects"),
        ("credentials", "0002_project_moved_to_projects"),
        ("posts", "0003_project_moved_to_projects"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="contentplan",
                    name="project",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="plans",
                        to="projects.project",
                        verbose_name="project",
                    ),
                ),
                migrations.DeleteModel(name="ProjectUserObjectPermission"),
                migrations.DeleteModel(name="ProjectGroupObjectPermission"),
                migrations.DeleteModel(name="Project"),
            ],
            database_operations=[],
        ),
    ]
