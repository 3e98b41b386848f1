"""Project, its guardian grant tables and the review permission move here from apps.planning.

State only: the tables keep their names (planning_project, planning_project*objectpermission)
and rows. The content types are renamed so existing grants (and the `review_project`
permission) belong to `projects` from now on.
"""

import apps.projects.models
import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


MOVED_MODELS = ("project", "projectuserobjectpermission", "projectgroupobjectpermission")


def _rename_content_types(apps, source: str, target: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MOVED_MODELS:
        if not content_type.objects.filter(app_label=target, model=model).exists():
            content_type.objects.filter(app_label=source, model=model).update(app_label=target)
    content_type.objects.clear_cache()


def move_content_types(apps, schema_editor):
    _rename_content_types(apps, "planning", "projects")


def move_content_types_back(apps, schema_editor):
    _rename_content_types(apps, "projects", "planning")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('orgs', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('planning', '0004_project_logo_path'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Project',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('name', models.CharField(max_length=120, verbose_name='name')),
                        ('slug', models.SlugField(max_length=60, verbose_name='slug')),
                        ('language', models.CharField(choices=[('en', 'English'), ('de', 'German')], default='de', max_length=8, verbose_name='content language')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('monthly_token_budget', models.PositiveBigIntegerField(blank=True, null=True, verbose_name='monthly token budget')),
                        ('monthly_video_seconds_budget', models.PositiveIntegerField(blank=True, null=True, verbose_name='monthly video seconds budget')),
                        ('max_regenerations_per_post', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='maximum regenerations per post')),
                        ('audience', models.TextField(blank=True, verbose_name='audience')),
                        ('colors', models.JSONField(blank=True, default=list, verbose_name='brand colours')),
                        ('logo', models.FileField(blank=True, max_length=255, upload_to=apps.projects.models.brand_upload_to, verbose_name='logo')),
                        ('cta', models.CharField(blank=True, max_length=200, verbose_name='call to action')),
                        ('hashtags', models.JSONField(blank=True, default=list, verbose_name='hashtags')),
                        ('topics', models.JSONField(blank=True, default=list, verbose_name='topics')),
                        ('content_pillars', models.JSONField(blank=True, default=list, verbose_name='content pillars')),
                        ('target_platforms', models.JSONField(blank=True, default=list, verbose_name='target platforms')),
                        ('autopilot', models.BooleanField(default=False, verbose_name='autopilot')),
                        ('approval_rule', models.CharField(choices=[('none', 'No approval needed'), ('editor', 'An editor approves'), ('client_reviewer', 'A client reviewer approves')], default='editor', max_length=20, verbose_name='approval rule')),
                        ('time_zone', models.CharField(default='Europe/Berlin', max_length=60, verbose_name='time zone')),
                        ('slot_times', models.JSONField(default=apps.projects.models.default_slot_times, verbose_name='daily slot times')),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='projects', to='orgs.organization', verbose_name='organization')),
                    ],
                    options={
                        'verbose_name': 'project',
                        'verbose_name_plural': 'projects',
                        'db_table': 'planning_project',
                        'ordering': ['name'],
                        'permissions': [('review_project', 'Can review and approve the posts of this project')],
                    },
                ),
                migrations.CreateModel(
                    name='ProjectGroupObjectPermission',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('content_object', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='projects.project')),
                        ('group', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='auth.group')),
                        ('permission', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='auth.permission')),
                    ],
                    options={
                        'db_table': 'planning_projectgroupobjectpermission',
                        'abstract': False,
                    },
                ),
                migrations.CreateModel(
                    name='ProjectUserObjectPermission',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('content_object', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='projects.project')),
                        ('permission', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='auth.permission')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'planning_projectuserobjectpermission',
                        'abstract': False,
                    },
                ),
                migrations.AddConstraint(
                    model_name='project',
                    constraint=models.UniqueConstraint(fields=('organization', 'slug'), name='unique_project_slug_per_org'),
                ),
                migrations.AlterUniqueTogether(
                    name='projectgroupobjectpermission',
                    unique_together={('group', 'permission', 'content_object')},
                ),
                migrations.AlterUniqueTogether(
                    name='projectuserobjectpermission',
                    unique_together={('user', 'permission', 'content_object')},
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
