"""Pages of the caption variants (under /o/<org>/p/<project>/variants/).

- `variant_briefs` (every member; the wizard for editors): the brief wizard and the project's briefs.
- `brief_create` (editors): save the brief, start its job, go to its page.
- `post_variants` (editors): a brief from a month-plan post, one click.
- `brief_detail` (every member): the brief's variants by platform; while the job runs the results
  area polls itself (HTMX, every 500 ms) and shows each variant as soon as it is stored.
- `variant_card` (every member): one variant's card (also "reject" of a suggestion).
- `variant_edit` (editors): hand-edit text, title, hashtags and first comment (optimistic lock: a
  concurrent edit is refused, the editor's input kept beside the current version).
- `variant_fix`, `variant_rewrite`, `variant_rewrite_accept`, `variant_favourite` (editors),
  `variant_approve` (the project's approval rule, as for posts).
- `voice_trainer` (every member reads; admins train): example posts → brand voice.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.ai.models import BrandVoice
from apps.ai.orchestrator import run_agent
from apps.billing.ratelimit import rate_limit
from apps.core import platforms
from apps.orgs.access import OrgRequest, org_view
from apps.orgs.roles import Role
from apps.posts import editor_tabs
from apps.posts.access import approval_required, can_approve, get_post
from apps.posts.views import diff_segments
from apps.projects.access import get_project
from apps.projects.models import Project
from apps.variants import actions, fixes
from apps.variants import forms as variant_forms
from apps.variants.generation import brief_dict, examples
from apps.variants.lint import Draft, lint
from apps.variants.models import Brief, BriefStatus, Variant, VoiceExample
from viralforge.htmx import htmx_redirect, wants_partial

BRIEF = "variants/brief.html"
LIST = "variants/briefs.html"
VOICE = "variants/voice.html"
POST_TAB = "variants/post_tab.html"
PROPOSAL_NAMESPACE = "variants.rewrite"
TOKEN_MAX_AGE = 3600
POLL_MS = 500
# Until the first variant shows, the page asks twice as often: that first answer is what a user waits for.
FIRST_POLL_MS = 250


def _brief(org, project: Project, brief_id) -> Brief:
    return get_object_or_404(Brief.objects.for_org(org).filter(project=project), id=brief_id)


def _variant(org, project: Project, variant_id) -> Variant:
    return get_object_or_404(
        Variant.objects.for_org(org).filter(project=project).select_related("brief", "approved_by"), id=variant_id
    )


def _load(request: OrgRequest, project_slug: str, variant_id) -> tuple[Project, Variant]:
    project = get_project(request.org, project_slug)
    return project, _variant(request.org, project, variant_id)


# --- a variant's card ---------------------------------------------------------------------------


def card_context(request: OrgRequest, project: Project, variant: Variant, **extra) -> dict:
    draft = Draft.of(variant)
    base = reverse("variant_card", args=[request.org.slug, project.slug, variant.id])
    return {
        "variant": variant,
        "platform": platforms.platform(variant.platform),
        "findings": lint(draft, variant.platform, cta=variant.brief.cta or project.cta, policy=variant.policy),
        "counts": fixes.counts(draft, variant.platform),
        "caption": draft.caption(),
        "can_edit": request.membership.has_role(Role.EDITOR),
        "can_approve": approval_required(project) and can_approve(request.membership, project),
        "operations": {
            "tone": [(key, variant_forms.OPERATIONS[key][1]) for key in variant_forms.TONE_OPERATIONS],
            "length": [(key, variant_forms.OPERATIONS[key][1]) for key in variant_forms.LENGTH_OPERATIONS],
            "other": [(key, variant_forms.OPERATIONS[key][1]) for key in variant_forms.OTHER_OPERATIONS],
        },
        "urls": {
            "card": base,
            "edit": f"{base}edit/",
            "fix": f"{base}fix/",
            "rewrite": f"{base}rewrite/",
            "accept": f"{base}rewrite/accept/",
            "favourite": f"{base}favourite/",
            "approve": f"{base}approve/",
        },
        **extra,
    }


def _card(request: OrgRequest, project: Project, variant: Variant, *, status: int = 200, **extra) -> HttpResponse:
    context = card_context(request, project, variant, **extra)
    if wants_partial(request):
        return render(request, f"{BRIEF}#card", context, status=status)
    if status >= 400 and extra.get("error"):
        messages.error(request, extra["error"])
    page = _brief_context(request, project, variant.brief)
    return render(request, BRIEF, page | {"focus": context}, status=status)


def _after_write(request: OrgRequest, project: Project, variant: Variant, message: str) -> HttpResponse:
    if wants_partial(request):
        return _card(request, project, variant, notice=message)
    messages.success(request, message)
    return redirect(
        reverse("brief_detail", args=[request.org.slug, project.slug, variant.brief_id]) + f"#v-{variant.id}"
    )


def _refused(request: OrgRequest, project: Project, variant: Variant, error: actions.VariantError) -> HttpResponse:
    fresh = _variant(request.org, project, variant.id)
    return _card(request, project, fresh, status=error.status, error=str(error))


@require_GET
@org_view()
def variant_card(request: OrgRequest, project_slug: str, variant_id) -> HttpResponse:
    project, variant = _load(request, project_slug, variant_id)
    return _card(request, project, variant)


@require_POST
@org_view(Role.EDITOR)
def variant_fix(request: OrgRequest, project_slug: str, variant_id) -> HttpResponse:
    project, variant = _load(request, project_slug, variant_id)
    form = variant_forms.FixForm(request.POST)
    if not form.is_valid():
        return _card(request, project, variant, status=400, error=_("Unknown fix."))
    data = form.cleaned_data
    try:
        changes = fixes.apply(
            data["fix"],
            Draft.of(variant),
            variant.platform,
            cta=variant.brief.cta or project.cta,
            topic=variant.brief.topic,
            link_note=_link_note(variant.language),
        )
        saved, _changed = actions.do_save_variant(variant, version=data["version"], changes=changes, actor=request.user)
    except fixes.FixError as exc:
        return _card(request, project, variant, status=409, error=str(exc))
    except actions.VariantError as exc:
        return _refused(request, project, variant, exc)
    return _after_write(request, project, saved, _("Fixed."))


@require_http_methods(["GET", "POST"])
@org_view(Role.EDITOR)
def variant_edit(request: OrgRequest, project_slug: str, variant_id) -> HttpResponse:
    """GET: the card with the edit form. POST: save; lint and the policy check run again on the saved text."""
    project, variant = _load(request, project_slug, variant_id)
    if request.method == "GET":
        return _card(request, project, variant, edit=variant_forms.VariantEditForm.of(variant))
    form = variant_forms.VariantEditForm(request.POST, variant=variant)
    if not form.is_valid():
        return _card(request, project, variant, status=400, edit=form, error=_("Please correct the errors below."))
    try:
        saved, changed = actions.do_save_variant(
            variant, version=form.cleaned_data["version"], changes=form.changes(), actor=request.user
        )
    except actions.StaleVariant:
        # Nothing is lost: the current version is shown, the editor's input stays in the form, which now
        # names the current version (saving again replaces it knowingly).
        fresh = _variant(request.org, project, variant.id)
        data = request.POST.copy()
        data["version"] = str(fresh.version)
        error = _(
            "Someone else saved this variant first. Their version is shown above; your changes are kept in "
            "the form. Save again to replace their version with yours."
        )
        form = variant_forms.VariantEditForm(data, variant=fresh)
        form.is_valid()
        return _card(request, project, fresh, status=409, edit=form, error=error)
    except actions.VariantError as exc:
        return _refused(request, project, variant, exc)
    return _after_write(request, project, saved, _("Saved.") if changed else _("Nothing changed."))


def _link_note(language: str) -> str:
    from django.utils import translation

    with translation.override(language):
        return _("Link in bio.")


# --- rewrite (tone, length, operations) with a diff to accept or reject --------------------------


def rewrite_inputs(variant: Variant, project: Project, instruction: str) -> dict:
    return {
        "task": "Rewrite this caption variant following the editor's instruction; keep everything else.",
        "instruction": instruction,
        "variant": {
            "text": variant.text,
            "title": variant.title,
            "hashtags": list(variant.hashtags or []),
            "cta": variant.cta,
            "link_placement": variant.link_placement,
            "first_comment": variant.first_comment,
            "media_prompt": variant.media_prompt,
        },
        "brief": brief_dict(variant.brief),
        "platform": {
            "key": variant.platform,
            **platforms.platform(variant.platform).model_dump(
                include={"name", "caption_max", "title_max", "hashtags_max", "links_clickable", "first_comment"}
            ),
        },
        "variant_index": variant.index,
        "brand": {"name": project.name, "audience": project.audience, "cta": project.cta},
    }


@require_POST
@org_view(Role.EDITOR)
@rate_limit("variant_rewrite", lambda: getattr(settings, "VF_RATE_LIMIT_AI_IMPROVE", 30))
def variant_rewrite(request: OrgRequest, project_slug: str, variant_id) -> HttpResponse:
    project, variant = _load(request, project_slug, variant_id)
    form = variant_forms.RewriteForm(request.POST)
    if not form.is_valid():
        return _card(request, project, variant, status=400, error=_("Choose a rewrite."))
    operation = form.cleaned_data["operation"]
    instruction, label = variant_forms.OPERATIONS[operation]
    result = run_agent(
        request.org,
        "variants",
        rewrite_inputs(variant, project, instruction),
        project=project,
        language=variant.language,
        seed=variant.version,
    )
    if not result.ok:
        return _card(request, project, variant, status=409, error=result.error_message)
    output = result.output
    proposed = {
        "text": output.text,
        "title": output.title,
        "hashtags": list(dict.fromkeys(output.hashtags)),
        "cta": output.cta,
    }
    changes = {key: value for key, value in proposed.items() if getattr(variant, key) != value}
    if not changes or not output.text.strip():
        message = _("The AI suggested no change for this variant.")
        return _card(request, project, variant, status=409, error=message)
    token = signing.dumps(
        {"variant": str(variant.id), "changes": changes, "version": variant.version},
        salt=PROPOSAL_NAMESPACE,
        compress=True,
    )
    after = Draft.of(variant)
    for key, value in changes.items():
        setattr(after, key, value)
    diff = diff_segments(Draft.of(variant).caption(), after.caption())
    title_diff = diff_segments(variant.title, after.title) if "title" in changes else None
    return _card(
        request, project, variant, proposal={"label": label, "token": token, "diff": diff, "title_diff": title_diff}
    )


@require_POST
@org_view(Role.EDITOR)
def variant_rewrite_accept(request: OrgRequest, project_slug: str, variant_id) -> HttpResponse:
    project, variant = _load(request, project_slug, variant_id)
    form = variant_forms.AcceptForm(request.POST)
    try:
        if not form.is_valid():
            raise signing.BadSignature
        data = signing.loads(form.cleaned_data["token"], salt=PROPOSAL_NAMESPACE, max_age=TOKEN_MAX_AGE)
        changes = data["changes"]
        if (
            data.get("variant") != str(variant.id)
            or not isinstance(changes, dict)
            or set(changes) - set(actions.EDITABLE)
        ):
            raise signing.BadSignature
        saved, _changed = actions.do_save_variant(
            variant, version=int(data["version"]), changes=changes, actor=request.user
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return _card(
            request, project, variant, status=400, error=_("This suggestion has expired or is not valid. Ask again.")
        )
    except actions.VariantError as exc:
        return _refused(request, project, variant, exc)
    return _after_write(request, project, saved, _("Suggestion applied."))


@require_POST
@org_view(Role.EDITOR)
def variant_favourite(request: OrgRequest, project_slug: str, variant_id) -> HttpResponse:
    project, variant = _load(request, project_slug, variant_id)
    saved = actions.do_toggle_favourite(variant)
    return _after_write(
        request, project, saved, _("Marked as favourite.") if saved.favourite else _("No longer a favourite.")
    )


@require_POST
@org_view()
def variant_approve(request: OrgRequest, project_slug: str, variant_id) -> HttpResponse:
    project, variant = _load(request, project_slug, variant_id)
    form = variant_forms.VersionForm(request.POST)
    if not form.is_valid():
        return _card(request, project, variant, status=400, error=_("This variant changed meanwhile. Reload it."))
    try:
        saved = actions.do_toggle_approval(variant, membership=request.membership, version=form.cleaned_data["version"])
    except actions.VariantError as exc:
        return _refused(request, project, variant, exc)
    return _after_write(
        request, project, saved, _("Approved.") if saved.status == "approved" else _("Approval withdrawn.")
    )


# --- briefs ---------------------------------------------------------------------------------------


def _brief_context(request: OrgRequest, project: Project, brief: Brief) -> dict:
    variants = list(Variant.objects.for_org(request.org).filter(brief=brief).select_related("brief", "approved_by"))
    by_slot = {(v.platform, v.language, v.index): v for v in variants}
    groups = []
    for key in brief.platforms:
        cards = []
        for language in brief.languages:
            for index in range(1, brief.per_platform + 1):
                variant = by_slot.get((key, language, index))
                cards.append(card_context(request, project, variant) if variant else {"pending": (language, index)})
        groups.append({"platform": platforms.platform(key), "cards": cards})
    running = brief.status == BriefStatus.RUNNING
    return {
        "project": project,
        "brief": brief,
        "groups": groups,
        "made": len(variants),
        "expected": brief.expected,
        "running": running,
        "poll_ms": POLL_MS if variants else FIRST_POLL_MS,
        "results_url": reverse("brief_detail", args=[request.org.slug, project.slug, brief.id]),
        "briefs_url": reverse("variant_briefs", args=[request.org.slug, project.slug]),
    }


@require_GET
@org_view()
def brief_detail(request: OrgRequest, project_slug: str, brief_id) -> HttpResponse:
    project = get_project(request.org, project_slug)
    brief = _brief(request.org, project, brief_id)
    context = _brief_context(request, project, brief)
    template = f"{BRIEF}#results" if wants_partial(request) else BRIEF
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _list_context(request: OrgRequest, project: Project, **extra) -> dict:
    can_edit = request.membership.has_role(Role.EDITOR)
    return {
        "project": project,
        "briefs": Brief.objects.for_org(request.org).filter(project=project)[:20],
        "form": variant_forms.BriefForm(project=project) if can_edit else None,
        "can_edit": can_edit,
        "create_url": reverse("brief_create", args=[request.org.slug, project.slug]),
        "voice_url": reverse("voice_trainer", args=[request.org.slug, project.slug]),
        **extra,
    }


@require_GET
@org_view()
def variant_briefs(request: OrgRequest, project_slug: str) -> HttpResponse:
    project = get_project(request.org, project_slug)
    return render(request, LIST, _list_context(request, project))


@require_POST
@org_view(Role.EDITOR)
@rate_limit("variant_briefs", lambda: settings.VF_RATE_LIMIT_BRIEFS)
def brief_create(request: OrgRequest, project_slug: str) -> HttpResponse:
    project = get_project(request.org, project_slug)
    form = variant_forms.BriefForm(request.POST, project=project)
    error = ""
    if form.is_valid():
        try:
            brief = actions.do_create_brief(request.membership, project, language=get_language(), **form.cleaned_data)
        except actions.VariantError as exc:
            error, status = str(exc), exc.status
        else:
            return htmx_redirect(request, reverse("brief_detail", args=[request.org.slug, project.slug, brief.id]))
    else:
        status = 400
    context = _list_context(request, project, form=form, error=error)
    template = f"{LIST}#wizard" if wants_partial(request) else LIST
    return render(request, template, context, status=status)


@require_POST
@org_view(Role.EDITOR)
@rate_limit("variant_briefs", lambda: settings.VF_RATE_LIMIT_BRIEFS)
def post_variants(request: OrgRequest, project_slug: str, post_id) -> HttpResponse:
    project = get_project(request.org, project_slug)
    post = get_post(request.org, project, post_id)
    try:
        brief = actions.do_create_brief(
            request.membership,
            project,
            post=post,
            language=get_language(),
            **actions.brief_fields_from_post(post, project),
        )
    except actions.VariantError as exc:
        messages.error(request, str(exc))
        return redirect(reverse("post_detail", args=[request.org.slug, project.slug, post.id]))
    return redirect(reverse("brief_detail", args=[request.org.slug, project.slug, brief.id]))


@require_GET
@org_view()
def post_tab_variants(request: OrgRequest, project_slug: str, post_id) -> HttpResponse:
    """The post editor's "Variants" tab (apps.posts.editor_tabs): this post's briefs, and one click for new ones."""
    project, post = editor_tabs.load(request, project_slug, post_id)
    briefs = list(Brief.objects.for_org(request.org).filter(project=project, post=post)[:10])
    counts = dict(
        Variant.objects.for_org(request.org)
        .filter(brief__in=[brief.id for brief in briefs])
        .values_list("brief")
        .annotate(n=Count("id"))
        .values_list("brief", "n")
    )
    context = {
        "project": project,
        "post": post,
        "briefs": [(brief, counts.get(brief.id, 0)) for brief in briefs],
        "can_edit": request.membership.has_role(Role.EDITOR),
        "create_url": reverse("post_variants", args=[request.org.slug, project.slug, post.id]),
    }
    return editor_tabs.render_tab(request, project, post, "variants", f"{POST_TAB}#tab", context)


# --- the brand-voice trainer ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@org_view()
def voice_trainer(request: OrgRequest, project_slug: str) -> HttpResponse:
    project = get_project(request.org, project_slug)
    can_train = request.membership.has_role(Role.ADMIN)  # the brand voice is an admin's setting
    form, status, error = variant_forms.VoiceTrainerForm(), 200, ""
    if request.method == "POST":
        if not can_train:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        form = variant_forms.VoiceTrainerForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                actions.do_train_voice(project, form.cleaned_data["example_list"], language=project.language)
            except actions.VariantError as exc:
                error, status = str(exc), exc.status
            else:
                messages.success(request, _("The brand voice was updated from the examples."))
                return redirect(reverse("voice_trainer", args=[request.org.slug, project.slug]))
        else:
            status = 400
    context = {
        "project": project,
        "form": form if can_train else None,
        "error": error,
        "voice": BrandVoice.objects.for_org(request.org).filter(project=project).first(),
        "examples": examples(project),
        "example_count": VoiceExample.objects.for_org(request.org).filter(project=project).count(),
        "briefs_url": reverse("variant_briefs", args=[request.org.slug, project.slug]),
    }
    return render(request, VOICE, context, status=status)
