"""Client review (issue 12): guest reviewers see only the projects granted to them; signed review links
open only their post or week, and nothing after revocation or expiry.

The identity sweeps walk every URL pattern of the resolver (the shared endpoint registry was not on
main when this was written): a guest gets 404 (or 405 for the wrong method) on every organization page,
and a review-link visitor is sent to the sign-in page by every organization page.
"""

import importlib
import re
import uuid
from datetime import date, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from apps.core import clock
from apps.core.reasons import render_all
from apps.orgs.models import Membership
from apps.orgs.roles import Role
from apps.posts.models import Approval, GuestInvitation, PostComment, PostStatus, ReviewLink, ReviewLinkUse
from apps.posts.review_access import link_token
from apps.projects.access import grant_project_reviewer
from apps.projects.models import ApprovalRule
from tests.support.accounts import PASSWORD, make_member, make_user
from tests.support.posts import make_plan, make_post, make_project

WEEK = date(2026, 3, 2)  # a Monday


@pytest.fixture
def world(org, other_org, owner, editor, viewer, outsider):
    coffee = make_project(org, slug="coffee", name="Coffee", approval_rule=ApprovalRule.CLIENT_REVIEWER)
    tea = make_project(org, slug="tea", name="Tea", approval_rule=ApprovalRule.CLIENT_REVIEWER)
    foreign = make_project(other_org, slug="coffee", name="Foreign coffee")
    plan = make_plan(coffee)
    approval = PostStatus.NEEDS_APPROVAL
    in_week = make_post(plan, WEEK, 1, status=approval, hook="Monday espresso")
    in_week_2 = make_post(plan, WEEK + timedelta(days=6), 2, status=approval, hook="Sunday latte")
    outside = make_post(plan, WEEK + timedelta(days=7), 1, status=approval, hook="Next Monday mocha")
    tea_post = make_post(make_plan(tea), WEEK, 1, hook="Green tea secret")
    foreign_post = make_post(make_plan(foreign), WEEK, 1, hook="Foreign flat white")
    guest = make_user("client@brand.test")
    grant_project_reviewer(guest, coffee)
    return {
        "org": org,
        "other_org": other_org,
        "coffee": coffee,
        "tea": tea,
        "foreign": foreign,
        "guest": guest,
        "in_week": in_week,
        "in_week_2": in_week_2,
        "outside": outside,
        "tea_post": tea_post,
        "foreign_post": foreign_post,
        "owner": owner,
        "editor": editor,
        "viewer": viewer,
    }


def guest_url(name, project, post=None):
    args = [project.organization.slug, project.slug] + ([post.id] if post is not None else [])
    return reverse(name, args=args)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- the sweep over every organization URL ----------------------------------------------------------


def _patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + str(entry.pattern), entry.name


ORG_PAGES = sorted(
    {(route, name) for route, name in _patterns() if route.startswith("o/<slug:org_slug>/") and "review/" not in route}
)


def _org_urls(world):
    """Every organization URL, addressed into the guest's granted project where it takes a project."""
    values = {
        "org_slug": world["org"].slug,
        "project_slug": world["coffee"].slug,
        "post_id": world["in_week"].id,
        "month": "2026-03",
    }
    for route, name in ORG_PAGES:
        kwargs = {}
        for converter, key in re.findall(r"<(?:(\w+):)?(\w+)>", route):
            kwargs[key] = values.get(key, uuid.uuid4() if converter == "uuid" else "x")
        yield name, reverse(name, kwargs=kwargs)


def test_the_sweep_covers_the_organization(world):
    names = {name for name, _ in _org_urls(world)}
    expected = {"org_dashboard", "project_list", "project_calendar", "post_detail", "post_approve", "review_access"}
    assert expected <= names
    assert len(names) > 50


def test_a_guest_gets_404_on_every_organization_page(world):
    client = signed_in(world["guest"])
    leaks = []
    for name, url in _org_urls(world):
        for method in ("get", "post"):
            status = getattr(client, method)(url).status_code
            if status not in (404, 405):
                leaks.append((name, method, status))
    assert leaks == []


def test_a_review_link_visitor_gets_nothing_of_the_organization(world):
    link = ReviewLink.objects.create(
        organization=world["org"], project=world["coffee"], week_start=WEEK, expires_on=date(2099, 1, 1)
    )
    client = Client()
    assert client.get(reverse("review_link", args=[link_token(link)])).status_code == 200
    leaks = []
    for name, url in _org_urls(world):
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if response.status_code == 405:
                continue
            if response.status_code != 302 or not response["Location"].startswith(reverse("account_login")):
                leaks.append((name, method, response.status_code))
    assert leaks == []


# --- guest reviewers --------------------------------------------------------------------------------


def test_a_guest_sees_the_granted_project_only(world):
    client = signed_in(world["guest"])
    calendar = client.get(guest_url("guest_calendar", world["coffee"]) + "?month=2026-03")
    assert calendar.status_code == 200
    html = calendar.content.decode()
    assert world["in_week"].hook in html and world["tea_post"].hook not in html
    assert "no-store" in calendar["Cache-Control"]
    assert client.get(guest_url("guest_post", world["coffee"], world["in_week"])).status_code == 200
    for project, post in (
        (world["tea"], world["tea_post"]),
        (world["foreign"], world["foreign_post"]),
        (world["coffee"], world["tea_post"]),  # another project's post through the granted project
    ):
        if project != world["coffee"]:
            assert client.get(guest_url("guest_calendar", project)).status_code == 404
        assert client.get(guest_url("guest_post", project, post)).status_code == 404
        assert client.post(guest_url("guest_post_approve", project, post)).status_code == 404
    assert client.get(reverse("guest_home")).status_code == 200
    assert client.get("/")["Location"] == reverse("guest_home")


@pytest.mark.parametrize("who", ["editor", "viewer", "outsider", "anonymous"])
def test_guest_pages_need_the_grant(world, outsider, who):
    users = {"editor": world["editor"], "viewer": world["viewer"], "outsider": outsider}
    client = signed_in(users[who]) if who in users else Client()
    response = client.get(guest_url("guest_post", world["coffee"], world["in_week"]))
    if who == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == 404


def test_guest_pages_refuse_the_wrong_method(world):
    client = signed_in(world["guest"])
    assert client.post(guest_url("guest_post", world["coffee"], world["in_week"])).status_code == 405
    assert client.get(guest_url("guest_post_approve", world["coffee"], world["in_week"])).status_code == 405


def test_a_guest_approves_and_it_is_audited(world):
    post = world["in_week"]
    response = signed_in(world["guest"]).post(guest_url("guest_post_approve", world["coffee"], post))
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.status == PostStatus.APPROVED and post.approved_by == world["guest"]
    assert Approval.objects.for_org(world["org"]).get(post=post).actor == world["guest"]


def test_without_an_approval_step_a_guest_may_not_approve(world):
    project = world["coffee"]
    project.approval_rule = ApprovalRule.NONE
    project.save()
    client = signed_in(world["guest"])
    assert client.post(guest_url("guest_post_approve", project, world["in_week"])).status_code == 403
    assert client.post(guest_url("guest_post_changes", project, world["in_week"]), {"message": "x"}).status_code == 403
    world["in_week"].refresh_from_db()
    assert world["in_week"].status == PostStatus.NEEDS_APPROVAL


def test_a_guest_requests_changes_and_comments_with_a_mention(world, outsider, django_capture_on_commit_callbacks):
    post, client = world["in_week"], signed_in(world["guest"])
    response = client.post(guest_url("guest_post_changes", world["coffee"], post), {"message": "Bitte kürzer."})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.status == PostStatus.NEEDS_REVIEW and "Bitte kürzer." in render_all(post.review_reason)
    body = f"Fragen an @{world['editor'].email} und @{outsider.email}"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(guest_url("guest_post_comment", world["coffee"], post), {"body": body})
    assert response.status_code == 302
    comment = PostComment.objects.for_org(world["org"]).filter(post=post).last()
    assert comment.mentions == [world["editor"].email]  # an outsider is not on the team: no mail
    assert [m.to for m in mail.outbox] == [[world["editor"].email]]
    assert reverse("post_detail", args=["alpha", "coffee", post.id]) in mail.outbox[0].body
    # The team sees the thread on the review page, the guest too.
    page = client.get(guest_url("guest_post", world["coffee"], post)).content.decode()
    assert "Bitte kürzer." in page and "Fragen an" in page


def test_an_empty_comment_is_400_and_stores_nothing(world):
    response = signed_in(world["guest"]).post(
        guest_url("guest_post_comment", world["coffee"], world["in_week"]), {"body": "  "}
    )
    assert response.status_code == 400
    assert not PostComment.objects.for_org(world["org"]).exists()


def test_admin_invites_a_guest_who_accepts_without_becoming_a_member(world, django_capture_on_commit_callbacks):
    url = reverse("guest_invite", args=["alpha", "coffee"])
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(world["owner"]).post(url, {"email": "Newclient@Brand.test"})
    assert response.status_code == 302
    invitation = GuestInvitation.objects.for_org(world["org"]).get()
    link = re.search(r"https?://\S+/guest/invite/\S+/", mail.outbox[-1].body).group(0)
    assert invitation.token in link
    client = Client()
    path = reverse("guest_invitation_accept", args=[invitation.token])
    response = client.post(path, {"name": "Nora", "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302 and response["Location"] == guest_url("guest_calendar", world["coffee"])
    from apps.accounts.models import User

    user = User.objects.get(email="newclient@brand.test")
    assert not Membership.objects.filter(user=user).exists()
    assert client.get(guest_url("guest_calendar", world["coffee"])).status_code == 200
    assert client.get(reverse("org_dashboard", args=["alpha"])).status_code == 404
    assert client.get(path).status_code == 410  # used once


@pytest.mark.parametrize(("who", "status"), [("editor", 403), ("outsider", 404)])
def test_only_admins_invite_guests(world, outsider, who, status):
    user = world["editor"] if who == "editor" else outsider
    response = signed_in(user).post(reverse("guest_invite", args=["alpha", "coffee"]), {"email": "x@y.test"})
    assert response.status_code == status
    assert not GuestInvitation.objects.for_org(world["org"]).exists()


def test_a_member_cannot_be_invited_as_guest(world):
    response = signed_in(world["owner"]).post(
        reverse("guest_invite", args=["alpha", "coffee"]), {"email": world["viewer"].email}
    )
    assert response.status_code == 400 and "is a member" in response.content.decode()


def test_removing_a_guest_ends_access(world):
    url = reverse("guest_remove", args=["alpha", "coffee", world["guest"].id])
    assert signed_in(world["owner"]).post(url).status_code == 302
    assert signed_in(world["guest"]).get(guest_url("guest_calendar", world["coffee"])).status_code == 404


def test_migration_turns_viewer_reviewers_into_guests(world):
    viewer_reviewer = make_member(world["org"], "reviewer@brand.test", Role.VIEWER)
    grant_project_reviewer(viewer_reviewer, world["coffee"])
    grant_project_reviewer(world["editor"], world["coffee"])
    migration = importlib.import_module("apps.posts.migrations.0006_guests_from_viewer_grants")
    from django.apps import apps

    migration.forwards(apps, None)
    members = Membership.objects.for_org(world["org"])
    assert not members.filter(user=viewer_reviewer).exists()
    assert members.filter(user=world["editor"]).exists()  # staff keep their membership
    assert members.filter(user=world["viewer"]).exists()  # viewers without a grant too
    client = signed_in(viewer_reviewer)
    assert client.get(guest_url("guest_calendar", world["coffee"])).status_code == 200
    assert client.get(reverse("project_list", args=["alpha"])).status_code == 404


# --- signed review links ----------------------------------------------------------------------------


def create_link(world, user=None, **data):
    data.setdefault("expires_on", "2099-01-01")
    response = signed_in(user or world["editor"]).post(reverse("review_link_create", args=["alpha", "coffee"]), data)
    return response, ReviewLink.objects.for_org(world["org"]).order_by("created_at").last()


def link_url(name, link, post=None):
    return reverse(name, args=[link_token(link)] + ([post.id] if post else []))


def test_a_week_link_opens_its_week_only_and_approves_with_a_name(world):
    response, link = create_link(world, week_start="2026-03-05")
    assert response.status_code == 302 and link.week_start == WEEK
    visitor = Client()
    page = visitor.get(link_url("review_link", link))
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert world["in_week"].hook in html and world["in_week_2"].hook in html and world["outside"].hook not in html
    for post in (world["outside"], world["tea_post"], world["foreign_post"]):
        assert visitor.get(link_url("review_link_post", link, post)).status_code == 404
        assert visitor.post(link_url("review_link_approve", link, post), {"name": "Eva"}).status_code == 404
    assert visitor.post(link_url("review_link_approve", link, world["in_week"]), {"name": ""}).status_code == 400
    response = visitor.post(link_url("review_link_approve", link, world["in_week"]), {"name": "Eva Kundin"})
    assert response.status_code == 302
    post = world["in_week"]
    post.refresh_from_db()
    assert post.status == PostStatus.APPROVED and post.approved_by is None
    assert Approval.objects.for_org(world["org"]).get(post=post).actor_name == "Eva Kundin"
    changes = visitor.post(
        link_url("review_link_changes", link, world["in_week_2"]), {"name": "Eva", "message": "Anderes Bild"}
    )
    assert changes.status_code == 302
    uses = list(ReviewLinkUse.objects.for_org(world["org"]).filter(link=link).values_list("action", "name"))
    assert ("opened", "") in uses and ("approved", "Eva Kundin") in uses and ("changes_requested", "Eva") in uses


def test_a_post_link_opens_that_post_only(world):
    _, link = create_link(world, post=str(world["in_week"].id))
    visitor = Client()
    assert visitor.get(link_url("review_link_post", link, world["in_week"])).status_code == 200
    assert visitor.get(link_url("review_link_post", link, world["in_week_2"])).status_code == 404


def test_revocation_works_at_once(world):
    _, link = create_link(world, week_start="2026-03-02")
    visitor = Client()
    assert visitor.get(link_url("review_link", link)).status_code == 200
    revoke = reverse("review_link_revoke", args=["alpha", "coffee", link.id])
    assert signed_in(world["editor"]).post(revoke).status_code == 302
    assert visitor.get(link_url("review_link", link)).status_code == 404
    assert visitor.get(link_url("review_link_post", link, world["in_week"])).status_code == 404
    assert visitor.post(link_url("review_link_approve", link, world["in_week"]), {"name": "Eva"}).status_code == 404
    world["in_week"].refresh_from_db()
    assert world["in_week"].status == PostStatus.NEEDS_APPROVAL


def test_expired_and_forged_links_are_404(world):
    _, link = create_link(world, week_start="2026-03-02", expires_on=str(clock.now().date() + timedelta(days=1)))
    visitor = Client()
    assert visitor.get(link_url("review_link", link)).status_code == 200
    clock.advance(timedelta(days=3))
    assert visitor.get(link_url("review_link", link)).status_code == 404
    token = link_token(link)
    assert visitor.get(reverse("review_link", args=[token[:-2] + "xx"])).status_code == 404
    assert visitor.get(reverse("review_link", args=[uuid.uuid4().hex])).status_code == 404


def test_a_pin_protects_the_link_and_wrong_pins_lock_it(world):
    _, link = create_link(world, week_start="2026-03-02", pin="4711")
    assert link.pin_hash and "4711" not in link.pin_hash
    visitor = Client()
    page = visitor.get(link_url("review_link", link)).content.decode()
    assert world["in_week"].hook not in page and 'name="pin"' in page
    assert visitor.get(link_url("review_link_post", link, world["in_week"])).status_code == 403
    statuses = [visitor.post(link_url("review_link_pin", link), {"pin": "0000"}).status_code for _ in range(6)]
    assert statuses == [400] * 5 + [429]
    assert visitor.post(link_url("review_link_pin", link), {"pin": "4711"}).status_code == 429  # locked a while
    failed = ReviewLinkUse.objects.for_org(world["org"]).filter(link=link, action="pin_failed").count()
    assert failed == 5
    assert ReviewLinkUse.objects.for_org(world["org"]).filter(link=link, action="refused").count() == 2
    clock.advance(timedelta(minutes=16))
    assert visitor.post(link_url("review_link_pin", link), {"pin": "4711"}).status_code == 302
    assert visitor.get(link_url("review_link_post", link, world["in_week"])).status_code == 200


@pytest.mark.parametrize(("who", "status"), [("viewer", 403), ("outsider", 404), ("anonymous", 302)])
def test_only_editors_create_links(world, outsider, who, status):
    users = {"viewer": world["viewer"], "outsider": outsider}
    client = signed_in(users[who]) if who in users else Client()
    url = reverse("review_link_create", args=["alpha", "coffee"])
    assert client.post(url, {"week_start": "2026-03-02", "expires_on": "2099-01-01"}).status_code == status
    assert not ReviewLink.objects.for_org(world["org"]).exists()


def test_bad_link_input_is_400_and_creates_nothing(world):
    response, link = create_link(world, week_start="2026-03-02", pin="12")
    assert response.status_code == 400 and link is None
    response, link = create_link(world, expires_on="2099-01-01")
    assert response.status_code == 400 and link is None


def test_review_access_page(world):
    create_link(world, week_start="2026-03-02")
    page = signed_in(world["owner"]).get(reverse("review_access", args=["alpha", "coffee"]))
    assert page.status_code == 200
    html = page.content.decode()
    assert world["guest"].email in html and "/r/" in html
    assert signed_in(world["viewer"]).get(reverse("review_access", args=["alpha", "coffee"])).status_code == 403


def test_review_pages_carry_the_security_headers_and_no_inline_code(world):
    from tests.test_security_headers import assert_headers, assert_no_inline_code

    guest = signed_in(world["guest"])
    _, link = create_link(world, week_start="2026-03-02")
    pages = [
        (guest, guest_url("guest_calendar", world["coffee"]), True),
        (guest, guest_url("guest_post", world["coffee"], world["in_week"]), True),
        (guest, reverse("guest_home"), True),
        (signed_in(world["owner"]), reverse("review_access", args=["alpha", "coffee"]), True),
        (Client(), link_url("review_link", link), True),
        (Client(), link_url("review_link_post", link, world["in_week"]), True),
    ]
    for client, url, private in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_headers(response, signed_in=private)
        assert_no_inline_code(response)


# --- the team's side of the thread --------------------------------------------------------------


def test_members_comment_and_see_the_guests_comments(world, django_capture_on_commit_callbacks):
    post = world["in_week"]
    signed_in(world["guest"]).post(guest_url("guest_post_comment", world["coffee"], post), {"body": "Gefällt mir"})
    url = reverse("post_comment", args=["alpha", "coffee", post.id])
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(world["viewer"]).post(url, {"body": f"Danke! @{world['guest'].email}"})
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[world["guest"].email]]  # a guest is on the team of the project
    assert reverse("guest_post", args=["alpha", "coffee", post.id]) in mail.outbox[0].body
    assert response["Location"] == reverse("post_tab_comments", args=["alpha", "coffee", post.id])
    page = signed_in(world["editor"]).get(response["Location"]).content.decode()
    assert "Gefällt mir" in page and "Danke!" in page


@pytest.mark.parametrize(("who", "status"), [("outsider", 404), ("anonymous", 302), ("guest", 404)])
def test_member_comments_need_a_membership(world, outsider, who, status):
    users = {"outsider": outsider, "guest": world["guest"]}
    client = signed_in(users[who]) if who in users else Client()
    url = reverse("post_comment", args=["alpha", "coffee", world["in_week"].id])
    assert client.post(url, {"body": "x"}).status_code == status
    assert signed_in(world["editor"]).get(url).status_code == 405
    assert not PostComment.objects.for_org(world["org"]).exists()
