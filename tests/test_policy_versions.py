"""Rule sets are versioned: a published version never changes; editing it creates the next version."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from apps.compliance.actions import (
    PolicyRuleError,
    do_activate_rule_set,
    do_deactivate_rule_set,
    do_publish_rule_set,
    do_revise_rule_set,
)
from apps.compliance.models import Rule, RuleSet, RuleSetLocked
from apps.compliance.policy import RuleSetRef, evaluate
from tests.support.accounts import make_user
from tests.support.policy_corpus import default_rule_set


@pytest.fixture
def superuser(db):
    return make_user("staff@viralforge.test", is_staff=True, is_superuser=True)


def org_rule_set(org, *, publish=True, patterns="Starbucks"):
    rule_set = RuleSet.objects.create(organization=org, name="competitors", description="Rivals")
    Rule.objects.create(
        rule_set=rule_set,
        code="rivals",
        category="taboo",
        kind="phrases",
        outcome="needs_review",
        patterns=patterns,
        description="Do not name competitors.",
    )
    if publish:
        do_publish_rule_set(rule_set)
    return rule_set


# --- the model's guards ---------------------------------------------------------------------


def test_versions_count_up_per_organization_and_name(db, org, other_org):
    first = RuleSet.objects.create(organization=org, name="a")
    second = RuleSet.objects.create(organization=org, name="a")
    elsewhere = RuleSet.objects.create(organization=other_org, name="a")
    global_one = RuleSet.objects.create(name="a")
    assert (first.version, second.version, elsewhere.version, global_one.version) == (1, 2, 1, 1)


def test_a_published_version_cannot_change(db, org):
    rule_set = org_rule_set(org)
    rule_set.description = "changed"
    with pytest.raises(RuleSetLocked, match="is published and cannot be changed"):
        rule_set.save()
    rule = rule_set.rules.get()
    rule.patterns = "Costa"
    with pytest.raises(RuleSetLocked):
        rule.save()
    with pytest.raises(RuleSetLocked):
        rule.delete()
    with pytest.raises(RuleSetLocked):
        Rule.objects.create(rule_set=rule_set, code="new", category="taboo", patterns="x", description="d")
    with pytest.raises(RuleSetLocked):
        rule_set.delete()
    with pytest.raises(ValidationError):
        Rule(rule_set=rule_set, code="new", category="taboo", patterns="x", description="d").full_clean()
    rule_set.refresh_from_db()
    assert rule_set.description == "Rivals"
    assert list(rule_set.rules.values_list("patterns", flat=True)) == ["Starbucks"]


def test_only_active_changes_on_a_published_version(db, org):
    rule_set = org_rule_set(org)
    do_deactivate_rule_set(rule_set)
    assert not RuleSet.objects.for_org(org).get().active
    do_activate_rule_set(rule_set)
    assert RuleSet.objects.for_org(org).get().active


def test_a_draft_cannot_be_active(db, org):
    rule_set = org_rule_set(org, publish=False)
    with pytest.raises(PolicyRuleError):
        do_activate_rule_set(rule_set)
    with pytest.raises(IntegrityError), transaction.atomic():
        RuleSet.objects.for_org(org).update(active=True)


def test_a_draft_can_be_edited_and_deleted(db, org):
    rule_set = org_rule_set(org, publish=False)
    rule_set.description = "changed"
    rule_set.save()
    rule = rule_set.rules.get()
    rule.patterns = "Costa"
    rule.save()
    rule_set.delete()
    assert not RuleSet.objects.for_org(org).exists()


def test_one_active_version_per_lineage(db, org):
    first = org_rule_set(org)
    second = do_revise_rule_set(first, publish=True)
    first.refresh_from_db()
    assert (first.active, second.active) == (False, True)
    with pytest.raises(IntegrityError), transaction.atomic():
        RuleSet.objects.for_org(org).update(active=True)


# --- revising ---------------------------------------------------------------------------------


def test_revising_copies_the_rules_into_a_draft(db, org):
    first = org_rule_set(org)
    draft = do_revise_rule_set(first)
    assert (draft.version, draft.is_published, draft.active, draft.based_on_id) == (2, False, False, first.id)
    assert list(draft.rules.values_list("code", "patterns")) == [("rivals", "Starbucks")]
    # Until the draft is published the engine keeps using version 1.
    assert RuleSetRef("competitors", 1) in evaluate("x", org).rule_set_versions


def test_the_verdict_names_the_version_in_use(db, org):
    default_rule_set()
    first = org_rule_set(org)
    verdict = evaluate("Lieber Starbucks?", org)
    assert verdict.outcome == "needs_review"
    assert {m.rule_set for m in verdict.matches} == {RuleSetRef("competitors", 1)}

    draft = do_revise_rule_set(first)
    rule = draft.rules.get()
    rule.outcome = "hard_block"
    rule.patterns = "Starbucks\nCosta"
    rule.save()
    do_publish_rule_set(draft)

    verdict = evaluate("Lieber Starbucks oder Costa?", org)
    assert verdict.outcome == "hard_block"
    assert [m.text for m in verdict.matches] == ["Starbucks", "Costa"]
    assert {m.rule_set for m in verdict.matches} == {RuleSetRef("competitors", 2)}
    assert verdict.rule_set_versions == (RuleSetRef("default", 1), RuleSetRef("competitors", 2))
    # Version 1 is unchanged history.
    first.refresh_from_db()
    assert not first.active
    assert list(first.rules.values_list("outcome", "patterns")) == [("needs_review", "Starbucks")]


def test_revising_the_global_default(db, org):
    default = default_rule_set()
    do_revise_rule_set(default, publish=True)
    verdict = evaluate("Dieser Tee heilt Krebs", org, language="de")
    assert verdict.outcome == "hard_block"
    assert verdict.rule_set_versions == (RuleSetRef("default", 2),)


def test_publishing_validates_the_rules(db, org):
    rule_set = org_rule_set(org, publish=False)
    Rule.objects.filter(rule_set=rule_set).update(kind="regex", patterns="(")
    with pytest.raises(ValidationError):
        do_publish_rule_set(rule_set)
    rule_set.refresh_from_db()
    assert not rule_set.is_published


# --- the admin ------------------------------------------------------------------------------


def _change_url(rule_set):
    return reverse("admin:compliance_ruleset_change", args=[rule_set.pk])


def _form_data(rule_set, *, description, rules, button):
    data = {
        "organization": str(rule_set.organization_id or ""),
        "name": rule_set.name,
        "description": description,
        "rules-TOTAL_FORMS": str(len(rules)),
        "rules-INITIAL_FORMS": str(sum(1 for r in rules if r.get("id"))),
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "1000",
        button: "1",
    }
    for index, rule in enumerate(rules):
        prefix = f"rules-{index}-"
        values = {
            "id": "",
            "rule_set": str(rule_set.pk),
            "code": "",
            "category": "taboo",
            "kind": "phrases",
            "outcome": "needs_review",
            "patterns": "",
            "languages": "",
            "platform": "",
            "field": "",
            "limit": "",
            "description": "d",
            **rule,
        }
        data.update({prefix + key: value for key, value in values.items()})
    return data


def _existing(rule: Rule) -> dict:
    return {
        "id": str(rule.id),
        "code": rule.code,
        "category": rule.category,
        "kind": rule.kind,
        "outcome": rule.outcome,
        "patterns": rule.patterns,
        "description": rule.description,
    }


def test_admin_edit_of_a_published_version_creates_the_next_version(client, superuser, org):
    first = org_rule_set(org)
    rule = first.rules.get()
    client.force_login(superuser)
    page = client.get(_change_url(first)).content.decode()
    assert "Save as new draft version" in page
    data = _form_data(
        first,
        description="Rivals, updated",
        rules=[_existing(rule) | {"patterns": "Starbucks\nCosta"}, {"code": "extra", "patterns": "Tchibo"}],
        button="_continue",
    )
    response = client.post(_change_url(first), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    second = RuleSet.objects.for_org(org).get(version=2)
    assert response["Location"] == _change_url(second)
    assert (second.description, second.is_published, second.based_on_id) == ("Rivals, updated", False, first.id)
    assert sorted(second.rules.values_list("code", "patterns")) == [("extra", "Tchibo"), ("rivals", "Starbucks\nCosta")]
    first.refresh_from_db()
    assert (first.description, first.active) == ("Rivals", True)
    assert list(first.rules.values_list("code", "patterns")) == [("rivals", "Starbucks")]
    assert evaluate("Costa", org).passed  # the draft is not used yet


def test_admin_save_and_publish_a_new_version(client, superuser, org):
    first = org_rule_set(org)
    client.force_login(superuser)
    data = _form_data(
        first,
        description="Rivals",
        rules=[_existing(first.rules.get()) | {"outcome": "hard_block"}],
        button="_publish",
    )
    assert client.post(_change_url(first), data).status_code == 302
    second = RuleSet.objects.for_org(org).get(version=2)
    assert (second.is_published, second.active) == (True, True)
    verdict = evaluate("Starbucks", org)
    assert verdict.outcome == "hard_block"
    assert {m.rule_set for m in verdict.matches} == {RuleSetRef("competitors", 2)}


def test_admin_draft_is_edited_in_place_then_published(client, superuser, org):
    draft = org_rule_set(org, publish=False)
    client.force_login(superuser)
    rule = _existing(draft.rules.get()) | {"patterns": "Costa"}
    response = client.post(_change_url(draft), _form_data(draft, description="v1", rules=[rule], button="_continue"))
    assert response.status_code == 302
    assert RuleSet.objects.for_org(org).count() == 1
    assert draft.rules.get().patterns == "Costa"
    response = client.post(_change_url(draft), _form_data(draft, description="v1", rules=[rule], button="_publish"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.version, draft.is_published, draft.active, draft.description) == (1, True, True, "v1")


def test_admin_refuses_a_bad_pattern(client, superuser, org):
    draft = org_rule_set(org, publish=False)
    client.force_login(superuser)
    rule = _existing(draft.rules.get()) | {"kind": "regex", "patterns": "(unclosed"}
    response = client.post(_change_url(draft), _form_data(draft, description="x", rules=[rule], button="_publish"))
    assert response.status_code == 200
    assert "Line 1:" in response.content.decode()
    draft.refresh_from_db()
    assert not draft.is_published


def test_admin_cannot_delete_published_versions(client, superuser, org):
    published = org_rule_set(org)
    client.force_login(superuser)
    assert client.get(reverse("admin:compliance_ruleset_delete", args=[published.pk])).status_code == 403
    rule = published.rules.get()
    assert client.get(reverse("admin:compliance_rule_delete", args=[rule.pk])).status_code == 403
    changelist = client.get(reverse("admin:compliance_ruleset_changelist")).content.decode()
    assert "delete_selected" not in changelist


def test_admin_rule_page_of_a_published_version_is_read_only(client, superuser, org):
    rule = org_rule_set(org).rules.get()
    client.force_login(superuser)
    url = reverse("admin:compliance_rule_change", args=[rule.pk])
    page = client.get(url).content.decode()
    assert 'name="patterns"' not in page
    assert client.post(url, {"patterns": "x"}).status_code == 403


def test_admin_changelist_filters(client, superuser, org):
    default_rule_set()
    org_rule_set(org, publish=False)
    client.force_login(superuser)
    url = reverse("admin:compliance_ruleset_changelist")
    for query in (
        {"scope": "global"},
        {"scope": "organization"},
        {"state": "draft"},
        {"state": "active"},
        {"q": "riv"},
    ):
        assert client.get(url, query).status_code == 200, query
    drafts = client.get(url, {"state": "draft"}).content.decode()
    assert "competitors" in drafts
    assert client.get(reverse("admin:compliance_rule_changelist"), {"q": "riv"}).status_code == 200


def test_admin_publish_action(client, superuser, org):
    draft = org_rule_set(org, publish=False)
    client.force_login(superuser)
    response = client.post(
        reverse("admin:compliance_ruleset_changelist"),
        {"action": "publish_selected", "_selected_action": [str(draft.pk)]},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_published and draft.active
