"""The policy test bench page: /o/<org>/compliance/policy/.

Every member may open it and check a text (it writes nothing); only admins and owners see
the list of rule sets with their patterns.
"""

import pytest
from django.urls import reverse

from apps.compliance.actions import do_publish_rule_set
from apps.compliance.models import Rule, RuleSet
from tests.support.accounts import make_user
from tests.support.policy_corpus import default_rule_set

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def defaults(db):
    return default_rule_set()


def bench_url(org):
    return reverse("policy_test_bench", args=[org.slug])


def competitors(org):
    rule_set = RuleSet.objects.create(organization=org, name="competitors")
    Rule.objects.create(
        rule_set=rule_set,
        code="rivals",
        category="taboo",
        kind="phrases",
        outcome="hard_block",
        patterns="Starbucks",
        description="Never name a competitor.",
    )
    return do_publish_rule_set(rule_set)


def snapshot():
    return sorted(RuleSet.objects.unscoped().values_list("id", "version", "active", "published_at"))


def test_url():
    assert reverse("policy_test_bench", args=["alpha"]) == "/o/alpha/compliance/policy/"


@pytest.mark.parametrize("role", ["owner", "admin_user", "editor", "viewer"])
def test_every_member_gets_the_form(request, client_for, org, role):
    response = client_for(request.getfixturevalue(role)).get(bench_url(org))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Policy test bench" in html
    assert 'name="text"' in html and 'name="ai_generated"' in html and 'name="disclosure"' in html
    assert f'hx-post="{bench_url(org)}"' in html
    assert 'id="policy-verdict"' not in html


def test_check_shows_the_verdict_with_highlights(client_for, org, editor):
    response = client_for(editor).post(
        bench_url(org), {"text": "Größe zählt: Dieser Tee heilt Krebs!", "language": "de", "platform": "tiktok"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="policy-verdict"' in html
    assert "Blocked" in html
    assert "Medical claims" in html
    assert '<mark class="outcome-hard_block">heilt Krebs</mark>' in html
    assert "Claims to cure, treat or prevent an illness (“heilt Krebs”)" in html  # the reason, in the viewer's language
    assert "medical-cure-claim-de" in html
    assert '<span class="rule-set-version">default v1</span>' in html
    # The form keeps what was typed.
    assert "Größe zählt" in html


def test_a_clean_text_passes(client_for, org, editor):
    html = client_for(editor).post(bench_url(org), {"text": "Frischer Kaffee aus den Alpen.", "language": "de"})
    html = html.content.decode()
    assert "No rule matched" in html
    assert "<mark" not in html


def test_fields_flags_and_platform(client_for, org, editor):
    response = client_for(editor).post(
        bench_url(org),
        {
            "text": "Unser neues Maskottchen",
            "title": "T" * 105,
            "hashtags": "#kaffee, alpen  #f4f",
            "language": "de",
            "platform": "youtube_shorts",
            "ai_generated": "on",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "AI disclosure" in html and "Platform rules" in html
    assert "Title: 105 (limit 100)" in html
    assert '<mark class="outcome-hard_block">TTTTT</mark>' in html
    assert '<mark class="outcome-needs_review">#f4f</mark>' in html
    ok = client_for(editor).post(
        bench_url(org), {"text": "Unser neues Maskottchen", "language": "de", "ai_generated": "on", "disclosure": "on"}
    )
    assert "No rule matched" in ok.content.decode()


def test_the_text_is_escaped(client_for, org, editor):
    html = client_for(editor).post(bench_url(org), {"text": "<script>alert(1)</script> heilt Krebs", "language": "de"})
    html = html.content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_htmx_returns_only_the_partial(client_for, org, editor):
    response = client_for(editor).post(bench_url(org), {"text": "Get rich quick!", "language": "en"}, **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="policy-bench">')
    assert "<html" not in html and "<body" not in html
    assert "Financial promises" in html
    assert "Rule sets that apply" not in html


@pytest.mark.parametrize("text", ["", "   \n  "])
def test_empty_text_is_a_400_with_a_message(client_for, org, editor, text):
    response = client_for(editor).post(bench_url(org), {"text": text, "language": "de"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter the text you want to check." in html
    assert 'id="policy-verdict"' not in html


def test_empty_text_over_htmx_is_a_400_partial(client_for, org, editor):
    response = client_for(editor).post(bench_url(org), {"language": "de"}, **HX)
    assert response.status_code == 400
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="policy-bench">')
    assert "Enter the text you want to check." in html


def test_bad_choices_are_a_400(client_for, org, editor):
    response = client_for(editor).post(bench_url(org), {"text": "Kaffee", "language": "fr", "platform": "myspace"})
    assert response.status_code == 400


def test_too_many_hashtags_is_a_400(client_for, org, editor):
    tags = " ".join(f"#t{i}" for i in range(201))
    response = client_for(editor).post(bench_url(org), {"text": "Kaffee", "language": "de", "hashtags": tags})
    assert response.status_code == 400
    assert "Enter at most 200 hashtags." in response.content.decode()


def test_viewer_may_check_a_text_read_only(client_for, org, viewer):
    """A decision: checking writes nothing, so viewers (e.g. client reviewers) may use the bench."""
    before = snapshot()
    response = client_for(viewer).post(bench_url(org), {"text": "Dieser Tee heilt Krebs", "language": "de"})
    assert response.status_code == 200
    assert "Blocked" in response.content.decode()
    assert snapshot() == before


# --- which rule sets apply ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sees"), [("owner", True), ("admin_user", True), ("editor", False), ("viewer", False)]
)
def test_only_admins_see_the_rule_sets(request, client_for, org, role, sees):
    competitors(org)
    html = client_for(request.getfixturevalue(role)).get(bench_url(org)).content.decode()
    assert ("Rule sets that apply" in html) is sees
    assert ("<strong>competitors</strong> v1" in html) is sees
    assert ("<strong>default</strong> v1" in html) is sees
    assert ("Starbucks" in html) is sees  # the patterns


def test_rule_set_list_shows_only_what_applies_to_this_org(client_for, org, other_org, owner, outsider):
    competitors(other_org)
    draft = RuleSet.objects.create(organization=org, name="unpublished-draft")
    html = client_for(owner).get(bench_url(org)).content.decode()
    assert "<strong>default</strong> v1" in html
    assert "competitors" not in html
    assert draft.name not in html
    assert "Edit in the admin" not in html


def test_staff_admins_get_a_link_to_the_admin(client_for, org):
    from apps.orgs.models import Membership

    staff = make_user("staff@alpha.test", is_staff=True)
    Membership.objects.create(organization=org, user=staff, role="admin")
    html = client_for(staff).get(bench_url(org)).content.decode()
    assert reverse("admin:compliance_ruleset_change", args=[default_rule_set().pk]) in html


def test_the_organizations_rules_apply_on_its_bench_only(client_for, org, other_org, owner, outsider):
    competitors(org)
    mine = client_for(owner).post(bench_url(org), {"text": "Besser als Starbucks", "language": "de"})
    assert "Never name a competitor." in mine.content.decode()
    assert "competitors v1" in mine.content.decode()
    theirs = client_for(outsider).post(bench_url(other_org), {"text": "Besser als Starbucks", "language": "de"})
    html = theirs.content.decode()
    assert theirs.status_code == 200
    assert "No rule matched" in html
    assert "competitors" not in html


def test_language_defaults_to_the_ui_language(client_for, org, editor):
    editor.language = "en"
    editor.save()
    html = client_for(editor).get(bench_url(org), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<option value="en" selected>' in html


def test_a_german_viewer_reads_the_reason_in_german(client_for, org, viewer):
    """The stored verdict holds codes; the bench renders the reason in the viewer's language."""
    viewer.language = "de"
    viewer.save()
    response = client_for(viewer).post(
        bench_url(org),
        {"text": "This tea cures cancer. Dieser Tee heilt Krebs!", "language": "de", "platform": "tiktok"},
        HTTP_ACCEPT_LANGUAGE="de",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Gesperrt" in html and "Angeschlagene Regeln" in html
    assert '<mark class="outcome-hard_block">heilt Krebs</mark>' in html
    assert "Versprechen, eine Krankheit zu heilen, zu behandeln oder zu verhindern („heilt Krebs“)" in html
    assert "Claims to cure" not in html
    assert "medical-cure-claim-de" in html
    assert '<span class="rule-set-version">default v1</span>' in html
