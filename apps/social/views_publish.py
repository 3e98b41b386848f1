"""Publishing pages: the composer of a post (TikTok's content sharing rules), the publishing queue of
an organization and of a project, retry, and the project's publishing settings.

Members see; editors compose, publish and retry; admins change the project's mode.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.core import clock
from apps.orgs.access import OrgRequest, org_view
from apps.orgs.roles import Role
from apps.posts import editor_tabs
from apps.posts.access import get_post
from apps.posts.models import CommercialContent
from apps.projects.access import get_project
from apps.social.models import AccountStatus, Publication, PublishMode, PublishState, SocialAccount
from apps.social.publish import actions
from apps.social.publish.forms import ComposerForm, PublishSettingsForm
from apps.social.publish.gates import local_gates
from apps.social.publish.video import current_video

COMPOSER = "social/publish.html"
QUEUE = "social/publishing.html"


def _partial(request, template: str, part: str) -> str:
    return f"{template}#{part}" if request.htmx else template


def _accounts(org, project) -> list[SocialAccount]:
    return list(SocialAccount.objects.for_org(org).filter(projects=project, status=AccountStatus.CONNECTED))


def _composer_context(request: OrgRequest, project, post, form=None, **extra) -> dict:
    publication = Publication.objects.for_org(request.org).filter(post=post).select_related(
        "account", "consent_by", "published_by").first()  # fmt: skip
    mode = actions.settings_for(project).mode
    accounts = _accounts(request.org, project)
    branded = post.commercial_content == CommercialContent.PAID_PARTNERSHIP
    if form is None:
        initial = {"title": post.caption}
        if publication is not None:
            initial = {"title": publication.title, "account": str(publication.account_id)}
        form = ComposerForm(initial=initial, accounts=accounts, mode=mode, branded=branded)
    video = current_video(post)
    account = form.chosen_account()
    blockers = []
    if publication is not None and publication.state == PublishState.BLOCKED:
        blockers = (publication.last_status or {}).get("gates") or [publication.failure]
    elif account is not None:
        probe = publication or Publication(organization_id=post.organization_id, project=project, post=post,
                                           account=account, mode=mode, title=post.caption)  # fmt: skip
        probe.account = account
        blockers = [r.as_dict() for r in local_gates(probe, video) if r.code not in ("publish.gate.no_consent",
                    "publish.gate.privacy", "publish.gate.caption")]  # fmt: skip
    url = reverse("post_publish", args=[request.org.slug, project.slug, post.id])
    return {
        "project": project, "post": post, "publication": publication, "form": form, "account": account,
        "mode": mode, "is_direct": mode == PublishMode.DIRECT, "video": video, "blockers": blockers,
        "branded": branded, "own_brand": post.commercial_content == CommercialContent.OWN_BRAND,
        "is_aigc": bool(video and video.is_aigc) or post.ai_generated,
        "can_publish": request.membership.has_role(Role.EDITOR), "url": url,
        "retry_url": reverse("post_publish_retry", args=[request.org.slug, project.slug, post.id]),
        "post_url": reverse("post_detail", args=[request.org.slug, project.slug, post.id]),
        "slot": actions.slot_moment(post), "editable": publication is None or publication.state in
        actions.EDITABLE_STATES,
    } | extra  # fmt: skip


@require_http_methods(["GET", "POST"])
@org_view()
def post_publish(request: OrgRequest, project_slug: str, post_id) -> HttpResponse:
    project = get_project(request.org, project_slug)
    post = get_post(request.org, project, post_id)
    if request.method == "GET":
        return render(request, _partial(request, COMPOSER, "composer"), _composer_context(request, project, post))
    if not request.membership.has_role(Role.EDITOR):
        raise PermissionDenied
    mode = actions.settings_for(project).mode
    branded = post.commercial_content == CommercialContent.PAID_PARTNERSHIP
    form = ComposerForm(request.POST, accounts=_accounts(request.org, project), mode=mode, branded=branded)
    if not form.is_valid():
        context = _composer_context(request, project, post, form=form)
        return render(request, _partial(request, COMPOSER, "composer"), context, status=400)
    now = request.POST.get("when") == "now"
    try:
        actions.do_save_composer(post, form.chosen_account(), form.choices(), actor=request.user, publish_now=now)
    except actions.PublishError as exc:
        context = _composer_context(request, project, post, form=form, error=str(exc))
        return render(request, _partial(request, COMPOSER, "composer"), context, status=exc.status)
    messages.success(request, _("Publishing started.") if now else _("Scheduled for the post's slot."))
    url = reverse("post_publish", args=[request.org.slug, project.slug, post.id])
    if request.htmx:
        return render(request, f"{COMPOSER}#composer", _composer_context(request, project, post))
    return redirect(url)


@require_GET
@org_view()
def post_tab_publish(request: OrgRequest, project_slug: str, post_id) -> HttpResponse:
    """The composer as the post editor's "Publish" tab (apps.posts.editor_tabs)."""
    project, post = editor_tabs.load(request, project_slug, post_id)
    context = _composer_context(request, project, post)
    return editor_tabs.render_tab(request, project, post, "publish", f"{COMPOSER}#composer", context)


@require_POST
@org_view(Role.EDITOR)
def post_publish_retry(request: OrgRequest, project_slug: str, post_id) -> HttpResponse:
    project = get_project(request.org, project_slug)
    post = get_post(request.org, project, post_id)
    publication = Publication.objects.for_org(request.org).filter(post=post).first()
    if publication is None:
        raise Http404
    try:
        actions.do_retry_publication(publication, actor=request.user)
    except actions.PublishError as exc:
        context = _composer_context(request, project, post, error=str(exc))
        return render(request, _partial(request, COMPOSER, "composer"), context, status=exc.status)
    messages.success(request, _("Publishing started again."))
    return redirect("post_publish", request.org.slug, project.slug, post.id)


def _queue_context(request: OrgRequest, project=None) -> dict:
    rows = Publication.objects.for_org(request.org).select_related("post", "project", "account", "consent_by")
    if project is not None:
        rows = rows.filter(project=project)
    groups = [
        ("scheduled", _("Scheduled"), (PublishState.SCHEDULED,)),
        ("active", _("In progress"), (PublishState.QUEUED, PublishState.INITIALIZED, PublishState.UPLOADING,
                                      PublishState.PROCESSING)),
        ("published", _("Published"), (PublishState.PUBLISHED,)),
        ("inbox", _("In the creator's inbox"), (PublishState.IN_INBOX,)),
        ("failed", _("Failed or blocked"), (PublishState.FAILED, PublishState.BLOCKED, PublishState.MISSED)),
    ]  # fmt: skip
    found = list(rows.order_by("scheduled_for")[:500])
    return {
        "project": project, "now": clock.now(),
        "groups": [(key, label, [p for p in found if p.state in states]) for key, label, states in groups],
        "settings_form": PublishSettingsForm(instance=actions.settings_for(project)) if project else None,
        "can_admin": request.membership.has_role(Role.ADMIN),
    }  # fmt: skip


@require_GET
@org_view()
def publishing_queue(request: OrgRequest) -> HttpResponse:
    return render(request, _partial(request, QUEUE, "queue"), _queue_context(request))


@require_GET
@org_view()
def project_publishing(request: OrgRequest, project_slug: str) -> HttpResponse:
    project = get_project(request.org, project_slug)
    return render(request, _partial(request, QUEUE, "queue"), _queue_context(request, project))


@require_POST
@org_view(Role.ADMIN)
def project_publishing_settings(request: OrgRequest, project_slug: str) -> HttpResponse:
    project = get_project(request.org, project_slug)
    form = PublishSettingsForm(request.POST, instance=actions.settings_for(project))
    if not form.is_valid():
        context = _queue_context(request, project) | {"settings_form": form}
        return render(request, _partial(request, QUEUE, "settings"), context, status=400)
    data = form.cleaned_data
    actions.do_save_publish_settings(project, mode=data["mode"],
                                     catch_up_minutes=data["catch_up_minutes"], actor=request.user)  # fmt: skip
    messages.success(request, _("Publishing settings saved."))
    return redirect("project_publishing", request.org.slug, project.slug)
