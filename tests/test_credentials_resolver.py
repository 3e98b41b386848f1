"""resolve_credential: project beats organization, revoked is ignored, managed only where the plan allows."""

import pytest
from cryptography.fernet import Fernet
from django.db import IntegrityError, transaction

from apps.credentials import crypto
from apps.credentials.actions import CredentialError, do_add_credential, do_revoke_credential
from apps.credentials.models import Mode, ProviderCredential, Status
from apps.credentials.services import CredentialUnavailable, resolve_credential
from apps.orgs.tenancy import UnscopedTenantQuery
from apps.projects.models import Project
from tests.support.credentials import OTHER_SECRET, PLATFORM_SECRET, SECRET, add, subscribe


@pytest.fixture
def project(org):
    return Project.objects.create(organization=org, name="Alpenglow", slug="alpenglow")


@pytest.fixture
def other_project(org):
    return Project.objects.create(organization=org, name="Bergblick", slug="bergblick")


@pytest.fixture
def platform_key(settings):
    settings.VF_MANAGED_KEYS = {"openrouter": PLATFORM_SECRET, "veo": "", "kling": ""}
    return PLATFORM_SECRET


def test_org_credential_serves_org_and_every_project(org, project, owner):
    credential = add(org, secret=SECRET, actor=owner)
    for scope in (None, project):
        resolved = resolve_credential(org, "openrouter", project=scope)
        assert resolved.secret == SECRET
        assert resolved.credential_id == credential.id
        assert resolved.mode == Mode.BYOK and resolved.project_id is None


def test_project_credential_beats_org_credential(org, project, other_project):
    add(org, secret=SECRET)
    specific = add(org, secret=OTHER_SECRET, project=project)
    assert resolve_credential(org, "openrouter", project=project).credential_id == specific.id
    assert resolve_credential(org, "openrouter", project=project).secret == OTHER_SECRET
    assert resolve_credential(org, "openrouter", project=other_project).secret == SECRET
    assert resolve_credential(org, "openrouter").secret == SECRET


def test_project_credential_alone_does_not_serve_the_org(org, project):
    add(org, secret=OTHER_SECRET, project=project)
    with pytest.raises(CredentialUnavailable) as excinfo:
        resolve_credential(org, "openrouter")
    assert excinfo.value.code == "missing"
    assert "No OpenRouter key is set up" in str(excinfo.value)


def test_revoked_credentials_are_ignored(org, project):
    org_wide = add(org, secret=SECRET)
    specific = add(org, secret=OTHER_SECRET, project=project)
    do_revoke_credential(specific)
    assert resolve_credential(org, "openrouter", project=project).credential_id == org_wide.id
    do_revoke_credential(org_wide)
    with pytest.raises(CredentialUnavailable) as excinfo:
        resolve_credential(org, "openrouter", project=project)
    assert excinfo.value.code == "missing"
    org_wide.refresh_from_db()
    assert org_wide.status == Status.REVOKED and org_wide.payload == "" and org_wide.revoked_at


def test_other_providers_and_other_orgs_do_not_count(org, other_org, project):
    add(other_org, secret=SECRET)
    add(org, "veo", secret=OTHER_SECRET)
    with pytest.raises(CredentialUnavailable):
        resolve_credential(org, "openrouter")
    foreign_project = Project.objects.create(organization=other_org, name="Foreign", slug="foreign")
    with pytest.raises(CredentialUnavailable):
        resolve_credential(org, "veo", project=foreign_project)


def test_resolving_records_last_use(org):
    credential = add(org, secret=SECRET)
    assert credential.last_used_at is None
    resolve_credential(org, "openrouter")
    credential.refresh_from_db()
    assert credential.last_used_at is not None


def test_identifier_comes_along(org):
    add(org, "tiktok", secret=SECRET, identifier="aw1234clientkey")
    resolved = resolve_credential(org, "tiktok")
    assert (resolved.identifier, resolved.secret) == ("aw1234clientkey", SECRET)
    assert SECRET not in repr(resolved) and SECRET not in str(resolved)


def test_undecryptable_credential_is_unavailable_not_a_crash(org, settings):
    add(org, secret=SECRET)
    settings.VF_FERNET_KEYS = [Fernet.generate_key().decode()]
    crypto.reset_ring()
    with pytest.raises(CredentialUnavailable) as excinfo:
        resolve_credential(org, "openrouter")
    assert excinfo.value.code == "undecryptable"


# --- managed mode ----------------------------------------------------------------------------


def test_managed_key_only_where_the_plan_allows(org, platform_key):
    subscribe(org, managed=True)
    credential = do_add_credential(org, provider="openrouter", mode=Mode.MANAGED)
    assert credential.payload == "" and credential.mask == ""
    resolved = resolve_credential(org, "openrouter")
    assert resolved.secret == PLATFORM_SECRET and resolved.mode == Mode.MANAGED

    subscribe(org, managed=False)  # downgraded: the existing managed credential stops working
    with pytest.raises(CredentialUnavailable) as excinfo:
        resolve_credential(org, "openrouter")
    assert excinfo.value.code == "managed_not_allowed"
    assert "plan does not include managed" in str(excinfo.value)


def test_adding_a_managed_key_is_refused_without_the_plan(org, platform_key):
    subscribe(org, managed=False)
    with pytest.raises(CredentialError) as excinfo:
        do_add_credential(org, provider="openrouter", mode=Mode.MANAGED)
    assert "plan does not include managed" in str(excinfo.value)
    assert not ProviderCredential.objects.for_org(org).exists()


def test_managed_key_needs_a_configured_platform_key(org, settings):
    settings.VF_MANAGED_KEYS = {"openrouter": "", "veo": "", "kling": ""}
    subscribe(org, managed=True)
    with pytest.raises(CredentialError):
        do_add_credential(org, provider="openrouter", mode=Mode.MANAGED)
    assert not ProviderCredential.objects.for_org(org).exists()


def test_no_managed_mode_for_providers_without_platform_keys(org, platform_key):
    subscribe(org, managed=True)
    with pytest.raises(CredentialError) as excinfo:
        do_add_credential(org, provider="tiktok", mode=Mode.MANAGED)
    assert "no managed key" in str(excinfo.value)
    assert not ProviderCredential.objects.for_org(org).exists()


# --- validation and constraints --------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"provider": "myspace", "secret": SECRET}, "Unknown provider."),
        ({"provider": "openrouter", "secret": "   "}, "Please enter the secret."),
        ({"provider": "openrouter", "mode": "borrowed", "secret": SECRET}, "Unknown mode."),
        ({"provider": "tiktok", "secret": SECRET}, "Please also enter the “Client key”."),
        ({"provider": "openrouter", "secret": "x" * 5000}, "too long"),
    ],
)
def test_bad_input_changes_nothing(org, kwargs, message):
    with pytest.raises(CredentialError) as excinfo:
        do_add_credential(org, **kwargs)
    assert message in str(excinfo.value)
    assert not ProviderCredential.objects.for_org(org).exists()


def test_one_active_credential_per_scope(org, project):
    add(org, secret=SECRET)
    with pytest.raises(CredentialError) as excinfo:
        add(org, secret=OTHER_SECRET)
    assert "already an active OpenRouter key" in str(excinfo.value)
    add(org, secret=OTHER_SECRET, project=project)  # another scope is fine
    assert ProviderCredential.objects.for_org(org).count() == 2


def test_database_enforces_one_active_org_wide_credential(org):
    """nulls_distinct=False: two org-wide (project NULL) active rows collide in the database itself."""
    ProviderCredential.objects.create(organization=org, provider="veo", payload="x", key_id="k")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProviderCredential.objects.create(organization=org, provider="veo", payload="y", key_id="k")
    ProviderCredential.objects.create(organization=org, provider="veo", status=Status.REVOKED)


def test_a_project_of_another_org_is_refused(org, other_org):
    foreign = Project.objects.create(organization=other_org, name="Foreign", slug="foreign")
    with pytest.raises(CredentialError):
        add(org, secret=SECRET, project=foreign)
    assert not ProviderCredential.objects.for_org(org).exists()


def test_unscoped_queries_fail_loudly(org):
    add(org, secret=SECRET)
    with pytest.raises(UnscopedTenantQuery):
        list(ProviderCredential.objects.all())
    assert ProviderCredential.objects.for_org(org).count() == 1
