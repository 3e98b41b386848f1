"""A secret, once entered, never comes out again: not in logs, pages, admin, reprs, errors or dumps."""

import io
import json
import logging
import sys

import httpx
import pytest
from cryptography.fernet import Fernet
from django.core import serializers
from django.core.management import call_command
from django.urls import reverse
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from apps.ai.openrouter import OpenRouterClient, OpenRouterError
from apps.credentials import crypto
from apps.credentials.actions import do_add_credential
from apps.credentials.models import ProviderCredential
from apps.credentials.services import resolve_credential
from apps.sandbox.models import SandboxCall
from tests.support.accounts import make_user
from tests.support.credentials import BAD_SECRET, OTHER_SECRET, SECRET
from viralforge.logging import JsonFormatter

IDENTIFIER = "awclientkey-3f9a1c7e5b"
UNSAVED = "sk-or-v1-never-saved-4d6f8a0c2e4b6d8f0a2c"
SECRETS = [SECRET, OTHER_SECRET, BAD_SECRET, UNSAVED, IDENTIFIER]
HX = {"HTTP_HX_REQUEST": "true"}


def assert_clean(text: str, where: str, *, also=()) -> None:
    for secret in [*SECRETS, *also]:
        for needle in (secret, secret[6:22]):  # the whole secret and a distinctive middle part
            assert needle not in text, f"secret leaked into {where}"


@pytest.fixture
def json_log(caplog):
    """Every log record at DEBUG, formatted by the production JSON formatter."""
    caplog.set_level(logging.DEBUG)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)


@pytest.fixture
def superuser(db):
    return make_user("staff@viralforge.test", is_staff=True, is_superuser=True)


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_full_lifecycle_leaks_nothing(
    live_server, settings, client, org, owner, superuser, json_log, caplog
):  # fmt: skip
    settings.OPENROUTER_BASE_URL = live_server.url + "/sandbox/openrouter/api/v1"
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.VF_FERNET_KEYS = [old]
    client.force_login(owner)
    pages = []

    # add (and a refused add whose secret is never stored), replace, test (ok and failing)
    list_url = reverse("credential_list", args=[org.slug])
    add_url = reverse("credential_add", args=[org.slug])
    response = client.post(add_url, {"provider": "openrouter", "mode": "byok", "secret": SECRET})
    assert response.status_code == 302
    response = client.post(add_url, {"provider": "tiktok", "mode": "byok", "secret": UNSAVED}, **HX)
    assert response.status_code == 400
    pages.append(("refused add form", response))
    response = client.post(
        add_url, {"provider": "tiktok", "mode": "byok", "secret": OTHER_SECRET, "identifier": IDENTIFIER}, **HX
    )
    assert response.status_code == 200
    pages.append(("HTMX add", response))
    openrouter = ProviderCredential.objects.for_org(org).get(provider="openrouter")
    test_url = reverse("credential_test", args=[org.slug, openrouter.id])
    pages.append(("test ok", client.post(test_url, **HX)))
    replace_url = reverse("credential_replace", args=[org.slug, openrouter.id])
    pages.append(("replace", client.post(replace_url, {"secret": BAD_SECRET}, **HX)))
    pages.append(("test failed", client.post(test_url, **HX)))
    openrouter.refresh_from_db()
    assert openrouter.last_test_ok is False and openrouter.secret_version == 2
    assert SandboxCall.objects.count() == 2

    # rotate, resolve
    settings.VF_FERNET_KEYS = [new, old]
    out = io.StringIO()
    call_command("rotate_credentials", stdout=out)
    assert "Re-encrypted 2 credential(s)" in out.getvalue()
    assert resolve_credential(org, "openrouter").secret == BAD_SECRET
    assert resolve_credential(org, "tiktok").identifier == IDENTIFIER

    # pages and admin
    pages.append(("credentials page", client.get(list_url)))
    client.force_login(superuser)
    tiktok = ProviderCredential.objects.for_org(org).get(provider="tiktok")
    for view, obj in [("changelist", None), ("change", openrouter), ("change", tiktok), ("history", tiktok)]:
        args = (obj.pk,) if obj else ()
        pages.append((f"admin {view} {obj and obj.provider}", client.get(admin_url(ProviderCredential, view, *args))))
    # The search box echoes what staff typed; what matters is that no field matches a secret.
    search = client.get(admin_url(ProviderCredential, "changelist"), {"q": SECRET[-12:]}).content.decode()
    assert "0 results" in search
    pages.append(("admin sandbox log", client.get(admin_url(SandboxCall, "changelist"))))

    ciphertexts = [c.payload for c in ProviderCredential.objects.for_org(org)]
    for where, response in pages:
        assert response.status_code in (200, 400), where
        assert_clean(response.content.decode(), where, also=ciphertexts)
    change_page = dict(pages)["admin change tiktok"].content.decode()
    assert 'name="payload"' not in change_page and "…" + OTHER_SECRET[-4:] in change_page

    # every log line, raw and as the JSON formatter writes it
    assert caplog.records, "expected some log output"
    assert_clean("\n".join(f"{r.getMessage()} {r.args!r} {vars(r)!r}" for r in caplog.records), "log records")
    assert_clean(json_log.getvalue(), "JSON log")
    assert "Credential added." in json_log.getvalue()


def test_model_reprs_serializers_and_dumps(org, settings):
    settings.VF_FERNET_KEYS = [Fernet.generate_key().decode()]
    credential = do_add_credential(org, provider="tiktok", secret=SECRET, identifier=IDENTIFIER, label="Main")
    for text in (repr(credential), str(credential), repr(resolve_credential(org, "tiktok"))):
        assert_clean(text, "repr/str", also=[credential.payload])
    queryset = ProviderCredential.objects.for_org(org)
    for fmt in ("json", "xml", "python"):
        dumped = str(serializers.serialize(fmt, queryset))
        assert_clean(dumped, f"{fmt} serializer", also=[credential.payload])
        assert "payload" not in dumped
    assert json.loads(serializers.serialize("json", queryset))[0]["fields"]["mask"] == "…" + SECRET[-4:]
    out = io.StringIO()
    call_command("dumpdata", "credentials", "--all", stdout=out)
    assert_clean(out.getvalue(), "dumpdata", also=[credential.payload])
    assert str(credential.id) in out.getvalue()


def test_openrouter_error_never_echoes_the_key():
    """Even if the provider echoed the key in its error message, the client's error would not carry it."""

    def echo(request):
        key = request.headers["Authorization"].removeprefix("Bearer ")
        return httpx.Response(401, json={"error": {"code": 401, "message": f"Invalid key {key}"}})

    client = OpenRouterClient(SECRET, base_url="http://openrouter.test/api/v1", transport=httpx.MockTransport(echo))
    with pytest.raises(OpenRouterError) as excinfo, client:
        client.get_key()
    assert excinfo.value.code == 401 and excinfo.value.message == "Invalid key [redacted]"
    assert_clean(f"{excinfo.value} {excinfo.value!r} {excinfo.value.args} {client!r}", "client error")


def test_error_reports_hide_secrets(client, org, owner, settings):
    """Django's error report (500 mails, technical pages) masks the POSTed secret and the action's variables."""
    client.force_login(owner)
    response = client.post(
        reverse("credential_add", args=[org.slug]),
        {"provider": "tiktok", "mode": "byok", "secret": SECRET, "identifier": IDENTIFIER},
    )
    request = response.wsgi_request
    post = SafeExceptionReporterFilter().get_post_parameters(request)
    assert post["secret"] != SECRET and post["identifier"] != IDENTIFIER
    assert post["provider"] == "tiktok"

    settings.VF_FERNET_KEYS = ["broken-key"]  # fails inside the action, after the secret was read
    try:
        do_add_credential(org, provider="openrouter", secret=OTHER_SECRET)
    except Exception:
        frames = ExceptionReporter(None, *sys.exc_info()).get_traceback_frames()
    else:
        pytest.fail("expected ImproperlyConfigured")
    local_vars = {(frame["function"], name): value for frame in frames for name, value in frame["vars"]}
    assert ("do_add_credential", "secret") in local_vars and ("_encrypted", "payload") in local_vars
    assert_clean(repr(local_vars), "error report")
    crypto.reset_ring()
