"""The tenant guard sees into subqueries: Exists, Subquery and `__in=queryset` must be scoped too."""

import pytest
from django.db.models import Exists, OuterRef, Subquery

from apps.jobs.models import JobRun
from apps.orgs.models import Organization
from apps.orgs.tenancy import UnscopedTenantQuery
from apps.projects.models import Project


@pytest.fixture
def projects(org, other_org):
    for o in (org, other_org):
        Project.objects.create(organization=o, name="Brand", slug="brand")
        JobRun.objects.create(organization=o, kind="demo", actor_name="demo")
    return org


UNSCOPED_INNER = {
    "exists": lambda org: JobRun.objects.for_org(org).filter(Exists(Project.objects.filter(slug="brand"))),
    "in_queryset": lambda org: JobRun.objects.for_org(org).filter(
        organization__in=Project.objects.values("organization")
    ),
    "subquery_annotation": lambda org: JobRun.objects.for_org(org).annotate(
        project=Subquery(Project.objects.values("name")[:1])
    ),
    "non_tenant_outer": lambda org: Organization.objects.filter(id__in=Project.objects.values("organization")),
    "nested_twice": lambda org: JobRun.objects.for_org(org).filter(
        Exists(Project.objects.for_org(org).filter(Exists(JobRun.objects.filter(kind="demo"))))
    ),
}


@pytest.mark.parametrize("build", UNSCOPED_INNER.values(), ids=UNSCOPED_INNER.keys())
def test_an_unscoped_subquery_raises(projects, build):
    with pytest.raises(UnscopedTenantQuery, match="tenant model"):
        list(build(projects))


SCOPED_INNER = {
    "outer_ref_to_the_organization": lambda org: JobRun.objects.for_org(org).filter(
        Exists(Project.objects.filter(organization=OuterRef("organization")))
    ),
    "scoped_in_queryset": lambda org: JobRun.objects.for_org(org).filter(
        organization__in=Project.objects.for_org(org).values("organization")
    ),
    "unscoped_on_purpose": lambda org: Organization.objects.filter(
        id__in=Project.objects.unscoped().values("organization")
    ),
    "outer_ref_from_organizations": lambda org: Organization.objects.annotate(
        has_projects=Exists(Project.objects.filter(organization=OuterRef("pk")))
    ),
}


@pytest.mark.parametrize("build", SCOPED_INNER.values(), ids=SCOPED_INNER.keys())
def test_a_scoped_or_correlated_subquery_passes(projects, build):
    assert len(list(build(projects))) >= 1


def test_the_guard_raises_in_development_and_only_logs_in_production(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    code = "import django; django.setup(); from django.conf import settings; print(settings.VF_TENANT_GUARD_RAISE)"
    root = Path(__file__).resolve().parent.parent

    def guard(env_name: str, **extra) -> str:
        env = {"VF_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "viralforge.settings", "VF_ENV": env_name}
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=root, env=env | extra, capture_output=True, text=True, timeout=60
        )
        return done.stdout.strip() or done.stderr

    assert guard("development") == "True"
    production = {
        "SECRET_KEY": "x" * 50,
        "VF_FERNET_KEYS": "YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE=",
        "DATABASE_URL": "postgres://u:p@127.0.0.1:5/x",
        "REDIS_URL": "redis://127.0.0.1:6/0",
        "ALLOWED_HOSTS": "example.test",
        "VF_BASE_URL": "https://example.test",
        "DEBUG": "false",
        "VF_SANDBOX_ENABLED": "false",
    }
    assert guard("production", **production) == "False"
