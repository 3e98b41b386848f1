"""The Accounts page (connect, reconnect, disconnect, project access), the OAuth callback and the
platform webhook.

Members see the accounts; admins and owners connect, reconnect, disconnect and choose the
projects. The callback is a fixed URL (registered with the platform), so it finds the
organization through the signed state and checks the membership itself.
"""

import json
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_POST

from apps.core import clock
from apps.core.reasons import render as render_reason
from apps.orgs.access import OrgRequest, get_membership, org_view
from apps.orgs.models import Organization
from apps.orgs.roles import Role
from apps.projects.models import Project
from apps.social import actions, oauth, reasons
from apps.social.access import get_account
from apps.social.models import SocialAccount
from apps.social.platforms import get_platform, platforms
from apps.social.webhooks import SignatureError, verify_signature

logger = logging.getLogger("viralforge.social")

PAGE = "social/accounts.html"


def _context(request: OrgRequest, **extra) -> dict:
    org = request.org
    accounts = list(
        SocialAccount.objects.for_org(org).select_related("token", "connected_by").prefetch_related("projects")
    )
    return {
        "accounts": accounts,
        "platforms": list(platforms().values()),
        "projects": list(Project.objects.for_org(org).order_by("name")),
        "can_manage": request.membership.has_role(Role.ADMIN),
        "now": clock.now(),
    } | extra


@require_GET
@org_view()
def account_list(request: OrgRequest) -> HttpResponse:
    return render(request, PAGE, _context(request))


def _row(request: OrgRequest, account: SocialAccount, status: int = 200, **extra) -> HttpResponse:
    account = get_account(request.org, account.id)
    context = _context(request, account=account, **extra)
    return render(request, f"{PAGE}#account_card", context, status=status)


def _start(request: OrgRequest, platform_key: str) -> HttpResponse:
    try:
        platform = get_platform(platform_key)
    except LookupError:
        raise Http404 from None
    if not platform.is_configured():
        messages.error(request, render_reason(reasons.NOT_CONFIGURED.reason(platform=platform.label)))
        return redirect("social_accounts", request.org.slug)
    return redirect(oauth.begin(request, request.org, platform.key))


@require_POST
@org_view(Role.ADMIN)
def account_connect(request: OrgRequest, platform: str) -> HttpResponse:
    return _start(request, platform)


@require_POST
@org_view(Role.ADMIN)
def account_reconnect(request: OrgRequest, account_id) -> HttpResponse:
    account = get_account(request.org, account_id)
    return _start(request, account.platform)


@require_POST
@org_view(Role.ADMIN)
def account_disconnect(request: OrgRequest, account_id) -> HttpResponse:
    account = get_account(request.org, account_id)
    try:
        actions.do_disconnect_account(account, actor=request.user)
    except actions.SocialError as exc:
        if request.htmx:
            return _row(request, account, 409, row_error=str(exc))
        messages.error(request, str(exc))
        return redirect("social_accounts", request.org.slug)
    messages.success(request, _("%(account)s disconnected.") % {"account": account})
    if request.htmx:
        return _row(request, account)
    return redirect("social_accounts", request.org.slug)


@require_POST
@org_view(Role.ADMIN)
def account_projects(request: OrgRequest, account_id) -> HttpResponse:
    account = get_account(request.org, account_id)
    try:
        actions.do_set_account_projects(account, request.POST.getlist("projects"), actor=request.user)
    except actions.SocialError as exc:
        if request.htmx:
            return _row(request, account, 400, row_error=str(exc))
        messages.error(request, str(exc))
        return redirect("social_accounts", request.org.slug)
    messages.success(request, _("Projects saved."))
    if request.htmx:
        return _row(request, account)
    return redirect("social_accounts", request.org.slug)


def _callback_error(request, reason, status: int = 400) -> HttpResponse:
    return render(request, "social/oauth_error.html", {"message": render_reason(reason)}, status=status)


@require_GET
@login_required
@sensitive_variables()
def oauth_callback(request, platform: str) -> HttpResponse:
    """Where the platform sends the browser back: `?code&scopes&state` or `?error&error_description&state`."""
    if platform not in platforms():
        raise Http404
    state = oauth.read_state(request.GET.get("state", ""))
    if state is None or state["p"] != platform:
        return _callback_error(request, reasons.STATE_INVALID.reason())
    org = Organization.objects.filter(id=state["o"]).first()
    if org is None:
        raise Http404
    membership = get_membership(request.user, org.slug)  # outsiders: 404
    if not membership.has_role(Role.ADMIN):
        raise PermissionDenied
    attempt = oauth.take_attempt(request, state)
    if attempt is None:
        return _callback_error(request, reasons.STATE_INVALID.reason())
    try:
        account = oauth.finish(org, attempt, request.GET, actor=request.user)
    except oauth.ConnectFailed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(account)s is connected.") % {"account": account})
    return redirect("social_accounts", org.slug)


@csrf_exempt
@require_POST
def webhook(request, platform: str) -> HttpResponse:
    """Platform → us: verified with the client secret (TikTok-Signature), then recorded."""
    if platform not in platforms() or not settings.VF_TIKTOK_CLIENT_SECRET:
        raise Http404
    raw = request.body
    try:
        sent_at = verify_signature(raw, request.headers.get("TikTok-Signature", ""), settings.VF_TIKTOK_CLIENT_SECRET)
    except SignatureError as exc:
        logger.warning("Webhook refused: %s", exc)
        return JsonResponse({"error": "invalid_signature"}, status=401)
    try:
        payload = json.loads(raw)
    except ValueError:
        return JsonResponse({"error": "invalid_json"}, status=400)
    if not isinstance(payload, dict) or payload.get("client_key") not in (None, settings.VF_TIKTOK_CLIENT_KEY):
        return JsonResponse({"error": "unknown_client"}, status=400)
    actions.do_record_webhook_event(platform, payload, sent_at)
    return JsonResponse({})
