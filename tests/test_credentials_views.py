"""The credentials pages: who may use them, what they change, and what they never show."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.billing import ratelimit
from apps.credentials.models import CredentialPolicy, ProviderCredential, Status
from apps.projects.models import Project
from tests.support.credentials import OTHER_SECRET, SECRET, add

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def credential(org, owner):
    # Veo: "test connection" is not supported yet, so no network is involved here.
    return add(org, "veo", secret=SECRET, actor=owner, label="Renders")


@pytest.fixture
def project(org):
    return Project.objects.create(organization=org, name="Alpenglow", slug="alpenglow")


def url(name, org, credential=None):
    args = [org.slug] + ([credential.id] if credential is not None else [])
    return reverse(name, args=args)


def snapshot(org):
    rows = (
        ProviderCredential.objects.for_org(org)
        .order_by("id")
        .values_list("id", "status", "secret_version", "payload", "last_test_at")
    )
    return list(rows), list(CredentialPolicy.objects.for_org(org).values_list("max_age_days", flat=True))


# --- access ----------------------------------------------------------------------------------


# --- list ------------------------------------------------------------------------------------


def test_list_shows_metadata_and_mask_only(client_for, org, owner, credential, project):
    add(org, "openrouter", secret=OTHER_SECRET, project=project)
    response = client_for(owner).get(url("credential_list", org))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Google Veo" in html and "Renders" in html and "Alpenglow" in html and "Whole organization" in html
    assert "…" + SECRET[-4:] in html and "…" + OTHER_SECRET[-4:] in html
    assert "owner@alpha.test" in html
    assert "version 1" in html and "not tested yet" in html
    assert SECRET not in html and OTHER_SECRET not in html
    assert credential.payload not in html
    for name in ("credential_replace", "credential_revoke", "credential_test"):
        assert url(name, org, credential) in html


def test_list_does_not_show_other_orgs_credentials(client_for, org, other_org, owner):
    add(other_org, "openrouter", secret=OTHER_SECRET, label="Beta's key")
    html = client_for(owner).get(url("credential_list", org)).content.decode()
    assert "Beta&#x27;s key" not in html and "Beta's key" not in html
    assert "No keys yet." in html


def test_stale_badge_follows_the_policy(client_for, org, owner, credential):
    client = client_for(owner)
    badge = "stale — rotate this key"
    assert badge not in client.get(url("credential_list", org)).content.decode()

    ProviderCredential.objects.for_org(org).filter(id=credential.id).update(
        replaced_at=timezone.now() - timedelta(days=91)
    )
    assert badge in client.get(url("credential_list", org)).content.decode()  # default policy: 90 days

    assert client.post(url("credential_policy", org), {"max_age_days": "120"}).status_code == 302
    assert badge not in client.get(url("credential_list", org)).content.decode()

    ProviderCredential.objects.for_org(org).filter(id=credential.id).update(status=Status.REVOKED)
    client.post(url("credential_policy", org), {"max_age_days": "30"})
    assert badge not in client.get(url("credential_list", org)).content.decode()  # revoked keys need no rotation


# --- add -------------------------------------------------------------------------------------


def test_add_redirects_with_message_and_stores_encrypted(client_for, org, owner, project):
    response = client_for(owner).post(
        url("credential_add", org),
        {"provider": "openrouter", "mode": "byok", "project": project.id, "label": "Brand key", "secret": SECRET},
        follow=True,
    )
    assert response.redirect_chain == [(url("credential_list", org), 302)]
    html = response.content.decode()
    assert "saved." in html and "…" + SECRET[-4:] in html and SECRET not in html
    credential = ProviderCredential.objects.for_org(org).get()
    assert (credential.provider, credential.project, credential.label) == ("openrouter", project, "Brand key")
    assert credential.created_by == owner and credential.secret_version == 1
    assert credential.reveal() == {"secret": SECRET}


def test_htmx_add_returns_the_panel(client_for, org, admin_user):
    response = client_for(admin_user).post(
        url("credential_add", org),
        {"provider": "tiktok", "mode": "byok", "identifier": "awclientkey", "secret": SECRET},
        **HX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="credentials-panel">')
    assert "<html" not in html
    credential = ProviderCredential.objects.for_org(org).get()
    assert f'id="credential-{credential.id}"' in html
    assert "awclientkey" not in html and SECRET not in html
    assert credential.reveal() == {"secret": SECRET, "identifier": "awclientkey"}


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"provider": "openrouter", "mode": "byok", "secret": ""}, "Please enter the secret."),
        ({"provider": "myspace", "mode": "byok", "secret": SECRET}, "Select a valid choice."),
        ({"provider": "openrouter", "mode": "borrowed", "secret": SECRET}, "Select a valid choice."),
        ({"provider": "tiktok", "mode": "byok", "secret": SECRET}, "Please also enter the “Client key”."),
        ({"provider": "veo", "mode": "byok", "secret": SECRET}, "already an active Google Veo key"),
        ({"provider": "openrouter", "mode": "byok", "secret": SECRET, "project": "not-a-uuid"}, "is not a valid UUID"),
    ],
)
def test_add_bad_input_is_400_and_changes_nothing(client_for, org, owner, credential, data, error):
    before = snapshot(org)
    for extra in ({}, HX):
        response = client_for(owner).post(url("credential_add", org), data, **extra)
        assert response.status_code == 400
        html = response.content.decode()
        assert error in html
        assert SECRET not in html  # the secret is never rendered back into the form
    assert snapshot(org) == before


def test_add_refuses_a_project_of_another_org(client_for, org, other_org, owner):
    foreign = Project.objects.create(organization=other_org, name="Foreign", slug="foreign")
    response = client_for(owner).post(
        url("credential_add", org), {"provider": "openrouter", "mode": "byok", "project": foreign.id, "secret": SECRET}
    )
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert not ProviderCredential.objects.for_org(org).exists()
    assert not ProviderCredential.objects.for_org(other_org).exists()


def test_add_managed_key_refused_by_plan(client_for, org, owner, settings):
    from tests.support.credentials import subscribe

    settings.VF_MANAGED_KEYS = {"openrouter": "sk-or-platform-key-123456", "veo": "", "kling": ""}
    subscribe(org, managed=False)
    response = client_for(owner).post(url("credential_add", org), {"provider": "openrouter", "mode": "managed"})
    assert response.status_code == 400
    assert "plan does not include managed" in response.content.decode()
    assert not ProviderCredential.objects.for_org(org).exists()

    subscribe(org, managed=True)
    response = client_for(owner).post(url("credential_add", org), {"provider": "openrouter", "mode": "managed"})
    assert response.status_code == 302
    credential = ProviderCredential.objects.for_org(org).get()
    assert credential.mode == "managed" and credential.payload == ""
    html = client_for(owner).get(url("credential_list", org)).content.decode()
    assert "platform key" in html and "sk-or-platform-key-123456" not in html


# --- replace ---------------------------------------------------------------------------------


def test_htmx_replace_bumps_the_version_and_returns_the_row(client_for, org, owner, credential):
    ProviderCredential.objects.for_org(org).filter(id=credential.id).update(
        replaced_at=timezone.now() - timedelta(days=200), last_test_at=timezone.now(), last_test_ok=False
    )
    response = client_for(owner).post(url("credential_replace", org, credential), {"secret": OTHER_SECRET}, **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="credential-{credential.id}"')
    assert "version 2" in html and "…" + OTHER_SECRET[-4:] in html and OTHER_SECRET not in html
    assert "Key replaced." in html  # the message, out of band
    assert "stale — rotate this key" not in html
    credential.refresh_from_db()
    assert credential.secret_version == 2 and credential.reveal() == {"secret": OTHER_SECRET}
    assert credential.replaced_at > timezone.now() - timedelta(minutes=1)
    assert credential.last_test_at is None and credential.last_test_ok is None


def test_replace_without_htmx_redirects(client_for, org, admin_user, credential):
    response = client_for(admin_user).post(url("credential_replace", org, credential), {"secret": OTHER_SECRET})
    assert response.status_code == 302 and response["Location"] == url("credential_list", org)
    credential.refresh_from_db()
    assert credential.secret_version == 2


@pytest.mark.parametrize("extra", [{}, HX], ids=["plain", "htmx"])
def test_replace_with_empty_secret_is_400(client_for, org, owner, credential, extra):
    before = snapshot(org)
    response = client_for(owner).post(url("credential_replace", org, credential), {"secret": "  "}, **extra)
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert snapshot(org) == before


def test_replace_needs_the_identifier_where_the_provider_has_one(client_for, org, owner):
    tiktok = add(org, "tiktok", secret=SECRET, identifier="awkey")
    response = client_for(owner).post(url("credential_replace", org, tiktok), {"secret": OTHER_SECRET}, **HX)
    assert response.status_code == 400
    assert "Please also enter the “Client key”." in response.content.decode()
    tiktok.refresh_from_db()
    assert tiktok.secret_version == 1 and tiktok.reveal()["secret"] == SECRET


def test_revoked_key_cannot_be_replaced(client_for, org, owner, credential):
    client = client_for(owner)
    client.post(url("credential_revoke", org, credential))
    response = client.post(url("credential_replace", org, credential), {"secret": OTHER_SECRET}, **HX)
    assert response.status_code == 400
    assert "A revoked key cannot be replaced." in response.content.decode()
    credential.refresh_from_db()
    assert credential.secret_version == 1 and credential.payload == ""


# --- revoke ----------------------------------------------------------------------------------


def test_htmx_revoke_returns_the_revoked_row(client_for, org, owner, credential):
    client = client_for(owner)
    response = client.post(url("credential_revoke", org, credential), **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="credential-{credential.id}"')
    assert "Revoked" in html and url("credential_test", org, credential) not in html
    credential.refresh_from_db()
    assert credential.status == Status.REVOKED and credential.payload == "" and credential.revoked_at

    again = client.post(url("credential_revoke", org, credential), **HX)
    assert again.status_code == 409
    assert "already revoked" in again.content.decode()


# --- test connection (providers without a check: no network) ---------------------------------


def test_unsupported_provider_test_says_so_inline(client_for, org, owner, credential):
    response = client_for(owner).post(url("credential_test", org, credential), **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="credential-{credential.id}"')
    assert "Testing Google Veo keys is not supported yet." in html
    credential.refresh_from_db()
    assert credential.last_test_at is None


def test_testing_a_revoked_key_is_409(client_for, org, owner, credential):
    client = client_for(owner)
    client.post(url("credential_revoke", org, credential))
    response = client.post(url("credential_test", org, credential), **HX)
    assert response.status_code == 409
    assert "A revoked key cannot be tested." in response.content.decode()


def test_test_connection_is_rate_limited_per_org(client_for, org, owner, credential, settings):
    settings.VF_RATE_LIMIT_CREDENTIAL_TESTS = 2
    ratelimit.reset("credential_test", org)
    client = client_for(owner)
    statuses = [client.post(url("credential_test", org, credential), **HX).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    ratelimit.reset("credential_test", org)


# --- rotation policy -------------------------------------------------------------------------


def test_policy_is_saved(client_for, org, owner):
    response = client_for(owner).post(url("credential_policy", org), {"max_age_days": "30"}, **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Rotation policy saved." in html and "older than 30 days" in html
    assert CredentialPolicy.objects.for_org(org).get().max_age_days == 30
    client_for(owner).post(url("credential_policy", org), {"max_age_days": "45"})
    assert CredentialPolicy.objects.for_org(org).get().max_age_days == 45


@pytest.mark.parametrize("value", ["0", "-5", "abc", "", "99999"])
def test_bad_policy_is_400_and_changes_nothing(client_for, org, owner, value):
    client_for(owner).post(url("credential_policy", org), {"max_age_days": "60"})
    response = client_for(owner).post(url("credential_policy", org), {"max_age_days": value}, **HX)
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert CredentialPolicy.objects.for_org(org).get().max_age_days == 60


# --- admin -----------------------------------------------------------------------------------


def test_admin_pages_open_and_keep_the_payload(client, org, owner, credential):
    from apps.credentials.actions import do_set_rotation_policy
    from apps.sandbox.models import SandboxCall
    from tests.support.accounts import make_user

    staff = make_user("staff@viralforge.test", is_staff=True, is_superuser=True)
    client.force_login(staff)
    policy = do_set_rotation_policy(org, 30)
    call = SandboxCall.objects.create(service="openrouter", method="GET", path="/x", status=200)

    def admin_url(obj, view="change"):
        args = [obj.pk] if view != "changelist" and view != "add" else []
        return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_{view}", args=args)

    for obj in (credential, policy, call):
        assert client.get(admin_url(obj, "changelist")).status_code == 200
        assert client.get(admin_url(obj)).status_code == 200
    # Credentials and sandbox calls are never created in the admin.
    assert client.get(admin_url(credential, "add")).status_code == 403
    assert client.get(admin_url(call, "add")).status_code == 403

    payload = credential.payload
    response = client.post(admin_url(credential), {"label": "Renamed by staff"})
    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.label == "Renamed by staff"
    assert credential.payload == payload and credential.reveal() == {"secret": SECRET}


def test_managed_mode_is_offered_only_when_a_managed_key_is_configured(client_for, org, owner, settings):
    """Issue 16 (9): without a platform key, "Managed by ViralForge" is not offered (and not accepted)."""
    settings.VF_MANAGED_KEYS = {"openrouter": "", "veo": "", "kling": ""}
    html = client_for(owner).get(url("credential_list", org)).content.decode()
    assert 'value="managed"' not in html and 'value="byok"' in html
    response = client_for(owner).post(url("credential_add", org), {"provider": "openrouter", "mode": "managed"})
    assert response.status_code == 400 and "Select a valid choice." in response.content.decode()
    assert not ProviderCredential.objects.for_org(org).exists()
    settings.VF_MANAGED_KEYS = {"openrouter": "sk-or-platform-key-123456", "veo": "", "kling": ""}
    assert 'value="managed"' in client_for(owner).get(url("credential_list", org)).content.decode()
