"""Project moved from apps.planning to apps.projects: a database with rows keeps them, and grants."""

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from apps.accounts.models import User
from apps.orgs.models import Membership
from apps.projects.access import REVIEW_PERMISSION
from apps.projects.models import Project

# The migrations just before the move (every app that points at Project).
BEFORE = [
    ("planning", "0004_project_logo_path"),
    ("posts", "0002_post_month_plan_label"),
    ("ai", "0002_default_prompts"),
    ("billing", "0004_free_plan_fits_a_month_plan"),
    ("credentials", "0001_initial"),
    ("projects", None),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([target for target in targets if target[1]]).apps


@pytest.mark.django_db(transaction=True)
def test_moving_project_keeps_rows_foreign_keys_and_reviewer_grants():
    old = _migrate(BEFORE)
    content_type = old.get_model("contenttypes", "ContentType").objects.get(model="project")
    assert content_type.app_label == "planning"  # the state a database had before the move

    org = old.get_model("orgs", "Organization").objects.create(name="Old Agency", slug="old")
    user = old.get_model("accounts", "User").objects.create(email="client@old.test", password="!")
    old.get_model("orgs", "Membership").objects.create(organization=org, user=user, role="viewer")
    project_id = uuid.uuid4()
    project = old.get_model("planning", "Project").objects.create(
        id=project_id, organization=org, name="Legacy Coffee", slug="legacy"
    )
    plan = old.get_model("planning", "ContentPlan").objects.create(
        organization=org, project=project, month="2026-01-01", status="ready"
    )
    permission = old.get_model("auth", "Permission").objects.get(content_type=content_type, codename="review_project")
    old.get_model("planning", "ProjectUserObjectPermission").objects.create(
        user=user, permission=permission, content_object=project
    )
    old.get_model("posts", "PostItem").objects.create(
        organization=org, project=project, plan=plan, date="2026-01-02", slot=1, format="tip", hook="Kept"
    )

    executor = MigrationExecutor(connection)
    _migrate(executor.loader.graph.leaf_nodes())

    moved = Project.objects.for_org(org.id).get(id=project_id)
    assert (moved.name, moved.slug) == ("Legacy Coffee", "legacy")
    assert moved.plans.get().posts.get().hook == "Kept"
    # posts.0006 turned the viewer who held the grant into a guest reviewer: no membership any more …
    assert not Membership.objects.for_org(org.id).filter(user_id=user.id).exists()
    # … and the grant made under `planning` still counts.
    assert User.objects.get(id=user.id).has_perm(REVIEW_PERMISSION, moved)
