"""Caption variants (apps/variants): a brief runs as a real Dramatiq job that writes every platform's
variants through the orchestrator (offline provider), each checked by the policy engine; one-click
fixes, rewrites with a diff, favourites, approvals and the brand-voice trainer through the views."""

import time

import pytest
from django.core import signing
from django.urls import reverse

from apps.ai.models import AIDecision, BrandVoice
from apps.billing.testing import subscribe
from apps.core import platforms
from apps.posts.models import PostItem
from apps.variants import generation
from apps.variants.lint import Draft, lint
from apps.variants.models import Brief, BriefStatus, Variant, VoiceExample
from apps.variants.views import PROPOSAL_NAMESPACE
from tests.support.posts import MONTH, make_plan, make_post, make_project

HTMX = {"HTTP_HX_REQUEST": "true"}
ALL = [row.key for row in platforms.platforms()]
EXAMPLES = [
    "Hey du! Schon unseren neuen Espresso probiert? 🔥 #alpenglow",
    "Dein Morgen braucht Kaffee. Wir rösten ihn für dich! ☕ #alpenglow",
    "Frag uns alles rund um Bohnen. Wir helfen dir gern! 🙌",
    "Neue Röstung, voller Geschmack. Probier sie aus! #alpenglow #kaffee",
    "Kennst du schon unsere Latte? Sag uns, wie sie dir schmeckt! 😍",
]


@pytest.fixture
def project(org):
    subscribe(org, posts_per_month=10_000)
    return make_project(org, language="de", cta="Folge uns für mehr Kaffeewissen", audience="Kaffeefans")


def brief_data(**extra) -> dict:
    return {
        "topic": "Espresso zu Hause",
        "goal": "Workshop-Anmeldungen",
        "key_message": "Mit frisch gemahlenen Bohnen gelingt der Espresso auch ohne Siebträger.",
        "link": "https://alpenglow.example/workshop",
        "cta": "Jetzt Platz sichern",
        "audience": "Kaffeefans",
        "languages": ["de", "en"],
        "platforms": ALL,
        "per_platform": "2",
    } | extra


def wait_until_done(brief, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        brief.refresh_from_db()
        if brief.status != BriefStatus.RUNNING:
            return brief
        time.sleep(0.1)
    raise AssertionError("the brief's job did not finish")


def test_a_brief_makes_every_platforms_variants_in_both_languages(worker, org, editor, project, client_for):
    client = client_for(editor)
    response = client.post(reverse("brief_create", args=[org.slug, project.slug]), brief_data())
    brief = Brief.objects.for_org(org).get()
    assert response.status_code == 302 and response["Location"].endswith(f"/variants/{brief.id}/")
    wait_until_done(brief)
    assert brief.status == BriefStatus.DONE and brief.error == ""
    variants = list(Variant.objects.for_org(org).filter(brief=brief))
    assert len(variants) == 8 * 2 * 2 == brief.expected
    assert AIDecision.objects.for_org(org).filter(agent="variants").count() == 32
    by_slot = {(v.platform, v.language, v.index): v for v in variants}
    for key in ALL:
        row = platforms.platform(key)
        de1, de2, en1 = by_slot[(key, "de", 1)], by_slot[(key, "de", 2)], by_slot[(key, "en", 1)]
        assert de1.text != de2.text  # each variant takes another angle
        assert "frisch gemahlenen Bohnen" in de1.text and "frisch gemahlenen Bohnen" in en1.text
        assert de1.offline and de1.policy["outcome"] == "pass"
        assert platforms.count(Draft.of(de1).caption(), key) <= row.caption_max
        assert len(de1.hashtags) <= row.hashtags_max
        assert bool(de1.title) == row.title_required
        assert de1.media_prompt
        # Where links cannot be clicked the link goes to the bio, never into the caption.
        assert ("alpenglow.example" in de1.text) == row.links_clickable
        errors = [f.code for f in lint(Draft.of(de1), key, cta=brief.cta) if f.severity == "error"]
        assert errors == [], (key, errors)
    assert (
        by_slot[("instagram", "de", 1)].first_comment
        and by_slot[("instagram", "de", 1)].link_placement == "first_comment"
    )
    assert "Link in der Bio." in by_slot[("tiktok", "de", 1)].text
    assert "Link in bio." in by_slot[("tiktok", "en", 1)].text

    # A rerun of the job (a retry after a crash) writes nothing twice.
    generation.run_brief(brief.id)
    assert Variant.objects.for_org(org).filter(brief=brief).count() == 32

    page = client.get(reverse("brief_detail", args=[org.slug, project.slug, brief.id]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "32 of 32 variants" in html or "32 von 32 Varianten" in html
    assert 'hx-trigger="every' not in html  # done: no more polling


def test_the_results_poll_while_the_job_runs_and_show_what_is_stored(org, editor, project, client_for):
    client = client_for(editor)
    client.post(reverse("brief_create", args=[org.slug, project.slug]), brief_data(platforms=["x"], languages=["de"]))
    brief = Brief.objects.for_org(org).get()  # no worker: the job stays queued
    url = reverse("brief_detail", args=[org.slug, project.slug, brief.id])
    partial = client.get(url, **HTMX).content.decode()
    assert 'hx-trigger="every 250ms"' in partial and "0 of 2 variants" in partial  # quicker until the first
    generation.run_brief(brief.id)
    partial = client.get(url, **HTMX).content.decode()
    assert 'hx-trigger="every' not in partial and partial.count('class="card variant-card') == 2
    Brief.objects.for_org(org).filter(id=brief.id).update(status=BriefStatus.RUNNING)  # as while more are due
    assert 'hx-trigger="every 500ms"' in client.get(url, **HTMX).content.decode()


def test_bad_brief_input_is_refused_in_place(org, editor, project, client_for):
    client = client_for(editor)
    response = client.post(
        reverse("brief_create", args=[org.slug, project.slug]), brief_data(topic="", platforms=["myspace"]), **HTMX
    )
    assert response.status_code == 400
    assert 'id="brief-wizard"' in response.content.decode()
    assert not Brief.objects.for_org(org).exists()


def test_a_spent_token_budget_refuses_the_brief(org, editor, project, client_for):
    subscribe(org, posts_per_month=10_000, monthly_tokens=100)
    response = client_for(editor).post(reverse("brief_create", args=[org.slug, project.slug]), brief_data(), **HTMX)
    assert response.status_code == 402
    assert not Brief.objects.for_org(org).exists()


@pytest.fixture
def brief(org, editor, project, client_for):
    client_for(editor).post(reverse("brief_create", args=[org.slug, project.slug]), brief_data(per_platform="1"))
    brief = Brief.objects.for_org(org).get()
    generation.run_brief(brief.id)
    return brief


def variant_of(brief, platform, language="de"):
    return Variant.objects.for_org(brief.organization).get(brief=brief, platform=platform, language=language, index=1)


def test_a_lint_finding_is_fixed_with_one_click(org, editor, project, brief, client_for):
    variant = variant_of(brief, "x")
    variant.hashtags = [f"#tag{i}" for i in range(12)]
    variant.save()
    assert "variants.hashtags_too_many" in [f.code for f in lint(Draft.of(variant), "x")]
    url = reverse("variant_fix", args=[org.slug, project.slug, variant.id])
    response = client_for(editor).post(url, {"fix": "trim_hashtags", "version": variant.version}, **HTMX)
    assert response.status_code == 200
    variant.refresh_from_db()
    assert len(variant.hashtags) == 2 and variant.version == 2
    assert "hashtags_too_many" not in str(lint(Draft.of(variant), "x"))
    # The same click again, with the old version: refused, nothing changes.
    again = client_for(editor).post(url, {"fix": "trim_hashtags", "version": 1}, **HTMX)
    assert again.status_code == 409
    variant.refresh_from_db()
    assert variant.version == 2


def test_a_hand_edit_reruns_lint_and_a_concurrent_edit_is_refused_without_losing_it(
    org, editor, project, brief, client_for
):
    variant = variant_of(brief, "instagram")
    url = reverse("variant_edit", args=[org.slug, project.slug, variant.id])
    client = client_for(editor)
    form = client.get(url, **HTMX)
    assert form.status_code == 200 and 'class="variant-edit"' in form.content.decode()
    assert f'id="v-{variant.id}-edit-first_comment"' in form.content.decode()  # Instagram has a first comment
    edit = {"text": "Espresso wie im Café: https://alpenglow.example/kurs", "title": "", "hashtags": "kaffee #espresso",
            "first_comment": "Mehr im Profil", "version": 1}  # fmt: skip
    saved = client.post(url, edit, **HTMX)
    assert saved.status_code == 200
    variant.refresh_from_db()
    assert variant.version == 2 and variant.text == edit["text"] and variant.hashtags == ["#kaffee", "#espresso"]
    assert variant.first_comment == "Mehr im Profil"
    # Lint ran on the saved text: a link in an Instagram caption cannot be clicked, and the fix is offered.
    assert (
        "Links in Instagram captions cannot be clicked" in saved.content.decode()
        and 'value="link_to_bio"' in saved.content.decode()
    )
    # Bad input: refused in place, nothing saved.
    bad = client.post(url, edit | {"hashtags": "#a#b", "version": 2}, **HTMX)
    assert bad.status_code == 400 and "is not a hashtag" in bad.content.decode()
    # A second editor still holding version 1: refused; their text stays in the form beside the current one.
    for language, message in (("en", "Someone else saved this variant first"),
                              ("de", "Jemand anderes hat diese Variante zuerst gespeichert")):  # fmt: skip
        editor.language = language
        editor.save()
        mine = edit | {"text": f"Meine Fassung ({language}) ohne Link.", "version": 1}
        stale = client_for(editor).post(url, mine, **HTMX)
        html = stale.content.decode()
        assert stale.status_code == 409 and message in html
        assert f"Meine Fassung ({language}) ohne Link." in html  # nothing lost
        assert "https://alpenglow.example/kurs" in html  # the current version is shown
        assert 'name="version" value="2"' in html  # saving again knowingly replaces version 2
        variant.refresh_from_db()
        assert variant.version == 2 and variant.text == edit["text"]
    # Saving that kept input again replaces the other edit (lint runs again: no link finding any more).
    again = client.post(url, mine | {"version": 2}, **HTMX)
    assert again.status_code == 200 and 'value="link_to_bio"' not in again.content.decode()
    variant.refresh_from_db()
    assert variant.version == 3 and variant.text == mine["text"]


def test_a_tone_rewrite_is_shown_as_a_diff_and_accepted(org, editor, project, brief, client_for):
    client = client_for(editor)
    variant = variant_of(brief, "threads")
    assert "Was würdest du ergänzen?" in variant.text
    response = client.post(
        reverse("variant_rewrite", args=[org.slug, project.slug, variant.id]),
        {"operation": "formal", "version": variant.version},
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<del>" in html and "<ins>" in html
    token = html.split('name="token" value="', 1)[1].split('"', 1)[0]
    proposal = signing.loads(token, salt=PROPOSAL_NAMESPACE)
    assert proposal["changes"]["text"] != variant.text
    variant.refresh_from_db()
    assert variant.version == 1  # nothing saved before "Accept"
    accepted = client.post(
        reverse("variant_rewrite_accept", args=[org.slug, project.slug, variant.id]), {"token": token}, **HTMX
    )
    assert accepted.status_code == 200
    variant.refresh_from_db()
    assert variant.text == proposal["changes"]["text"] and variant.version == 2
    assert "Was würden Sie ergänzen?" in variant.text
    # A tampered token is refused.
    bad = client.post(
        reverse("variant_rewrite_accept", args=[org.slug, project.slug, variant.id]), {"token": token + "x"}, **HTMX
    )
    assert bad.status_code == 400


def test_translate_rewrite_writes_the_variant_in_english(org, editor, project, brief, client_for):
    variant = variant_of(brief, "linkedin")
    response = client_for(editor).post(
        reverse("variant_rewrite", args=[org.slug, project.slug, variant.id]),
        {"operation": "translate_en", "version": variant.version},
        **HTMX,
    )
    token = response.content.decode().split('name="token" value="', 1)[1].split('"', 1)[0]
    assert "What we learned" in signing.loads(token, salt=PROPOSAL_NAMESPACE)["changes"]["text"]


def test_favourite_and_approve_follow_the_rules(org, editor, viewer, project, brief, client_for):
    variant = variant_of(brief, "threads")
    client = client_for(editor)
    client.post(reverse("variant_favourite", args=[org.slug, project.slug, variant.id]), **HTMX)
    variant.refresh_from_db()
    assert variant.favourite
    approve = reverse("variant_approve", args=[org.slug, project.slug, variant.id])
    assert client.post(approve, {"version": variant.version}, **HTMX).status_code == 200
    variant.refresh_from_db()
    assert variant.status == "approved" and variant.approved_by == editor
    # An edit withdraws the approval: it covered the old text.
    client.post(
        reverse("variant_fix", args=[org.slug, project.slug, variant.id]),
        {"fix": "add_cta", "version": variant.version},
        **HTMX,
    )
    variant.refresh_from_db()
    assert variant.status == "draft"
    viewer_client = client_for(viewer)
    assert viewer_client.post(approve, {"version": variant.version}, **HTMX).status_code == 403


def test_one_click_variants_from_a_month_plan_post(worker, org, editor, project, client_for):
    post = make_post(
        make_plan(project), MONTH, 1, hook="Drei Fehler beim Espresso", caption="So gelingt dein Espresso."
    )
    response = client_for(editor).post(reverse("post_variants", args=[org.slug, project.slug, post.id]))
    brief = Brief.objects.for_org(org).get()
    assert response.status_code == 302 and brief.post_id == post.id and brief.topic == "Drei Fehler beim Espresso"
    wait_until_done(brief)
    assert Variant.objects.for_org(org).filter(brief=brief).count() == len(ALL)
    assert PostItem.objects.for_org(org).get(id=post.id).caption == "So gelingt dein Espresso."  # the post is untouched


def test_the_voice_trainer_learns_the_voice_and_scores_the_style(org, admin_user, editor, project, client_for):
    client = client_for(admin_user)
    url = reverse("voice_trainer", args=[org.slug, project.slug])
    too_few = client.post(url, {"examples": "\n\n".join(EXAMPLES[:3])})
    assert too_few.status_code == 400 and not VoiceExample.objects.for_org(org).exists()
    response = client.post(url, {"examples": "\n\n".join(EXAMPLES)})
    assert response.status_code == 302
    assert VoiceExample.objects.for_org(org).filter(project=project).count() == 5
    voice = BrandVoice.objects.for_org(org).get(project=project)
    assert "du" in voice.tone and "Nicht siezen" in voice.dont_list
    assert client_for(editor).post(url, {"examples": "\n\n".join(EXAMPLES)}).status_code == 403

    client_for(editor).post(
        reverse("brief_create", args=[org.slug, project.slug]), brief_data(per_platform="1", languages=["de"])
    )
    brief = Brief.objects.for_org(org).get()
    generation.run_brief(brief.id)
    scores = {v.platform: v.style_score for v in Variant.objects.for_org(org).filter(brief=brief)}
    assert all(score is not None and 0 <= score <= 100 for score in scores.values())
    # The examples' style (du, short, emoji) fits the TikTok draft better than the long LinkedIn one.
    assert scores["tiktok"] > scores["linkedin"]


def test_the_post_editors_variants_tab_offers_one_click_to_editors(org, editor, viewer, project, client_for):
    post = make_post(make_plan(project), MONTH, 2, hook="Latte Art in 3 Schritten")
    tab = reverse("post_tab_variants", args=[org.slug, project.slug, post.id])
    action = reverse("post_variants", args=[org.slug, project.slug, post.id])
    page = client_for(editor).get(reverse("post_detail", args=[org.slug, project.slug, post.id])).content.decode()
    assert f'href="{tab}"' in page  # the tab is in the editor's tab bar
    html = client_for(editor).get(tab, **HTMX).content.decode()
    assert action in html and "No variants of this post yet." in html
    client_for(editor).post(action)
    html = client_for(editor).get(tab, **HTMX).content.decode()
    assert "0 of 8 variants" in html  # the brief of this post, its job still queued
    assert action not in client_for(viewer).get(tab, **HTMX).content.decode()
