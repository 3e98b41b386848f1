"""The AI decision log: every member reads it, outsiders learn nothing, filters, pages, detail."""

import pytest
from django.urls import reverse

from apps.ai.models import AIDecision
from apps.projects.models import Project

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def make(org, n=1, **values):
    defaults = {
        "agent": "script",
        "prompt_key": "script",
        "prompt_version": 1,
        "provider": "offline",
        "model": "",
        "input_digest": "d" * 64,
        "outcome": "ok",
    }
    return [AIDecision.objects.create(organization=org, **(defaults | values)) for _ in range(n)]


@pytest.fixture
def project(org):
    return Project.objects.create(organization=org, name="Alpenglow", slug="alpenglow")


@pytest.fixture
def decision(org, project):
    (row,) = make(
        org,
        project=project,
        output={"title": "Herbst im Glas", "hook": "Kennst du das?"},
        confidence=0.72,
        rationale="Seasonal hook, brand voice kept.",
        prompt_tokens=1200,
        completion_tokens=345,
        cost="0.001234",
        latency_ms=812.4,
        attempts=2,
        outcome="repaired",
        offline=True,
        request_id="req-42",
    )
    return row


def test_detail_shows_the_audit_record(client_for, org, viewer, decision):
    page = client_for(viewer).get(reverse("ai_decision_detail", args=[org.slug, decision.id])).content.decode()
    assert "offline draft" in page and "Valid after repair" in page
    assert "Seasonal hook, brand voice kept." in page
    assert "0.72" in page and "1545" in page and "0.001234" in page and "812 ms" in page
    assert "req-42" in page and "script v1" in page and "Alpenglow" in page
    assert "{\n  &quot;" in page and "\n  &quot;title&quot;: &quot;Herbst im Glas&quot;" in page  # pretty-printed


def test_failed_decision_shows_its_error(client_for, org, owner):
    (row,) = make(org, outcome="failed", error="schema violation after 2 repair round(s)")
    page = client_for(owner).get(reverse("ai_decision_detail", args=[org.slug, row.id])).content.decode()
    assert "schema violation" in page and "No output was kept." in page


def test_filters_by_agent_project_and_outcome(client_for, org, owner, project):
    make(org, 2, agent="script")
    make(org, 3, agent="research", outcome="failed")
    make(org, 4, agent="research", project=project)
    client = client_for(owner)
    base = reverse("ai_decisions", args=[org.slug])

    def rows(**params):
        response = client.get(base, params, **HX)
        assert response.status_code == 200
        return response.content.decode().count('<tr id="decision-')

    assert rows() == 9
    assert rows(agent="research") == 7
    assert rows(agent="research", outcome="failed") == 3
    assert rows(project="alpenglow") == 4
    assert rows(outcome="budget_refused") == 0


def test_htmx_gets_only_the_table(client_for, org, owner):
    make(org)
    body = client_for(owner).get(reverse("ai_decisions", args=[org.slug]), {"agent": "script"}, **HX).content.decode()
    assert body.lstrip().startswith('<section id="decision-table"') and "<html" not in body


@pytest.mark.parametrize("params", [{"agent": "hacker"}, {"outcome": "bogus"}, {"project": "not-ours"}])
def test_bad_filters_are_400_with_a_message(client_for, org, other_org, owner, params):
    Project.objects.create(organization=other_org, name="Not ours", slug="not-ours")
    make(org)
    response = client_for(owner).get(reverse("ai_decisions", args=[org.slug]), params)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page and '<tr id="decision-' not in page


def test_pages_of_fifty(client_for, org, owner):
    make(org, 51, agent="research")
    client = client_for(owner)
    base = reverse("ai_decisions", args=[org.slug])
    first = client.get(base, {"agent": "research"}).content.decode()
    assert first.count('<tr id="decision-') == 50
    assert "page=2" in first and "agent=research" in first
    second = client.get(base, {"agent": "research", "page": 2}).content.decode()
    assert second.count('<tr id="decision-') == 1
    assert client.get(base, {"page": "abc"}).status_code == 200
