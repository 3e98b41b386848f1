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
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget, trigger_client_event

from apps.billing.ratelimit import rate_limit
from apps.core.reasons import render_all
from apps.orgs.access import OrgRequest, org_view
from apps.orgs.roles import Role
from apps.posts import actions, editor_tabs
from apps.posts import forms as post_forms
from apps.posts import views_calendar as cal
from apps.posts.access import approval_required, can_approve, can_edit_posts, get_post, get_project_post
from apps.posts.models import Approval, PostItem
from apps.posts.review_forms import CommentForm
from apps.projects.links import calendar_url
from apps.projects.models import Project
from viralforge.htmx import wants_partial

DETAIL = "posts/detail.html"
PROPOSAL_NAMESPACE = "posts.improve"
TOKEN_MAX_AGE = 3600
APPROVAL_HISTORY = 5
DEFAULT_TAB = "content"


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
        auto_id="move-%s",
    )


def _hashtags_text(post: PostItem) -> str:
    return " ".join(str(tag) for tag in (post.hashtags or []))


def _neighbours(request: OrgRequest, post: PostItem) -> tuple:
    """The ids of the plan's posts before and after this one (date, slot order): one query."""
    ids = list(
        PostItem.objects.for_org(request.org)
        .filter(plan_id=post.plan_id)
        .order_by("date", "slot")
        .values_list("id", flat=True)
    )
    at = ids.index(post.id) if post.id in ids else -1
    before = ids[at - 1] if at > 0 else None
    after = ids[at + 1] if 0 <= at < len(ids) - 1 else None
    return before, after


def _context(request: OrgRequest, project: Project, post: PostItem, **extra) -> dict:
    """The panel around the tabs: head, state, action bar, preview (the tab's own context is `_tab_context`)."""
    membership = request.membership
    editable = can_edit_posts(membership) and not post.locked
    urls = _urls(request, project, post)
    context = {
        "project": project,
        "post": post,
        "urls": urls,
        "slot_time": project.slot_time(post.slot),
        "status_label": cal.status_label(post.status, actions.is_blocked(post)),
        "blocked": actions.is_blocked(post),
        "confidence": round((post.confidence or 0) * 100),
        "can_edit": can_edit_posts(membership),
        "editable": editable,
        "approval_required": approval_required(project),
        "can_approve": can_approve(membership, project),
        "scenes": post_forms.script_scenes(post),
        "hashtags_text": _hashtags_text(post),
        "policy_matches": (post.policy or {}).get("matches", []) if isinstance(post.policy, dict) else [],
        "in_panel": wants_partial(request),
        "calendar_url": calendar_url(request.org.slug, project.slug, project.today().replace(day=1)),
        "can_manage": membership.has_role(Role.ADMIN),
    }
    return context | extra


def _tab_context(request: OrgRequest, project: Project, post: PostItem, key: str, editor=None) -> dict:
    """What one of posts' own tabs shows: its part of the editor form, or the values read-only."""
    editable = can_edit_posts(request.membership) and not post.locked
    if editor is None and editable and key in post_forms.TAB_FIELDS:
        editor = post_forms.PostEditor(post, tab=key, project=project)
    video = post.video_prompt if isinstance(post.video_prompt, dict) else {}
    context = {
        "project": project,
        "post": post,
        "tab": key,
        "urls": _urls(request, project, post),
        "editor": editor,
        "editable": editable,
        "scenes": post_forms.script_scenes(post),
        "cta": (post.script or {}).get("cta", "") if isinstance(post.script, dict) else "",
        "storyboard": [
            shot | {"visual": shot.get("visual") or shot.get("description") or shot.get("shot") or ""}
            for shot in post_forms.storyboard_scenes(post)
        ],
        "video": video,
        "video_prompts": post_forms.video_prompts(post),
        "hashtags_text": _hashtags_text(post),
    }
    if key == "comments":
        context["approvals"] = list(
            Approval.objects.for_org(request.org).filter(post=post).select_related("actor")[:APPROVAL_HISTORY]
        )
        context["comments"] = post.comments.select_related("author").order_by("created_at")
        context["comment_form"] = CommentForm()
    return context


def _tab_template(key: str) -> str:
    return f"{DETAIL}#tab_{key}"


def _page(request, project, post, *, active: str, tab_html: str, status: int = 200, **extra) -> HttpResponse:
    """The panel (HTMX) or the post's page, with the tab `active` open and its HTML given."""
    context = _context(request, project, post, **extra)
    context["tabs"] = editor_tabs.tab_links(request, project, post, active)
    context["tab_html"] = tab_html
    context["active_tab"] = active
    context["prev_url"], context["next_url"] = (
        f"{cal.posts_base_url(request.org.slug, project.slug)}{other}/" if other else ""
        for other in _neighbours(request, post)
    )
    template = f"{DETAIL}#panel" if wants_partial(request) else DETAIL
    return render(request, template, context, status=status)


def tab_response(request, project, post, key: str, template: str, context: dict, *, status: int = 200):
    """See apps.posts.editor_tabs.render_tab."""
    if wants_partial(request):
        response = render(request, template, context, status=status)
        bar = {"tabs": editor_tabs.tab_links(request, project, post, key), "post": post, "oob": True}
        response.content += render_to_string(f"{DETAIL}#tabs", bar, request=request).encode()
        patch_vary_headers(response, ("HX-Request",))
        return response
    tab_html = render_to_string(template, context, request=request)
    response = _page(request, project, post, active=key, tab_html=tab_html, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _fresh(request: OrgRequest, project: Project, post: PostItem) -> PostItem:
    fresh = get_post(request.org, project, post.id)
    fresh.project = project
    return fresh


def _panel(
    request: OrgRequest,
    project: Project,
    post: PostItem,
    *,
    status: int = 200,
    changed: bool = False,
    moved: bool = False,
    others: tuple[PostItem, ...] = (),
    tab: str = DEFAULT_TAB,
    **extra,
) -> HttpResponse:
    """The whole panel (HTMX) or the post's page, with the cards of the changed posts out-of-band."""
    if wants_partial(request) and changed:
        base = cal.posts_base_url(request.org.slug, project.slug)
        extra["oob_cards"] = [cal.card_for_post(item, project, base, oob=True) for item in (post, *others)]
    editor = extra.pop("editor", None)
    if editor is not None and editor.tab is None:
        tab = editor.tab_with_errors() or tab
    tab_html = render_to_string(
        _tab_template(tab), _tab_context(request, project, post, tab, editor=editor), request=request
    )
    response = _page(request, project, post, active=tab, tab_html=tab_html, status=status, **extra)
    if wants_partial(request) and changed:
        _trigger(response, post, moved)
    return response


def _trigger(response: HttpResponse, post: PostItem, moved: bool = False) -> None:
    trigger_client_event(response, "postChanged", {"id": str(post.id), "moved": moved})
    if moved:
        # Its own event: the calendar reloads without an htmx trigger filter (eval, which the CSP forbids).
        trigger_client_event(response, "postMoved", {"id": str(post.id)})


def _parts(
    request: OrgRequest,
    project: Project,
    post: PostItem,
    *,
    feedback: str = "",
    error: str = "",
    status: int = 200,
    changed: bool = False,
    main: str = "actions",
    tab_html: str = "",
) -> HttpResponse:
    """The changed parts of the panel only: `main` (the action bar, or a tab's form given as `tab_html`)
    plus, out-of-band, the action bar with its feedback, the state line, the preview and the post's card."""
    context = _context(request, project, post, feedback=feedback, error=error, main=main, tab_html=tab_html)
    pieces = [render_to_string(f"{DETAIL}#changed_parts", context, request=request)]  # one render: fewer passes
    if changed:
        base = cal.posts_base_url(request.org.slug, project.slug)
        pieces.append(cal.card_for_post(post, project, base, oob=True))
    response = HttpResponse("".join(pieces), status=status)
    if changed:
        _trigger(response, post)
    return response


def _done(request: OrgRequest, project: Project, post: PostItem, message: str, **kwargs) -> HttpResponse:
    """After a successful action: the panel (HTMX) or a redirect to the post's page."""
    if wants_partial(request):
        return _panel(request, project, post, changed=True, feedback=message, **kwargs)
    if message:
        messages.success(request, message)
    return redirect(_urls(request, project, post)["detail"])


def _refused(request: OrgRequest, project: Project, post: PostItem, error: Exception, **extra) -> HttpResponse:
    status = getattr(error, "status", 409)
    return _panel(request, project, _fresh(request, project, post), status=status, error=str(error), **extra)


def _first_error(form) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return _("Please correct the errors below.")


def _load(request: OrgRequest, project_slug: str, post_id) -> tuple[Project, PostItem]:
    return get_project_post(request.org, project_slug, post_id)


def _require_editor(request: OrgRequest) -> None:
    if not can_edit_posts(request.membership):
        raise PermissionDenied


# --- the panel and posts' own tabs --------------------------------------------------------------


@require_GET
@org_view()
def post_detail(request: OrgRequest, project_slug: str, post_id) -> HttpResponse:
    project, post = _load(request, project_slug, post_id)
    response = _panel(request, project, post)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _own_tab(key: str):
    @require_GET
    @org_view()
    def view(request: OrgRequest, project_slug: str, post_id) -> HttpResponse:
        project, post = _load(request, project_slug, post_id)
        context = _tab_context(request, project, post, key)
        return tab_response(request, project, post, key, _tab_template(key), context)

    view.__name__ = view.__qualname__ = f"post_tab_{key}"
    view.__doc__ = f"The editor's {key} tab."
    return view


post_tab_content = _own_tab("content")
post_tab_script = _own_tab("script")
post_tab_storyboard = _own_tab("storyboard")
post_tab_video_prompt = _own_tab("video_prompt")
post_tab_comments = _own_tab("comments")


def _saved_tab(request, project, post, editor, *, status: int, feedback: str = "", error: str = "", changed=False):
    """A save's answer to HTMX: the tab's form (fresh, or bound with the user's input and errors) and the
    changed parts of the panel out-of-band."""
    key = editor.tab or DEFAULT_TAB
    tab_html = render_to_string(
        _tab_template(key), _tab_context(request, project, post, key, editor=editor), request=request
    )
    return _parts(
        request,
        project,
        post,
        feedback=feedback,
        error=error,
        status=status,
        changed=changed,
        main="tab",
        tab_html=tab_html,
    )


@require_POST
@org_view(Role.EDITOR)
def post_edit(request: OrgRequest, project_slug: str, post_id) -> HttpResponse:
    project, post = _load(request, project_slug, post_id)
    tab = request.POST.get("tab") or None
    editor = post_forms.PostEditor(post, request.POST, tab=tab, project=project)
    partial = wants_partial(request) and editor.tab is not None
    if not editor.is_valid():
        error = _("Please correct the errors below.")
        if partial:
            return _saved_tab(request, project, post, editor, status=400, error=error)
        return _panel(request, project, post, status=400, error=error, tab=editor.tab or DEFAULT_TAB, editor=editor)
    try:
        saved, changed = actions.do_save_post(
            post, version=editor.version, changes=editor.changes(), actor=request.user
        )
    except actions.PostError as exc:
        # Keep what the user typed (a stale version, a post locked meanwhile): the bound editor is shown again.
        fresh = _fresh(request, project, post)
        if partial and not fresh.locked:
            return _saved_tab(request, project, fresh, editor, status=exc.status, error=str(exc))
        return _panel(
            request, project, fresh, status=exc.status, error=str(exc), tab=editor.tab or DEFAULT_TAB, editor=editor
        )
    if not changed:
        if partial:
            fresh_editor = post_forms.PostEditor(saved, tab=editor.tab, project=project)
            return _saved_tab(request, project, saved, fresh_editor, status=200, feedback=_("Nothing changed."))
        messages.info(request, _("Nothing changed."))
        if wants_partial(request):
            return _panel(request, project, saved)
        return redirect(_urls(request, project, post)["detail"])
    saved.project = project  # the locked row, as saved (with its plan): no need to read it again
    if saved.status == "needs_review" and saved.review_reason:
        reason = render_all(saved.review_reason)
        message = _("Saved. The policy check asks for a review: %(reason)s") % {"reason": reason}
    else:
        message = _("Saved.")
    if partial:
        fresh_editor = post_forms.PostEditor(saved, tab=editor.tab, project=project)
        return _saved_tab(request, project, saved, fresh_editor, status=200, feedback=message, changed=True)
    if wants_partial(request):
        return _panel(request, project, saved, changed=True, feedback=message)
    (messages.warning if saved.status == "needs_review" and saved.review_reason else messages.success)(request, message)
    return redirect(_urls(request, project, post)["detail"])


# --- approvals ----------------------------------------------------------------------------------


def _approval_allowed(request: OrgRequest, project: Project) -> None:
    """403 unless the member may approve under the project's rule; without an approval step, editors
    get to the action (which answers 409) and viewers 403."""
    if approval_required(project):
        if not can_approve(request.membership, project):
            raise PermissionDenied
    elif not can_edit_posts(request.membership):
        raise PermissionDenied


def _approval_answer(request, project, post, message: str) -> HttpResponse:
    if wants_partial(request):
        return _parts(request, project, _fresh(request, project, post), feedback=message, changed=True)
    return _done(request, project, post, message)


def _approval_refused(request, project, post, error: str, status: int) -> HttpResponse:
    if wants_partial(request):
        return _parts(request, project, _fresh(request, project, post), error=error, status=status)
    return _panel(request, project, _fresh(request, project, post), status=status, error=error)


@require_POST
@org_view()
def post_approve(request: OrgRequest, project_slug: str, post_id) -> HttpResponse:
    project, post = _load(request, project_slug, post_id)
    _approval_allowed(request, project)
    form = post_forms.VersionForm(request.POST)
    if not form.is_valid():
        return _approval_refused(request, project, post, _first_error(form), 400)
    try:
        post = actions.do_approve_post(post, actor=request.user, version=form.cleaned_data["version"])
    except actions.PostError as exc:
        return _approval_refused(request, project, post, str(exc), exc.status)
    return _approval_answer(request, project, post, _("Approved."))


@require_POST
@org_view()
def post_unapprove(request: OrgRequest, project_slug: str, post_id) -> HttpResponse:
    project, post = _load(request, project_slug, post_id)
    _approval_allowed(request, project)
    try:
        post = actions.do_unapprove_post(post, actor=request.user)
    except actions.PostError as exc:
        return _approval_refused(request, project, post, str(exc), exc.status)
    return _approval_answer(request, project, post, _("Approval withdrawn."))


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


def _dropped(request, project, status: int, message: str = "", error: str = "", undo: dict | None = None):
    """A drag-and-drop move's answer: the calendar's status line (with Undo); the grid reloads itself."""
    context = {"project": project, "message": message, "error": error, "undo": undo}
    response = render(request, f"{cal.TEMPLATE}#move_status", context, status=status)
    trigger_client_event(response, "postMoved", {})
    return response


def _opened_form(request, project, post, name: str, form, focus: str) -> HttpResponse:
    """GET of an action's form (Move, AI improve), loaded when the user asks for it: its partial for
    HTMX (focused), else the post's page with it open. A locked post refuses (the panel shows why)."""
    if post.locked:
        response = _panel(request, project, post, status=409, error=str(actions.PostLocked()))
        if wants_partial(request):
            response = reswap(retarget(response, "#post-panel"), "innerHTML")
        return response
    form.fields[focus].widget.attrs["autofocus"] = True
    if wants_partial(request):
        response = render(request, f"{DETAIL}#{name}", _context(request, project, post, **{f"{name}_form": form}))
    else:
        response = _panel(request, project, post, **{f"{name}_form": form})
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_http_methods(["GET", "POST"])
@org_view(Role.EDITOR)
def post_move(request: OrgRequest, project_slug: str, post_id) -> HttpResponse:
    """GET: the Move form. POST: move with the form (the panel) or by drag and drop (`via=drop`: the
    calendar's status line answers)."""
    project, post = _load(request, project_slug, post_id)
    if request.method == "GET":
        return _opened_form(request, project, post, "move", _move_form(post, project), "date")
    dropped = wants_partial(request) and request.POST.get("via") == "drop"
    form = _move_form(post, project, request.POST)
    if not form.is_valid():
        if dropped:
            return _dropped(request, project, 400, error=_first_error(form))
        return _panel(request, project, post, status=400, move_form=form, error=_first_error(form))
    data = form.cleaned_data
    was = {"date": post.date, "slot": post.slot}
    try:
        moved, other = actions.do_move_post(
            post, version=data["version"], to_date=data["date"], to_slot=data["slot"], actor=request.user
        )
    except actions.PostError as exc:
        if dropped:
            return _dropped(request, project, exc.status, error=str(exc))
        return _refused(request, project, post, exc)
    moved = _fresh(request, project, moved)
    if other is not None:
        other = _fresh(request, project, other)
        message = _("Moved. It swapped places with “%(hook)s”.") % {"hook": other.hook[:60]}
    else:
        message = _("Moved.")
    undo = {"url": _urls(request, project, moved)["move"], "version": moved.version, **was}
    if dropped:
        return _dropped(request, project, 200, message=message, undo=undo)
    return _done(request, project, moved, message, moved=True, others=(other,) if other else (), undo=undo)


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


@require_http_methods(["GET", "POST"])
@org_view(Role.EDITOR)
def post_improve(request: OrgRequest, project_slug: str, post_id) -> HttpResponse:
    """GET: the AI improve form. POST: ask for a rewrite of one field (rate-limited), shown as a diff."""
    if request.method == "GET":
        project, post = _load(request, project_slug, post_id)
        return _opened_form(request, project, post, "improve", _improve_form(project), "field")
    return _propose_improvement(request, project_slug, post_id)


def _improve_form(project: Project, data=None) -> post_forms.ImproveForm:
    return post_forms.ImproveForm(data, project=project, auto_id="improve-%s")


@rate_limit("post_ai_improve", lambda: getattr(settings, "VF_RATE_LIMIT_AI_IMPROVE", 30))
def _propose_improvement(request: OrgRequest, project_slug: str, post_id) -> HttpResponse:
    project, post = _load(request, project_slug, post_id)
    form = _improve_form(project, request.POST)
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
