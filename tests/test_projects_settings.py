"""The project settings sections: what each saves, what it refuses (400, nothing changed), HTMX partials."""

import pytest

from apps.ai.models import AgentRoute, BrandVoice
from apps.orgs.models import Membership
from apps.orgs.roles import Role
from apps.projects.access import REVIEW_PERMISSION, can_approve_posts
from apps.projects.models import ApprovalRule, Project
from tests.support.accounts import make_member
from tests.support.projects import (
    HX,
    JPEG,
    PNG,
    SVG,
    WEBP,
    basics,
    make_project,
    purl,
    snapshot,
    stored_files,
    upload,
)


@pytest.fixture
def project(org):
    return make_project(org)


def fresh(project) -> Project:
    return Project.objects.for_org(project.organization).get(pk=project.pk)


def brand(**overrides) -> dict:
    data = {
        "voice": "Warm and expert",
        "tone": "friendly",
        "do_list": "Say du\n\nShow the beans\n",
        "dont_list": "No prices",
        "audience": "Coffee lovers in Munich",
        "colors": "#5B3DF5, fb0 #ffffff",
        "cta": "Visit the roastery",
        "hashtags": "coffee, #Berlin  #coffee\n#Kaffee_liebe",
        "topics": "Beans\nBrewing\nbeans",
        "content_pillars": "Education\nBehind the scenes",
    }
    return data | overrides


# --- the page and HTMX partials ---------------------------------------------------------------


def test_settings_page_shows_every_section_with_current_values(client_for, org, owner, project):
    """One tab per section (issue 16, 8): the page opens the first, each tab its own section and one Save."""
    client = client_for(owner)
    html = client.get(purl("project_settings", org, project)).content.decode()
    sections = ("basics", "brand", "publishing", "budgets", "routing", "video", "delete")
    for section in sections:
        assert f'href="{purl("project_settings", org, project)}?tab={section}"' in html
    assert 'id="section-basics"' in html and 'id="section-brand"' not in html
    main = html[html.index('<main id="main"') : html.index("</main>")]
    assert main.count('type="submit"') == 1  # one Save: the basics tab's
    assert 'value="Alpenglow Coffee"' in html and 'value="09:00"' in html
    # The time zone is a select of the known zones, the project's selected.
    assert '<select name="time_zone"' in html and '<option value="Europe/Berlin" selected>' in html
    for section in sections:
        tab = client.get(purl("project_settings", org, project) + f"?tab={section}").content.decode()
        assert f'id="section-{section}"' in tab and tab.count('id="section-') == 1, section
        assert (
            f'id="tab-{section}" href="{purl("project_settings", org, project)}?tab={section}" aria-current="page"'
            in tab
        )
    routing = client.get(purl("project_settings", org, project) + "?tab=routing").content.decode()
    assert 'id="route-script"' in routing and 'name="script-provider"' in routing


@pytest.mark.parametrize(
    ("section", "data"),
    [
        ("basics", basics(slug="alpenglow", name="Alpenglow Roasters")),
        ("brand", brand()),
        ("publishing", {"approval_rule": "none", "target_platforms": ["tiktok"]}),
        ("budgets", {"monthly_token_budget": "1000"}),
        ("routing", {"script-provider": "offline"}),
    ],
)
def test_htmx_section_submit_returns_only_that_section(client_for, org, owner, project, section, data):
    response = client_for(owner).post(purl(f"project_settings_{section}", org, project), data, **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="main"' not in html
    assert html.strip().startswith(f'<section class="card" id="section-{section}">')
    assert html.count('<section class="card"') == 1
    assert "saved." in html  # the success message, out of band


def test_htmx_section_errors_come_back_inline_with_400(client_for, org, owner, project):
    before = snapshot(org)
    response = client_for(owner).post(
        purl("project_settings_budgets", org, project), {"monthly_token_budget": "-5"}, **HX
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "<html" not in html and 'id="section-budgets"' in html
    assert 'class="errorlist"' in html and 'value="-5"' in html
    assert snapshot(org) == before


def test_plain_post_redirects_to_the_section(client_for, org, owner, project):
    response = client_for(owner).post(purl("project_settings_budgets", org, project), {"monthly_token_budget": "5"})
    assert response.status_code == 302
    assert response["Location"] == purl("project_settings", org, project) + "?tab=budgets"


# --- basics ---------------------------------------------------------------------------------


def test_basics_save_and_a_new_address_moves_the_page(client_for, org, owner, project):
    client = client_for(owner)
    data = basics(name="Alpenglow Roasters", slug="roasters", language="en", time_zone="America/New_York")
    response = client.post(purl("project_settings_basics", org, project), data | {"slot_1": "20:15"}, **HX)
    assert response.status_code == 204
    assert response["HX-Redirect"] == purl("project_settings", org, "roasters")
    project = fresh(project)
    assert (project.name, project.slug, project.language, project.time_zone) == (
        "Alpenglow Roasters",
        "roasters",
        "en",
        "America/New_York",
    )
    assert project.slot_times == ["13:00", "19:00", "20:15"]
    assert client.get(purl("project_settings", org, "alpenglow")).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"slug": "taken"}, "Another project already uses the address"),
        ({"slot_1": "24:00"}, "Enter a time as HH:MM"),
        ({"slot_1": "13:00"}, "The three slot times must be different."),
        ({"time_zone": "Europe/Atlantis"}, "is not a known time zone"),
        ({"time_zone": "../../etc/passwd"}, "is not a known time zone"),
        ({"slug": "new"}, "is reserved"),
    ],
)
def test_basics_bad_input_is_400_and_changes_nothing(client_for, org, owner, project, overrides, message):
    make_project(org, slug="taken", name="Taken")
    before = snapshot(org)
    response = client_for(owner).post(
        purl("project_settings_basics", org, project), basics(slug="alpenglow") | overrides
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert snapshot(org) == before


# --- brand kit ------------------------------------------------------------------------------


def test_brand_kit_saves_voice_into_the_projects_brand_voice_and_normalises(client_for, org, owner, project):
    org_voice = BrandVoice.objects.create(organization=org, voice="Org-wide voice")
    response = client_for(owner).post(purl("project_settings_brand", org, project), brand())
    assert response.status_code == 302
    voice = BrandVoice.objects.for_org(org).get(project=project)
    assert (voice.voice, voice.tone, voice.do_list, voice.dont_list) == (
        "Warm and expert",
        "friendly",
        "Say du\nShow the beans",
        "No prices",
    )
    org_voice.refresh_from_db()
    assert org_voice.voice == "Org-wide voice"  # the organization's voice is untouched
    project = fresh(project)
    assert project.colors == ["#5b3df5", "#ffbb00", "#ffffff"]
    assert project.hashtags == ["#coffee", "#Berlin", "#Kaffee_liebe"]
    assert project.topics == ["Beans", "Brewing"]
    assert project.content_pillars == ["Education", "Behind the scenes"]
    assert (project.audience, project.cta) == ("Coffee lovers in Munich", "Visit the roastery")

    # The page shows the saved values again (one rule per line).
    html = client_for(owner).get(purl("project_settings", org, project) + "?tab=brand").content.decode()
    assert "Say du\nShow the beans</textarea>" in html and "#coffee #Berlin #Kaffee_liebe" in html


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"colors": "#5b3df5, red"}, "is not a hex colour"),
        ({"colors": "#12345"}, "is not a hex colour"),
        ({"hashtags": "#good #not-good"}, "is not a hashtag"),
        ({"hashtags": "#" + "x" * 40}, "at most 40 characters per hashtag"),
        ({"topics": "\n".join(f"topic {i}" for i in range(31))}, "Enter at most 30 entries"),
    ],
)
def test_brand_kit_bad_input_is_400_and_changes_nothing(client_for, org, owner, project, overrides, message):
    before = snapshot(org)
    response = client_for(owner).post(purl("project_settings_brand", org, project), brand(**overrides), **HX)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert snapshot(org) == before


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [("logo.png", PNG, "png"), ("Logo.JPG", JPEG, "jpg"), ("logo.svg", SVG, "svg"), ("logo.webp", WEBP, "webp")],
)
def test_logo_is_stored_under_the_project_prefix_and_served_to_members(
    client_for,
    org,
    owner,
    viewer,
    project,
    media,
    name,
    content,
    kind,
):
    response = client_for(owner).post(
        purl("project_settings_brand", org, project), brand() | {"logo": upload(name, content)}
    )
    assert response.status_code == 302
    project = fresh(project)
    prefix = f"org_{org.id}/project_{project.id}/brand/"
    assert project.logo.name.startswith(prefix) and project.logo.name.endswith(f".{kind}")
    assert stored_files(media) == [project.logo.name]

    served = client_for(viewer).get(purl("project_logo", org, project))
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == content
    assert served["Content-Type"].startswith("image/")
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served["Content-Security-Policy"]


def test_replacing_and_removing_the_logo_deletes_the_old_file(
    client_for,
    org,
    owner,
    project,
    media,
    django_capture_on_commit_callbacks,
):
    client = client_for(owner)
    url = purl("project_settings_brand", org, project)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, brand() | {"logo": upload("a.png", PNG)})
    first = fresh(project).logo.name
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, brand() | {"logo": upload("b.webp", WEBP)})
    second = fresh(project).logo.name
    assert second != first and stored_files(media) == [second]
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, brand() | {"remove_logo": "on"}).status_code == 302
    assert not fresh(project).logo and stored_files(media) == []
    assert client.get(purl("project_logo", org, project)).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("logo.png", b"just some text, not an image", "not a valid PNG image"),
        ("logo.png", JPEG, "not a valid PNG image"),  # the content must match the extension
        ("logo.gif", b"GIF89a" + b"\x00" * 20, "Upload the logo as PNG, JPEG, SVG or WebP."),
        ("logo.exe", b"MZ\x90\x00", "Upload the logo as PNG, JPEG, SVG or WebP."),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "not a valid SVG"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>', "not a valid SVG"),
        ("logo.png", PNG + b"\x00" * (2 * 1024 * 1024), "The logo is too large"),
    ],
)
def test_bad_logo_is_400_and_stores_nothing(client_for, org, owner, project, media, name, content, message):
    before = snapshot(org)
    response = client_for(owner).post(
        purl("project_settings_brand", org, project), brand() | {"logo": upload(name, content)}, **HX
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert snapshot(org) == before
    assert stored_files(media) == []


# --- publishing and client reviewers ------------------------------------------------------------


def test_publishing_saves_platforms_autopilot_and_rule(client_for, org, owner, project):
    data = {"target_platforms": ["linkedin", "tiktok", "youtube_shorts"], "autopilot": "on", "approval_rule": "none"}
    assert client_for(owner).post(purl("project_settings_publishing", org, project), data).status_code == 302
    project = fresh(project)
    assert project.target_platforms == ["tiktok", "youtube_shorts", "linkedin"]  # in the platforms' order
    assert project.autopilot is True
    assert project.approval_rule == "none"


@pytest.mark.parametrize(
    "data",
    [{"target_platforms": ["tiktok", "myspace"], "approval_rule": "none"}, {"approval_rule": "anyone"}],
)
def test_publishing_bad_input_is_400_and_changes_nothing(client_for, org, owner, project, data):
    before = snapshot(org)
    response = client_for(owner).post(purl("project_settings_publishing", org, project), data, **HX)
    assert response.status_code == 400
    assert snapshot(org) == before


def test_client_reviewer_grant_and_revoke(client_for, org, owner, viewer, editor, project):
    client = client_for(owner)
    settings_url = purl("project_settings", org, project) + "?tab=publishing"
    assert 'id="section-publishing"' in client.get(settings_url).content.decode()
    assert "Grant reviewer" not in client.get(settings_url).content.decode()  # rule: an editor approves

    response = client.post(
        purl("project_settings_publishing", org, project), {"approval_rule": ApprovalRule.CLIENT_REVIEWER}, **HX
    )
    assert "Grant reviewer" in response.content.decode()  # the reviewers appear with the new rule
    viewer_membership = Membership.objects.for_org(org).select_related("user").get(user=viewer)
    grant = purl("project_reviewer_grant", org, project, viewer_membership)
    assert grant in response.content.decode()

    response = client.post(grant, **HX)
    assert response.status_code == 200
    assert response.content.decode().strip().startswith('<div id="project-reviewers">')
    assert purl("project_reviewer_revoke", org, project, viewer_membership) in response.content.decode()
    member = Membership.objects.for_org(org).select_related("user").get(user=viewer)
    assert can_approve_posts(member, fresh(project))
    assert member.user.has_perm(REVIEW_PERMISSION, fresh(project))

    assert client.post(purl("project_reviewer_revoke", org, project, viewer_membership)).status_code == 302
    member = Membership.objects.for_org(org).select_related("user").get(user=viewer)
    assert not can_approve_posts(member, fresh(project))

    # Editors approve through their role: no grant for them.
    editor_membership = Membership.objects.for_org(org).get(user=editor)
    before = snapshot(org)
    response = client.post(purl("project_reviewer_grant", org, project, editor_membership), **HX)
    assert response.status_code == 400
    assert "already approves posts as Editor" in response.content.decode()
    assert snapshot(org) == before


def test_reviewer_grant_is_tenant_safe(client_for, org, other_org, owner, project):
    """A grant on alpha's project never reaches beta's project of the same slug, and vice versa."""
    beta_project = make_project(other_org, slug=project.slug)
    client_user = make_member(org, "client@alpha.test", Role.VIEWER)
    membership = Membership.objects.for_org(org).get(user=client_user)
    assert client_for(owner).post(purl("project_reviewer_grant", org, project, membership)).status_code == 302
    client_user = type(client_user).objects.get(pk=client_user.pk)
    assert client_user.has_perm(REVIEW_PERMISSION, project)
    assert not client_user.has_perm(REVIEW_PERMISSION, beta_project)
    assert not client_user.has_perm(REVIEW_PERMISSION)  # no global permission


# --- budgets --------------------------------------------------------------------------------


def test_budgets_save_and_blank_means_only_the_plans_limits(client_for, org, owner, project):
    client = client_for(owner)
    url = purl("project_settings_budgets", org, project)
    data = {"monthly_token_budget": "250000", "monthly_video_seconds_budget": "600", "max_regenerations_per_post": "3"}
    assert client.post(url, data).status_code == 302
    project = fresh(project)
    assert (project.monthly_token_budget, project.monthly_video_seconds_budget, project.max_regenerations_per_post) == (
        250000,
        600,
        3,
    )
    assert client.post(url, {"monthly_token_budget": "", "max_regenerations_per_post": "0"}).status_code == 302
    project = fresh(project)
    assert project.monthly_token_budget is None and project.monthly_video_seconds_budget is None
    assert project.max_regenerations_per_post == 0

    before = snapshot(org)
    for bad in ({"monthly_token_budget": "lots"}, {"max_regenerations_per_post": "-1"}):
        assert client.post(url, bad).status_code == 400
    assert snapshot(org) == before


# --- AI routing -----------------------------------------------------------------------------


def test_routing_saves_project_routes_and_default_removes_them(client_for, org, owner, project):
    org_route = AgentRoute.objects.create(organization=org, agent="script", provider="openrouter", model="org/model")
    client = client_for(owner)
    url = purl("project_settings_routing", org, project)
    data = {
        "script-provider": "openrouter",
        "script-model": "anthropic/claude-3.5-haiku",
        "script-escalation_model": "anthropic/claude-sonnet-4",
        "script-escalate_below": "0.7",
        "research-provider": "offline",
    }
    assert client.post(url, data).status_code == 302
    routes = {r.agent: r for r in AgentRoute.objects.for_org(org).filter(project=project)}
    assert set(routes) == {"script", "research"}
    script = routes["script"]
    assert (script.provider, script.model, script.escalation_model, script.escalate_below) == (
        "openrouter",
        "anthropic/claude-3.5-haiku",
        "anthropic/claude-sonnet-4",
        0.7,
    )
    assert (routes["research"].provider, routes["research"].model, routes["research"].escalate_below) == (
        "offline",
        "",
        0.5,
    )
    html = client.get(purl("project_settings", org, project) + "?tab=routing").content.decode()
    assert 'value="anthropic/claude-3.5-haiku"' in html

    assert client.post(url, {"research-provider": "offline"}).status_code == 302  # script back to the default
    assert list(AgentRoute.objects.for_org(org).filter(project=project).values_list("agent", flat=True)) == ["research"]
    org_route.refresh_from_db()
    assert org_route.model == "org/model" and org_route.project_id is None  # the organization's route stays


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"script-provider": "openrouter", "script-model": "has spaces in it"}, "Use a model id such as"),
        ({"script-provider": "", "script-model": "openai/gpt-4o-mini"}, "Choose a provider to use these models."),
        ({"script-provider": "openrouter", "script-escalate_below": "1.5"}, "less than or equal to 1"),
        ({"script-provider": "skynet"}, "Select a valid choice."),
    ],
)
def test_routing_bad_input_is_400_and_changes_nothing(client_for, org, owner, project, data, message):
    AgentRoute.objects.create(organization=org, project=project, agent="research", provider="offline")
    before = snapshot(org)
    response = client_for(owner).post(purl("project_settings_routing", org, project), data, **HX)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert snapshot(org) == before


# --- delete ---------------------------------------------------------------------------------


def test_delete_needs_the_slug_and_removes_project_and_brand_files(
    client_for,
    org,
    other_org,
    owner,
    project,
    media,
    django_capture_on_commit_callbacks,
):
    beta_project = make_project(other_org, slug=project.slug)
    client = client_for(owner)
    client.post(purl("project_settings_brand", org, project), brand() | {"logo": upload("a.png", PNG)})
    assert len(stored_files(media)) == 1

    before = snapshot(org)
    response = client.post(purl("project_delete", org, project), {"confirmation": "wrong"})
    assert response.status_code == 400
    assert "Type the project&#x27;s address (slug) to confirm deletion." in response.content.decode()
    assert snapshot(org) == before

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(purl("project_delete", org, project), {"confirmation": project.slug}, **HX)
    assert response.status_code == 204
    assert response["HX-Redirect"] == purl("project_list", org)
    assert not Project.objects.for_org(org).exists()
    assert not BrandVoice.objects.for_org(org).exists()
    assert stored_files(media) == []
    assert Project.objects.for_org(other_org).get() == beta_project
