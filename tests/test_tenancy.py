"""The tenant guard: queries on organization-owned models must be scoped."""

import uuid

import pytest
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from apps.jobs.models import JobRun
from apps.orgs.access import get_invitation, get_member
from apps.orgs.models import Invitation, Membership
from apps.orgs.roles import Role
from apps.orgs.tenancy import UnscopedTenantQuery
from apps.projects.models import Project, ProjectUserObjectPermission

TENANT_MODELS = [Membership, JobRun, Project, Invitation]


@pytest.fixture
def rows(org, other_org, owner, outsider):
    for o in (org, other_org):
        Project.objects.create(organization=o, name="Brand", slug="brand")
        JobRun.objects.create(organization=o, kind="demo", actor_name="demo")
        Invitation.objects.create(organization=o, email="x@y.test", expires_at=timezone.now())
    return org


UNSCOPED_QUERIES = {
    "all": lambda qs: list(qs.all()),
    "count": lambda qs: qs.count(),
    "exists": lambda qs: qs.exists(),
    "first": lambda qs: qs.first(),
    "iterator": lambda qs: list(qs.iterator()),
    "values_list": lambda qs: list(qs.values_list("id", flat=True)),
    "filter_other_field": lambda qs: list(qs.filter(created_at__lte=timezone.now())),
    "get": lambda qs: qs.get(id=uuid.uuid4()),
    "update": lambda qs: qs.update(created_at=timezone.now()),
    "delete": lambda qs: qs.delete(),
    "aggregate": lambda qs: qs.aggregate(n=Count("id")),
    "or_with_unscoped_branch": lambda qs: list(qs.filter(organization__slug="alpha") | qs.filter(id=uuid.uuid4())),
}


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("query", UNSCOPED_QUERIES.values(), ids=UNSCOPED_QUERIES.keys())
def test_unscoped_query_raises(rows, model, query):
    before = model.objects.unscoped().count()
    with pytest.raises(UnscopedTenantQuery, match=model._meta.label):
        query(model.objects)
    assert model.objects.unscoped().count() == before


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m.__name__)
def test_for_org_is_scoped(rows, other_org, model):
    org = rows
    mine = list(model.objects.for_org(org))
    assert mine
    assert {row.organization_id for row in mine} == {org.id}
    assert model.objects.for_org(org).count() == len(mine)
    assert model.objects.filter(organization=org).count() == len(mine)
    assert model.objects.filter(organization_id=org.id).count() == len(mine)
    assert model.objects.filter(organization__in=[org, other_org]).count() > len(mine)


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m.__name__)
def test_unscoped_opt_out(rows, model):
    assert model.objects.unscoped().count() == 2
    assert model.objects.unscoped().filter(created_at__lte=timezone.now()).count() == 2
    # the opt-out survives further chaining
    assert len(model.objects.unscoped().order_by("created_at").exclude(id=uuid.uuid4())) == 2


@pytest.mark.parametrize(
    ("model", "related"),
    [(Membership, "memberships"), (JobRun, "job_runs"), (Project, "projects"), (Invitation, "invitations")],
)
def test_related_managers_are_scoped(rows, model, related):
    org = rows
    manager = getattr(org, related)
    assert manager.count() == model.objects.for_org(org).count()
    assert all(row.organization_id == org.id for row in manager.all())


def test_membership_scoped_by_user(rows, owner):
    """Membership declares `user` a scope field: "my memberships" crosses organizations on purpose."""
    assert [m.user_id for m in Membership.objects.filter(user=owner)] == [owner.id]
    assert list(owner.memberships.all())


def test_filter_by_tenant_parent_is_scoped(rows):
    """A foreign key to another tenant model (here: a project) counts as scoped."""
    org = rows
    project = Project.objects.for_org(org).get()
    assert Project.objects.filter(id=project.id, organization=org).exists()
    # the guard inspects the WHERE clause: a lookup through the project FK is enough for child rows
    assert ProjectUserObjectPermission.objects.filter(content_object=project).count() == 0


def test_get_member_from_another_org_is_404(rows, other_org, owner, outsider):
    org = rows
    foreign = Membership.objects.for_org(other_org).get(user=outsider)
    with pytest.raises(Http404):
        get_member(org, foreign.id)
    mine = Membership.objects.for_org(org).get(user=owner)
    assert get_member(org, mine.id) == mine
    assert get_member(org, str(mine.id)).role == Role.OWNER


NOBODYS_UUID = "5f0c7a9e-3b1d-4c2e-9a8f-6d4e2b1c0a97"  # fixed: xdist workers must collect the same ids


@pytest.mark.parametrize("bad_id", ["not-a-uuid", "", None, NOBODYS_UUID])
def test_get_member_with_bad_id_is_404(rows, bad_id):
    with pytest.raises(Http404):
        get_member(rows, bad_id)


def test_get_invitation_from_another_org_is_404(rows, other_org):
    org = rows
    foreign = Invitation.objects.for_org(other_org).get()
    with pytest.raises(Http404):
        get_invitation(org, foreign.id)
    assert get_invitation(org, Invitation.objects.for_org(org).get().id).organization_id == org.id


def test_guard_only_logs_when_not_raising(rows, settings, caplog):
    settings.VF_TENANT_GUARD_RAISE = False
    with caplog.at_level("ERROR", logger="apps.orgs.tenancy"):
        assert Membership.objects.count() == 2
    assert "Unscoped query on tenant model orgs.Membership" in caplog.text


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m.__name__)
def test_exclude_my_org_is_not_a_scope(rows, model):
    """`exclude(organization=org)` is every *other* organization's data."""
    with pytest.raises(UnscopedTenantQuery):
        list(model.objects.exclude(organization=rows))
    # ... but excluding rows inside a scope is fine
    assert model.objects.for_org(rows).exclude(id=uuid.uuid4()).count() == 1


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m.__name__)
def test_or_of_two_scoped_branches_is_scoped(rows, other_org, model):
    assert (model.objects.for_org(rows) | model.objects.for_org(other_org)).count() == 2


def test_shared_rows_without_organization_count_as_scoped(rows):
    """Org rows plus shared rows (no organization) is a legitimate scope; e.g. system jobs."""
    JobRun.objects.create(organization=None, kind="system", actor_name="demo")
    both = JobRun.objects.filter(Q(organization=rows) | Q(organization__isnull=True))
    assert sorted(j.kind for j in both) == ["demo", "system"]
    with pytest.raises(UnscopedTenantQuery):
        list(JobRun.objects.filter(organization__isnull=False))


def test_only_unique_organization_columns_scope(rows):
    assert Membership.objects.filter(organization__slug="alpha").count() == 1
    assert Membership.objects.filter(organization__id=rows.id).count() == 1
    with pytest.raises(UnscopedTenantQuery):
        list(Membership.objects.filter(organization__name="Alpha Agency"))
    with pytest.raises(UnscopedTenantQuery):
        list(Membership.objects.filter(organization__slug__startswith="a"))
