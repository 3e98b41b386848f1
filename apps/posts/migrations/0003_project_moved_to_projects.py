"""Project moved from apps.planning to apps.projects: the foreign keys follow in the state only
(the table planning_project stays, so the database constraints are unchanged)."""

from django.db import migrations, models

# model → the options of its `project` foreign key (unchanged but for the target)
PROJECT_FOREIGN_KEYS = {
    "postitem": dict(on_delete=models.CASCADE, related_name='posts'),
}


class Migration(migrations.Migration):
    dependencies = [
        ('posts', '0002_post_month_plan_label'),
        ('projects', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model, "project", models.ForeignKey(to="projects.project", verbose_name="project", **options)
                )
                for model, options in PROJECT_FOREIGN_KEYS.items()
            ]
        )
    ]
