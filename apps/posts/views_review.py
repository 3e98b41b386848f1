"""Client review pages: guest reviewers (`/o/<org>/review/<project>/…`), signed review links (`/r/<token>/…`)
and the project's review-access page for the team (`/o/<org>/p/<project>/review-access/`)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.client_ip import client_ip
from apps.accounts.models import User
from apps.orgs.access import OrgRequest, org_view
from apps.orgs.roles import Role
from apps.orgs.views import accept_invitation_flow
from apps.posts import review_actions as actions
from apps.posts import review_forms as forms
from apps.posts.access import approval_required, get_post
from apps.posts.actions import PostError, do_approve_post, is_blocked
from apps.posts.models import GuestInvitation, PostItem, ReviewLink, ReviewLinkUse
from apps.posts.review_access import (
    get_link,
    get_link_post,
    get_project_post,
    granted_projects,
    guest_may_approve,
    guest_user_ids,
    guest_view,
    link_days,
    link_posts,
    link_token,
    pin_unlocked,
    remember_pin,
)
from apps.projects.access import get_project
from viralforge.htmx import htmx_redirect

POST_PAGE = "posts/review/post.html"


def _first_error(form) -> str:
    for errors in form.errors.values():
        return errors[0]
    return _("Please check your input.")


def _month(value: str | None, fallback: date) -> date:
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return fallback.replace(day=1)


# --- guest reviewers ------------------------------------------------------------------------------


@require_GET
@login_required
def guest_home(request: HttpRequest) -> HttpResponse:
    """A guest's start page: the projects they review."""
    request.private_page = True
    return render(request, "posts/review/guest_home.html", {"projects": granted_projects(request.user)})


@require_GET
@guest_view
def guest_calendar(request: HttpRequest) -> HttpResponse:
    """The project's month, read-only: the posts of each day with their status."""
    project = request.project
    month = _month(request.GET.get("month"), project.today())
    last = date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])
    posts = list(
        PostItem.objects.for_org(project.organization_id)
        .filter(project=project, plan__status__in=["ready", "generating"], date__gte=month, date__lte=last)
        .order_by("date", "slot")
    )
    days: dict[date, list] = {}
    for post in posts:
        days.setdefault(post.date, []).append(post)
    previous = (month - timedelta(days=1)).replace(day=1)
    following = last + timedelta(days=1)
    return render(
        request,
        "posts/review/guest_calendar.html",
        {
            "project": project,
            "month": month,
            "days": sorted(days.items()),
            "previous": previous,
            "following": following,
        },
    )


def _post_context(project, post: PostItem, *, may_approve: bool, visitor: bool, urls: dict, **forms_and_extra) -> dict:
    """What the review page of one post shows, for a guest reviewer and a review-link visitor alike."""
    return {
        "project": project,
        "post": post,
        "comments": post.comments.select_related("author").order_by("created_at"),
        "can_approve": may_approve and post.status != "approved" and not is_blocked(post),
        "can_request_changes": approval_required(project),
        "urls": urls,
        "visitor": visitor,
    } | forms_and_extra


def _guest_post_context(request: HttpRequest, post: PostItem, **extra) -> dict:
    project = request.project
    base = [project.organization.slug, project.slug, post.id]
    urls = {
        "back": reverse("guest_calendar", args=base[:2]) + f"?month={post.date:%Y-%m}",
        "approve": reverse("guest_post_approve", args=base),
        "changes": reverse("guest_post_changes", args=base),
        "comment": reverse("guest_post_comment", args=base),
    }
    forms_ = {"comment_form": forms.CommentForm(), "changes_form": forms.ChangesForm()}
    return _post_context(
        project, post, may_approve=guest_may_approve(project), visitor=False, urls=urls, **forms_ | extra
    )


def _guest_post_page(request: HttpRequest, post: PostItem, status: int = 200, **extra) -> HttpResponse:
    post = get_project_post(request.project, post.id)
    return render(request, POST_PAGE, _guest_post_context(request, post, **extra), status=status)


@require_GET
@guest_view
def guest_post(request: HttpRequest, post_id) -> HttpResponse:
    return _guest_post_page(request, get_project_post(request.project, post_id))


@require_POST
@guest_view
def guest_post_approve(request: HttpRequest, post_id) -> HttpResponse:
    post = get_project_post(request.project, post_id)
    if not guest_may_approve(request.project):
        raise PermissionDenied
    try:
        do_approve_post(post, actor=request.user, version=None)
    except PostError as exc:
        return _guest_post_page(request, post, status=409, error=str(exc))
    messages.success(request, _("Approved."))
    return redirect("guest_post", request.org.slug, request.project.slug, post.id)


@require_POST
@guest_view
def guest_post_changes(request: HttpRequest, post_id) -> HttpResponse:
    post = get_project_post(request.project, post_id)
    if not approval_required(request.project):
        raise PermissionDenied
    form = forms.ChangesForm(request.POST)
    if not form.is_valid():
        return _guest_post_page(request, post, status=400, changes_form=form)
    try:
        actions.do_request_changes(post, message=form.cleaned_data["message"], actor=request.user)
    except (PostError, actions.ReviewError) as exc:
        return _guest_post_page(request, post, status=409, error=str(exc))
    messages.success(request, _("Your change request was sent to the team."))
    return redirect("guest_post", request.org.slug, request.project.slug, post.id)


@require_POST
@guest_view
def guest_post_comment(request: HttpRequest, post_id) -> HttpResponse:
    post = get_project_post(request.project, post_id)
    form = forms.CommentForm(request.POST)
    if not form.is_valid():
        return _guest_post_page(request, post, status=400, comment_form=form)
    try:
        actions.do_add_comment(post, body=form.cleaned_data["body"], author=request.user)
    except actions.ReviewError as exc:
        form.add_error("body", str(exc))
        return _guest_post_page(request, post, status=400, comment_form=form)
    return redirect("guest_post", request.org.slug, request.project.slug, post.id)


@require_http_methods(["GET", "POST"])
def guest_invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    # The token is the secret that addresses the invitation: looking it up across organizations is the point.
    invitation = get_object_or_404(
        GuestInvitation.objects.unscoped().select_related("project__organization", "invited_by"), token=token
    )
    page = accept_invitation_flow(
        request,
        invitation,
        template="posts/review/guest_invitation.html",
        accept=actions.do_accept_guest_invitation,
        accept_as_new_user=actions.do_accept_guest_invitation_as_new_user,
        error=actions.ReviewError,
    )
    if page is not None:
        return page
    project = invitation.project
    messages.success(request, _("You can now review %(project)s.") % {"project": project.name})
    return redirect("guest_calendar", project.organization.slug, project.slug)


@require_POST
@org_view()
def post_comment(request: OrgRequest, project_slug: str, post_id) -> HttpResponse:
    """A member adds to a post's review thread (every role: viewers discuss too)."""
    project = get_project(request.org, project_slug)
    post = get_post(request.org, project, post_id)
    form = forms.CommentForm(request.POST)
    if form.is_valid():
        try:
            actions.do_add_comment(post, body=form.cleaned_data["body"], author=request.user)
        except actions.ReviewError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _first_error(form))
    return htmx_redirect(request, "post_tab_comments", request.org.slug, project.slug, post.id)


# --- the team's review-access page ----------------------------------------------------------------


def _access_context(request: OrgRequest, project, **extra) -> dict:
    guests = User.objects.filter(id__in=guest_user_ids(project)).order_by("email")
    links = list(ReviewLink.objects.for_org(request.org).filter(project=project).select_related("post", "created_by"))
    uses = ReviewLinkUse.objects.for_org(request.org).filter(link__project=project).select_related("link")[:30]
    base = request.build_absolute_uri("/").rstrip("/")
    for link in links:
        link.url = base + reverse("review_link", args=[link_token(link)])
        link.first_day, link.last_day = link_days(link)
        link.usable = link.revoked_at is None and project.today() <= link.expires_on
    return {
        "project": project,
        "guests": guests,
        "invitations": GuestInvitation.objects.for_org(request.org).filter(project=project, accepted_at__isnull=True),
        "links": links,
        "uses": uses,
        "is_admin": request.membership.has_role(Role.ADMIN),
        "invite_form": forms.GuestInviteForm(),
        "link_form": forms.ReviewLinkForm(initial={"week_start": project.today()}),
        "posts": PostItem.objects.for_org(request.org)
        .filter(project=project, plan__status="ready", date__gte=project.today())
        .order_by("date", "slot")[:60],
    } | extra


def _access_page(request: OrgRequest, project, status: int = 200, **extra) -> HttpResponse:
    return render(request, "posts/review/manage.html", _access_context(request, project, **extra), status=status)


@require_GET
@org_view(Role.EDITOR)
def review_access(request: OrgRequest, project_slug: str) -> HttpResponse:
    return _access_page(request, get_project(request.org, project_slug))


@require_POST
@org_view(Role.ADMIN)
def guest_invite(request: OrgRequest, project_slug: str) -> HttpResponse:
    project = get_project(request.org, project_slug)
    form = forms.GuestInviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = actions.do_invite_guest(request.membership, project, form.cleaned_data["email"])
        except actions.ReviewError as exc:
            form.add_error("email", str(exc))
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("review_access", request.org.slug, project.slug)
    return _access_page(request, project, status=400, invite_form=form)


@require_POST
@org_view(Role.ADMIN)
def guest_invitation_revoke(request: OrgRequest, project_slug: str, invitation_id) -> HttpResponse:
    project = get_project(request.org, project_slug)
    invitation = get_object_or_404(
        GuestInvitation.objects.for_org(request.org).filter(project=project), id=invitation_id
    )
    try:
        actions.do_revoke_guest_invitation(invitation)
    except actions.ReviewError as exc:
        return _access_page(request, project, status=409, access_error=str(exc))
    messages.success(request, _("Invitation revoked."))
    return redirect("review_access", request.org.slug, project.slug)


@require_POST
@org_view(Role.ADMIN)
def guest_remove(request: OrgRequest, project_slug: str, user_id) -> HttpResponse:
    project = get_project(request.org, project_slug)
    if user_id not in guest_user_ids(project):
        raise Http404
    actions.do_remove_guest(project, User.objects.get(id=user_id))
    messages.success(request, _("The guest can no longer review this project."))
    return redirect("review_access", request.org.slug, project.slug)


@require_POST
@org_view(Role.EDITOR)
def review_link_create(request: OrgRequest, project_slug: str) -> HttpResponse:
    project = get_project(request.org, project_slug)
    form = forms.ReviewLinkForm(request.POST)
    if not form.is_valid():
        return _access_page(request, project, status=400, link_form=form)
    data = form.cleaned_data
    post = None
    if data["post"]:
        post = get_object_or_404(PostItem.objects.for_org(request.org).filter(project=project), id=data["post"])
    try:
        actions.do_create_review_link(
            project,
            actor=request.user,
            post=post,
            week_start=None if post else data["week_start"],
            expires_on=data["expires_on"],
            pin=data["pin"],
        )
    except actions.ReviewError as exc:
        form.add_error(None, str(exc))
        return _access_page(request, project, status=400, link_form=form)
    messages.success(request, _("Review link created."))
    return redirect("review_access", request.org.slug, project.slug)


@require_POST
@org_view(Role.EDITOR)
def review_link_revoke(request: OrgRequest, project_slug: str, link_id) -> HttpResponse:
    project = get_project(request.org, project_slug)
    link = get_object_or_404(ReviewLink.objects.for_org(request.org).filter(project=project), id=link_id)
    actions.do_revoke_review_link(link)
    messages.success(request, _("Review link revoked: it stops working at once."))
    return redirect("review_access", request.org.slug, project.slug)


# --- signed review links (no account) -------------------------------------------------------------


def _link_request(request: HttpRequest, token: str) -> ReviewLink:
    link = get_link(token)
    request.private_page = True
    return link


def _link_page(request: HttpRequest, link: ReviewLink, token: str, status: int = 200, **extra) -> HttpResponse:
    first, last = link_days(link)
    context = {
        "link": link,
        "token": token,
        "project": link.project,
        "first_day": first,
        "last_day": last,
        "locked": not pin_unlocked(request, link),
        "pin_form": forms.PinForm(),
    } | extra
    if not context["locked"]:
        context["posts"] = list(link_posts(link))
    return render(request, "posts/review/link.html", context, status=status)


@require_GET
def review_link(request: HttpRequest, token: str) -> HttpResponse:
    link = _link_request(request, token)
    actions.record_link_use(link, ReviewLinkUse.Action.OPENED, ip=client_ip(request))
    return _link_page(request, link, token)


@require_POST
def review_link_pin(request: HttpRequest, token: str) -> HttpResponse:
    link = _link_request(request, token)
    form = forms.PinForm(request.POST)
    if not link.has_pin:
        return redirect("review_link", token)
    if not form.is_valid():
        return _link_page(request, link, token, status=400, pin_form=form)
    result = actions.do_check_link_pin(link, form.cleaned_data["pin"], ip=client_ip(request))
    if result == actions.PinCheck.LOCKED:
        error = _("Too many wrong PINs. Please try again in 15 minutes.")
        return _link_page(request, link, token, status=429, pin_error=error)
    if result == actions.PinCheck.WRONG:
        return _link_page(request, link, token, status=400, pin_error=_("This PIN is not correct."))
    remember_pin(request, link)
    return redirect("review_link", token)


def _link_post(request: HttpRequest, token: str, post_id) -> tuple[ReviewLink, PostItem]:
    link = _link_request(request, token)
    if not pin_unlocked(request, link):
        raise PermissionDenied
    return link, get_link_post(link, post_id)


def _link_post_context(request, link: ReviewLink, token: str, post: PostItem, **extra) -> dict:
    project = link.project
    urls = {
        "back": reverse("review_link", args=[token]),
        "approve": reverse("review_link_approve", args=[token, post.id]),
        "changes": reverse("review_link_changes", args=[token, post.id]),
    }
    forms_ = {"approve_form": forms.LinkApproveForm(), "changes_form": forms.LinkChangesForm()}
    return _post_context(
        project, post, may_approve=approval_required(project), visitor=True, urls=urls, **forms_ | extra
    )


def _link_post_page(request, link: ReviewLink, token: str, post: PostItem, status: int = 200, **extra) -> HttpResponse:
    return render(request, POST_PAGE, _link_post_context(request, link, token, post, **extra), status=status)


@require_GET
def review_link_post(request: HttpRequest, token: str, post_id) -> HttpResponse:
    link, post = _link_post(request, token, post_id)
    return _link_post_page(request, link, token, post)


def _link_decision(request: HttpRequest, token: str, post_id, form_class) -> tuple[ReviewLink, PostItem, Form]:
    """A visitor's approval or change request: the link, the post and the bound form (403 where the
    project needs no approval)."""
    link, post = _link_post(request, token, post_id)
    if not approval_required(link.project):
        raise PermissionDenied
    return link, post, form_class(request.POST)


@require_POST
def review_link_approve(request: HttpRequest, token: str, post_id) -> HttpResponse:
    link, post, form = _link_decision(request, token, post_id, forms.LinkApproveForm)
    if not form.is_valid():
        return _link_post_page(request, link, token, post, status=400, approve_form=form)
    name = form.cleaned_data["name"]
    try:
        do_approve_post(post, actor=None, actor_name=name, version=form.cleaned_data["version"])
    except PostError as exc:
        actions.record_link_use(link, ReviewLinkUse.Action.REFUSED, ip=client_ip(request), post=post, name=name)
        return _link_post_page(request, link, token, post, status=409, error=str(exc))
    actions.record_link_use(link, ReviewLinkUse.Action.APPROVED, ip=client_ip(request), post=post, name=name)
    messages.success(request, _("Approved. Thank you!"))
    return redirect("review_link_post", token, post.id)


@require_POST
def review_link_changes(request: HttpRequest, token: str, post_id) -> HttpResponse:
    link, post, form = _link_decision(request, token, post_id, forms.LinkChangesForm)
    if not form.is_valid():
        return _link_post_page(request, link, token, post, status=400, changes_form=form)
    name = form.cleaned_data["name"]
    try:
        actions.do_request_changes(post, message=form.cleaned_data["message"], actor_name=name)
    except (PostError, actions.ReviewError) as exc:
        return _link_post_page(request, link, token, post, status=409, error=str(exc))
    actions.record_link_use(link, ReviewLinkUse.Action.CHANGES_REQUESTED, ip=client_ip(request), post=post, name=name)
    messages.success(request, _("Your change request was sent to the team. Thank you!"))
    return redirect("review_link_post", token, post.id)
