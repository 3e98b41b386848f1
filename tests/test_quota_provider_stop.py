"""A hard budget stop happens before the provider is called: the sandbox's request log proves it."""

import pytest

from apps.ai.openrouter import OpenRouterClient
from apps.billing import quota
from apps.billing.models import UsageKind
from apps.billing.testing import subscribe
from apps.credentials.actions import do_add_credential
from apps.credentials.services import resolve_credential
from apps.projects.models import Project
from apps.sandbox.log import calls

pytestmark = pytest.mark.django_db(transaction=True)
SECRET = "sk-or-budget-stop-0123456789"


@pytest.fixture
def sandbox(live_server, settings):
    settings.OPENROUTER_BASE_URL = live_server.url + "/sandbox/openrouter/api/v1"


def _spend_through_provider(org, project, key: str) -> None:
    with quota.metered(org, UsageKind.TOKENS, 40, project=project, idempotency_key=key) as use:
        credential = resolve_credential(org, "openrouter", project=project)
        with OpenRouterClient(credential.secret) as client:
            client.get_key()
        use.actual = 40


def test_plan_limit_stops_before_the_provider_call(sandbox, org, owner):
    subscribe(org, monthly_tokens=100)
    project = Project.objects.create(organization=org, name="Brand", slug="brand")
    do_add_credential(org, provider="openrouter", secret=SECRET, actor=owner)

    _spend_through_provider(org, project, "call-1")
    _spend_through_provider(org, project, "call-2")
    assert calls("openrouter").count() == 2

    with pytest.raises(quota.QuotaExceeded) as refused:
        _spend_through_provider(org, project, "call-3")
    assert refused.value.kind == UsageKind.TOKENS
    assert calls("openrouter").count() == 2  # the third call never left the building
    assert quota.check(org, UsageKind.TOKENS, 20).allowed


def test_project_budget_stops_before_the_provider_call(sandbox, org, owner):
    subscribe(org, monthly_tokens=10_000)
    project = Project.objects.create(organization=org, name="Brand", slug="brand", monthly_token_budget=50)
    do_add_credential(org, provider="openrouter", secret=SECRET, actor=owner)

    _spend_through_provider(org, project, "p-1")
    with pytest.raises(quota.QuotaExceeded) as refused:
        _spend_through_provider(org, project, "p-2")
    assert refused.value.scope == "project"
    assert calls("openrouter").count() == 1
