"""Credentials pages (admins and owners): list, add, replace, revoke, test connection, rotation policy.

After entry a secret is never shown again: pages only carry its mask and metadata.
"""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_POST

from apps.billing.ratelimit import rate_limit
from apps.core.forms import first_error
from apps.credentials import actions
from apps.credentials.access import get_credential
from apps.credentials.forms import AddCredentialForm, ReplaceCredentialForm, RotationPolicyForm
from apps.credentials.models import PROVIDER_SPECS, CredentialPolicy, ProviderCredential
from apps.orgs.access import OrgRequest, org_view
from apps.orgs.roles import Role

PAGE = "credentials/list.html"


def _mark_stale(credentials, policy: CredentialPolicy):
    now = timezone.now()
    for credential in credentials:
        credential.stale = policy.is_stale(credential, now)
    return credentials


def _context(request: OrgRequest, **extra) -> dict:
    org = request.org
    policy = CredentialPolicy.current(org)
    credentials = list(
        ProviderCredential.objects.for_org(org)
        .select_related("project", "created_by")
        .order_by("status", "provider", "project__name", "-created_at")
    )
    return {
        "credentials": _mark_stale(credentials, policy),
        "policy": policy,
        "add_form": AddCredentialForm(org=org),
        "policy_form": RotationPolicyForm(initial={"max_age_days": policy.max_age_days}),
        "specs": PROVIDER_SPECS,
        "now": timezone.now(),
    } | extra


def _page(request: OrgRequest, status: int = 200, **extra) -> HttpResponse:
    template = f"{PAGE}#panel" if request.htmx and not request.htmx.boosted else PAGE
    return render(request, template, _context(request, **extra), status=status)


def _row(request: OrgRequest, credential: ProviderCredential, status: int = 200, **extra) -> HttpResponse:
    credential = get_credential(request.org, credential.id)  # fresh, with what the action recorded
    policy = CredentialPolicy.current(request.org)
    _mark_stale([credential], policy)
    context = {"credential": credential, "policy": policy, "specs": PROVIDER_SPECS, "now": timezone.now()} | extra
    return render(request, f"{PAGE}#credential_row", context, status=status)


def _row_change_answer(request: OrgRequest, credential, error: str, error_status: int, done: str) -> HttpResponse:
    """After a change to one key: its row (HTMX) or the page, with `error` in place, else `done` as a message."""
    if not error:
        messages.success(request, done)
    if request.htmx:
        return _row(request, credential, error_status if error else 200, row_error=error)
    if error:
        return _page(request, error_status, page_error=error)
    return redirect("credential_list", request.org.slug)


@require_GET
@org_view(Role.ADMIN)
def credential_list(request: OrgRequest) -> HttpResponse:
    return _page(request)


@require_POST
@sensitive_post_parameters("secret", "identifier")
@org_view(Role.ADMIN)
@sensitive_variables()
def credential_add(request: OrgRequest) -> HttpResponse:
    form = AddCredentialForm(request.POST, org=request.org)
    if form.is_valid():
        data = form.cleaned_data
        try:
            credential = actions.do_add_credential(
                request.org,
                provider=data["provider"],
                mode=data["mode"],
                secret=data["secret"],
                identifier=data["identifier"],
                label=data["label"],
                project=data["project"],
                actor=request.user,
            )
        except actions.CredentialError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("%(credential)s saved.") % {"credential": credential})
            if request.htmx:
                return _page(request)
            return redirect("credential_list", request.org.slug)
    return _page(request, 400, add_form=form)


@require_POST
@sensitive_post_parameters("secret", "identifier")
@org_view(Role.ADMIN)
@sensitive_variables()
def credential_replace(request: OrgRequest, credential_id) -> HttpResponse:
    credential = get_credential(request.org, credential_id)
    form = ReplaceCredentialForm(request.POST)
    error = ""
    if not form.is_valid():
        error = first_error(form)
    else:
        try:
            actions.do_replace_credential(
                credential,
                secret=form.cleaned_data["secret"],
                identifier=form.cleaned_data["identifier"],
                actor=request.user,
            )
        except actions.CredentialError as exc:
            error = str(exc)
    return _row_change_answer(request, credential, error, 400, _("Key replaced."))


@require_POST
@org_view(Role.ADMIN)
def credential_revoke(request: OrgRequest, credential_id) -> HttpResponse:
    credential = get_credential(request.org, credential_id)
    error = ""
    try:
        actions.do_revoke_credential(credential, actor=request.user)
    except actions.CredentialError as exc:
        error = str(exc)
    return _row_change_answer(request, credential, error, 409, _("Key revoked."))


@require_POST
@org_view(Role.ADMIN)
@rate_limit("credential_test", lambda: settings.VF_RATE_LIMIT_CREDENTIAL_TESTS)
def credential_test(request: OrgRequest, credential_id) -> HttpResponse:
    credential = get_credential(request.org, credential_id)
    try:
        outcome = actions.do_test_credential(credential)
    except actions.CredentialError as exc:
        if request.htmx:
            return _row(request, credential, 409, row_error=str(exc))
        return _page(request, 409, page_error=str(exc))
    if request.htmx:
        return _row(request, credential, test_outcome=outcome)
    (messages.success if outcome.ok else messages.warning if outcome.ok is None else messages.error)(
        request, outcome.message
    )
    return redirect("credential_list", request.org.slug)


@require_POST
@org_view(Role.ADMIN)
def credential_policy(request: OrgRequest) -> HttpResponse:
    form = RotationPolicyForm(request.POST)
    if form.is_valid():
        try:
            actions.do_set_rotation_policy(request.org, form.cleaned_data["max_age_days"], actor=request.user)
        except actions.CredentialError as exc:
            form.add_error("max_age_days", str(exc))
        else:
            messages.success(request, _("Rotation policy saved."))
            if request.htmx:
                return _page(request)
            return redirect("credential_list", request.org.slug)
    return _page(request, 400, policy_form=form)
