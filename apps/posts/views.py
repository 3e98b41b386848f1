"""The post editor panel and its actions.

`post_detail` (GET) is the panel: with HTMX the partial that lands beside the calendar
(`#post-panel`), without it a page of its own. Every action is a POST; with HTMX it answers
with the refreshed panel plus the post's calendar card (out-of-band) and the `postChanged`
event (`{"id": ..., "moved": bool}`; on a move the calendar reloads its grid). Without HTMX a
success redirects to the post's page and a refusal renders that page with the reason.

Who may do what (see apps.posts.access):
- every member sees the panel;
- editors, admins and owners edit, lock/unlock, move and use "AI improve" (viewers: 403);
- approving follows the project's approval rule: ``none`` has no approval step (the buttons
  are hidden; approve/unapprove answer 409), ``editor`` lets editors and above (and members
  with the project's review grant) approve, ``client_reviewer`` lets the members with the
  review grant and the admins and owners approve (plain editors and viewers: 403).

Refusals: invalid input 400; a stale version, a locked post or a state that does not allow the
action 409, with a translated message. A stale save re-renders the editor with the user's input.
"""

from __future__ import annotations

import difflib
import re

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from apps.billing.ratelimit import rate_limit
from apps.core.reasons import render_all
from apps.orgs.access import OrgRequest, org_view
from apps.orgs.roles import Role
from apps.posts import actions
from apps.posts import forms as post_forms
from apps.posts import views_calendar as cal
from apps.posts.access import approval_required, can_approve, can_edit_posts, get_post
from apps.posts.models import Approval, PostItem
from apps.posts.review_forms import CommentForm
from apps.projects.access import get_project
from apps.projects.links import calendar_url
from apps.projects.models import Project
from viralforge.htmx import wants_partial

DETAIL = "posts/detail.html"
PROPOSAL_NAMESPACE = "posts.improve"
TOKEN_MAX_AGE = 3600
APPROVAL_HISTORY = 5


# --- rendering ----------------------------------------------------------------------------------


def _urls(request: OrgRequest, project: Project, post: PostItem) -> dict[str, str]:
    base = f"{cal.posts_base_url(request.org.slug, project.slug)}{post.id}/"
    return {
        "detail": base,
        "edit": f"{base}edit/",
        "approve": f"{base}approve/",
        "unapprove": f"{base}unapprove/",
        "lock": f"{base}lock/",
        "unlock": f"{base}unlock/",
        "move": f"{base}move/",
        "improve": f"{base}improve/",
        "accept": f"{base}improve/accept/",
        "comment": f"{base}comments/",
        "calendar": calendar_url(request.org.slug, project.slug, post.plan.month),
    }


def _move_form(post: PostItem, project: Project, data=None) -> post_forms.MoveForm:
    first, last = actions.month_bounds(post.plan.month)
    choices = [(n, f"{n} · {project.slot_time(n)}".rstrip(" ·")) for n in (1, 2, 3)]
    return post_forms.MoveForm(
        data,
        initial={"version": post.version, "date": post.date, "slot": post.slot},
        slot_choices=choices,
        month_start=first,
        month_end=last,
    )


def _hashtags_text(post: PostItem) -> str:
    return " ".join(str(tag) for tag in (post.hashtags or []))


def _context(request: OrgRequest, project: Project, post: PostItem, **extra) -> dict:
    membership = request.membership
    editable = can_edit_posts(membership) and not post.locked
    video = post.video_prompt if isinstance(post.video_prompt, dict) else {}
    context = {
        "project": project,
        "post": post,
        "urls": _urls(request, project, post),
        "slot_time": project.slot_time(post.slot),
        "status_label": cal.status_labels().get(post.status, post.status),
        "confidence": round((post.confidence or 0) * 100),
        "can_edit": can_edit_posts(membership),
        "editable": editable,
        "approval_required": approval_required(project),
        "can_approve": can_approve(membership, project),
        "editor": post_forms.PostEditor(post) if editable else None,
        "move_form": _move_form(post, project) if editable else None,
        "improve_form": post_forms.ImproveForm(project=project) if editable else None,
        "scenes": post_forms.script_scenes(post),
        "cta": (post.script or {}).get("cta", "") if isinstance(post.script, dict) else "",
        "storyboard": [
            shot | {"visual": shot.get("visual") or shot.get("description") or shot.get("shot") or ""}
            for shot in post_forms.storyboard_scenes(post)
        ],
        "video": video,
        "video_prompts": post_forms.video_prompts(post),
        "hashtags_text": _hashtags_text(post),
        "policy_matches": (post.policy or {}).get("matches", []) if isinstance(post.policy, dict) else [],
        "approvals": list(
            Approval.objects.for_org(request.org).filter(post=post).select_related("actor")[:APPROVAL_HISTORY]
        ),
        "in_panel": wants_partial(request),
        "calendar_url": calendar_url(request.org.slug, project.slug, project.today().replace(day=1)),
        "can_manage": membership.has_role(Role.ADMIN),
        # The review thread, shared with guest reviewers and review-link visitors.
        "comments": post.comments.select_related("author").order_by("created_at"),
        "comment_form": CommentForm(),
    }
    return context | extra


def _fresh(request: OrgRequest, project: Project, post: PostItem) -> PostItem:
    return get_post(request.org, project, post.id)


def _panel(
    request: OrgRequest,
    project: Project,
    post: PostItem,
    *,
    status: int = 200,
    changed: bool = False,
    moved: bool = False,
    others: tuple[PostItem, ...] = (),
    **extra,
) -> HttpResponse:
    """The panel (HTMX) or the post's page, with the cards of the changed posts out-of-band."""
    context = _context(request, project, post, **extra)
    if wants_partial(request):
        if changed:
            base = cal.posts_base_url(request.org.slug, project.slug)
            context["oob_cards"] = [cal.card_for_post(item, project, base, oob=True) for item in (post, *others)]
        response = render(request, f"{DETAIL}#panel", context, status=status)
        if changed:
            trigger_client_event(response, "postChanged", {"id": str(post.id), "moved": moved})
            if moved:
                # Its own event: the calendar reloads without an htmx trigger filter (eval, which the CSP forbids).
                trigger_client_event(response, "postMoved", {"id": str(post.id)})
        return response
    return render(request, DETAIL, context, status=status)


def _done(request: OrgRequest, project: Project, post: PostItem, message: str, **kwargs) -> HttpResponse:
    """After a successful action: the panel (HTMX) or a redirect to the post's page."""
    if message:
        messages.success(request, message)
    if wants_partial(request):
        return _panel(request, project, post, changed=True, **kwargs)
    return redirect(_urls(request, project, post)["detail"])


def _refused(request: OrgRequest, project: Project, post: PostItem, error: Exception, **extra) -> HttpResponse:
    status = getattr(error, "status", 409)
    return _panel(request, project, _fresh(request, project, post), status=status, error=str(error), **extra)


def _first_error(form) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return _("Please correct the errors below.")


def _load(request: OrgRequest, project_slug: str, post_id) -> tuple[Project, PostItem]:
    project = get_project(request.org, project_slug)
    return project, get_post(request.org, project, post_id)


def _require_editor(request: OrgRequest) -> None:
    if not can_edit_posts(request.membership):
        raise PermissionDenied


# --- the panel ----------------------------------------------------------------------------------


@require_GET
@org_view()
def post_detail(request: OrgRequest, project_slug: str, post_id) -> HttpResponse:
    project, post = _load(request, project_slug, post_id)
    response = _panel(request, project, post)
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_POST
@org_view(Role.EDITOR)
def post_edit(request: OrgRequest, project_slug: str, post_id) -> HttpResponse:
    project, post = _load(request, project_slug, post_id)
    editor = post_forms.PostEditor(post, request.POST)
    if not editor.is_valid():
        return _panel(request, project, post, status=400, editor=editor, error=_("Please correct the errors below."))
    try:
        saved, changed = actions.do_save_post(
            post, version=editor.version, changes=editor.changes(), actor=request.user
        )
    except actions.PostError as exc:
        # Keep what the user typed (a stale version, a post locked meanwhile): the bound editor is shown again.
        fresh = _fresh(request, project, post)
        return _panel(request, project, fresh, status=exc.status, editor=editor, error=str(exc))
    if not changed:
        messages.info(request, _("Nothing changed."))
        if wants_partial(request):
            return _panel(request, project, saved)
        return redirect(_urls(request, project, post)["detail"])
    saved = _fresh(request, project, saved)
    if saved.status == "needs_review" and saved.review_reason:
        messages.warning(
            request,
            _("Saved. The policy check asks for a review: %(reason)s") % {"reason": render_all(saved.review_reason)},
        )
        return _done(request, project, saved, "")
    return _done(request, project, saved, _("Saved."))


# --- approvals ----------------------------------------------------------------------------------


def _approval_allowed(request: OrgRequest, project: Project) -> None:
    """403 unless the member may approve under the project's rule; without an approval step, editors
    get to the action (which answers 409) and viewers 403."""
    if approval_required(project):
        if not can_approve(request.membership, project):
            raise PermissionDenied
    elif not can_edit_posts(request.membership):
        raise PermissionDenied


@require_POST
@org_view()
def post_approve(request: OrgRequest, project_slug: str, post_id) -> HttpResponse:
    project, post = _load(request, project_slug, post_id)
    _approval_allowed(request, project)
    form = post_forms.VersionForm(request.POST)
    if not form.is_valid():
        return _panel(request, project, post, status=400, error=_first_error(form))
    try:
        post = actions.do_approve_post(post, actor=request.user, version=form.cleaned_data["version"])
    except actions.PostError as exc:
        return _refused(request, project, post, exc)
    return _done(request, project, _fresh(request, project, post), _("Approved."))


@require_POST
@org_view()
def post_unapprove(request: OrgRequest, project_slug: str, post_id) -> HttpResponse:
    project, post = _load(request, project_slug, post_id)
    _approval_allowed(request, project)
    try:
        post = actions.do_unapprove_post(post, actor=request.user)
    except actions.PostError as exc:
        return _refused(request, project, post, exc)
    return _done(request, project, _fresh(request, project, post), _("Approval withdrawn."))


# --- lock ---------------------------------------------------------------------------------------


@require_POST
@org_view(Role.EDITOR)
def post_lock(request: OrgRequest, project_slug: str, post_id) -> HttpResponse:
    project, post = _load(request, project_slug, post_id)
    post = actions.do_set_post_lock(post, locked=True, actor=request.user)
    return _done(request, project, _fresh(request, project, post), _("Locked. Regenerating the plan keeps this post."))


@require_POST
@org_view(Role.EDITOR)
def post_unlock(request: OrgRequest, project_slug: str, post_id) -> HttpResponse:
    project, post = _load(request, project_slug, post_id)
    post = actions.do_set_post_lock(post, locked=False, actor=request.user)
    return _done(request, project, _fresh(request, project, post), _("Unlocked."))


# --- move ---------------------------------------------------------------------------------------


@require_POST
@org_view(Role.EDITOR)
def post_move(request: OrgRequest, project_slug: str, post_id) -> HttpResponse:
    project, post = _load(request, project_slug, post_id)
    form = _move_form(post, project, request.POST)
    if not form.is_valid():
        return _panel(request, project, post, status=400, move_form=form, error=_first_error(form))
    data = form.cleaned_data
    try:
        moved, other = actions.do_move_post(
            post, version=data["version"], to_date=data["date"], to_slot=data["slot"], actor=request.user
        )
    except actions.PostError as exc:
        return _refused(request, project, post, exc)
    moved = _fresh(request, project, moved)
    if other is not None:
        other = _fresh(request, project, other)
        message = _("Moved. It swapped places with “%(hook)s”.") % {"hook": other.hook[:60]}
    else:
        message = _("Moved.")
    return _done(request, project, moved, message, moved=True, others=(other,) if other else ())


# --- AI improve ---------------------------------------------------------------------------------


def diff_segments(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level diff (difflib) as (op, text) with op in equal/insert/delete, for <ins>/<del>."""
    tokenize = re.compile(r"\s+|\w+|[^\w\s]").findall
    a, b = tokenize(old or ""), tokenize(new or "")
    segments: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            segments.append(("equal", "".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            segments.append(("delete", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            segments.append(("insert", "".join(b[j1:j2])))
    return segments


def _numbered(index, seconds, text) -> str:
    duration = _("%(n)s s") % {"n": seconds}
    return f"{index}. [{duration}] {text}"


def field_text(field: str, value) -> str:
    """A field value as plain text for the diff: one line per scene or prompt."""
    if value is None:
        return ""
    if field in ("hook", "caption"):
        return str(value)
    if field == "hashtags":
        return " ".join(str(tag) for tag in value)
    lines = []
    on_screen, cta = _("On screen"), _("Call to action")
    if field == "script":
        for scene in (value or {}).get("scenes", []):
            lines.append(_numbered(scene.get("index"), scene.get("duration_seconds"), scene.get("voiceover", "")))
            if scene.get("on_screen_text"):
                lines.append(f"   {on_screen}: {scene['on_screen_text']}")
        if (value or {}).get("cta"):
            lines.append(f"{cta}: {value['cta']}")
    elif field == "storyboard":
        for scene in value or []:
            camera = f" ({scene['camera']})" if scene.get("camera") else ""
            lines.append(_numbered(scene.get("index"), scene.get("duration_seconds"), scene.get("visual", "") + camera))
    elif field == "video_prompt":
        lines.append(f"{value.get('aspect_ratio', '')} · {value.get('style', '')}")
        for prompt in value.get("prompts", []):
            lines.append(_numbered(prompt.get("scene_index"), prompt.get("duration_seconds"), prompt.get("prompt", "")))
            if prompt.get("negative_prompt"):
                lines.append(f"   − {prompt['negative_prompt']}")
    return "\n".join(lines)


def _improve_response(request, project, post, *, status=200, **extra) -> HttpResponse:
    if wants_partial(request):
        context = _context(request, project, post, **extra)
        return render(request, f"{DETAIL}#improve", context, status=status)
    return _panel(request, project, post, status=status, **extra)


@require_POST
@org_view(Role.EDITOR)
@rate_limit("post_ai_improve", lambda: getattr(settings, "VF_RATE_LIMIT_AI_IMPROVE", 30))
def post_improve(request: OrgRequest, project_slug: str, post_id) -> HttpResponse:
    project, post = _load(request, project_slug, post_id)
    form = post_forms.ImproveForm(request.POST, project=project)
    if not form.is_valid():
        return _improve_response(request, project, post, status=400, improve_form=form)
    field = form.cleaned_data["field"]
    try:
        proposal = actions.propose_improvement(post, project, field=field, instruction=form.cleaned_data["instruction"])
    except actions.PostError as exc:
        return _improve_response(request, project, post, status=exc.status, improve_form=form, improve_error=str(exc))
    if not proposal.ok:
        return _improve_response(request, project, post, status=409, improve_form=form, improve_error=proposal.error)
    token = signing.dumps(
        {"post": str(post.id), "field": field, "value": proposal.proposed, "version": proposal.version},
        salt=PROPOSAL_NAMESPACE,
        compress=True,
    )
    return _improve_response(
        request,
        project,
        post,
        improve_form=form,
        proposal=proposal,
        proposal_label=dict(post_forms.IMPROVABLE_FIELDS)[field],
        proposal_token=token,
        diff=diff_segments(field_text(field, proposal.current), field_text(field, proposal.proposed)),
    )


@require_POST
@org_view(Role.EDITOR)
def post_improve_accept(request: OrgRequest, project_slug: str, post_id) -> HttpResponse:
    project, post = _load(request, project_slug, post_id)
    form = post_forms.AcceptForm(request.POST)
    try:
        if not form.is_valid():
            raise signing.BadSignature
        data = signing.loads(form.cleaned_data["token"], salt=PROPOSAL_NAMESPACE, max_age=TOKEN_MAX_AGE)
        if data.get("post") != str(post.id) or data.get("field") not in post_forms.EDITABLE_FIELDS:
            raise signing.BadSignature
        value = post_forms.check_value(data["field"], data["value"])
    except (signing.BadSignature, post_forms.forms.ValidationError, KeyError, TypeError):
        return _panel(
            request, project, post, status=400, error=_("This suggestion has expired or is not valid. Ask again.")
        )
    try:
        saved, changed = actions.do_save_post(
            post,
            version=data["version"],
            changes=actions.quoting_changes(post, data["field"], value),
            actor=request.user,
        )
    except actions.PostError as exc:
        return _refused(request, project, post, exc)
    if not changed:
        messages.info(request, _("Nothing changed."))
        if wants_partial(request):
            return _panel(request, project, saved)
        return redirect(_urls(request, project, post)["detail"])
    return _done(request, project, _fresh(request, project, saved), _("Suggestion applied."))
