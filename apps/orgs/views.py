from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.models import User
from apps.orgs import actions, extensions
from apps.orgs.access import OrgRequest, get_invitation, get_member, get_membership, org_view
from apps.orgs.forms import (
    AcceptInvitationForm,
    DeleteOrganizationForm,
    InviteForm,
    OrganizationNameForm,
    RoleForm,
    TransferOwnershipForm,
)
from apps.orgs.home import fallback_url
from apps.orgs.models import Invitation, Membership
from apps.orgs.roles import Role
from viralforge.htmx import htmx_redirect


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("account_login")
    memberships = Membership.objects.filter(user=request.user).select_related("organization")
    last = request.user.last_organization_id
    chosen = next((m for m in memberships if m.organization_id == last), None) or next(iter(memberships), None)
    if chosen is None:
        return redirect(fallback_url(request.user) or "org_create")
    return redirect("org_dashboard", chosen.organization.slug)


@login_required
@require_http_methods(["GET", "POST"])
def org_create(request: HttpRequest) -> HttpResponse:
    form = OrganizationNameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        org = actions.do_create_organization(request.user, form.cleaned_data["name"])
        messages.success(request, _("Organization %(name)s created.") % {"name": org.name})
        return redirect("org_dashboard", org.slug)
    return render(request, "orgs/create.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_POST
def org_switch(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request.user, request.POST.get("org", ""))
    actions.do_switch_organization(request.user, membership.organization)
    return redirect("org_dashboard", membership.organization.slug)


def _remember(request: OrgRequest) -> None:
    actions.do_switch_organization(request.user, request.org)


@require_GET
@org_view()
def org_dashboard(request: OrgRequest) -> HttpResponse:
    _remember(request)
    org = request.org
    context = {
        "member_count": Membership.objects.for_org(org).count(),
        "project_count": org.projects.count(),
        "projects": org.projects.all()[:10],
    } | extensions.dashboard_context(request)
    return render(request, "orgs/dashboard.html", context)


def _members_context(request: OrgRequest, invite_form=None) -> dict:
    org = request.org
    return {
        "members": Membership.objects.for_org(org).select_related("user").order_by("user__email"),
        "invitations": Invitation.objects.for_org(org).filter(accepted_at__isnull=True),
        "invite_form": invite_form or InviteForm(),
        "roles": [(value, str(label)) for value, label in Role.choices],
        "can_manage": request.membership.has_role(Role.ADMIN),
        "is_owner": request.membership.role == Role.OWNER,
        # The only owner cannot leave (do_leave_organization refuses): say why instead of a failing button.
        "sole_owner": request.membership.role == Role.OWNER
        and Membership.objects.for_org(org).filter(role=Role.OWNER).count() <= 1,
    }


@require_GET
@org_view()
def org_members(request: OrgRequest) -> HttpResponse:
    _remember(request)
    return render(request, "orgs/members.html", _members_context(request))


@require_POST
@org_view(Role.ADMIN)
def member_invite(request: OrgRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    status = 200
    if form.is_valid():
        try:
            invitation = actions.do_invite_member(
                request.membership, form.cleaned_data["email"], form.cleaned_data["role"]
            )
        except actions.OrgRuleError as error:
            form.add_error("email", str(error))
            status = 400
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            form = None
    else:
        status = 400
    if not request.htmx:
        return (
            redirect("org_members", request.org.slug)
            if status == 200
            else render(request, "orgs/members.html", _members_context(request, form), status=status)
        )
    return render(request, "orgs/members.html#invitations", _members_context(request, form), status=status)


def _member_row(request: OrgRequest, member: Membership, error: str = "", status: int = 200) -> HttpResponse:
    context = _members_context(request) | {"member": member, "row_error": error}
    return render(request, "orgs/members.html#member_row", context, status=status)


@require_POST
@org_view(Role.ADMIN)
def member_role(request: OrgRequest, membership_id) -> HttpResponse:
    member = get_member(request.org, membership_id)
    form = RoleForm(request.POST)
    error, status = "", 200
    if not form.is_valid():
        error, status = _("Choose a valid role."), 400
    else:
        try:
            actions.do_change_role(request.membership, member, form.cleaned_data["role"])
        except actions.OrgRuleError as exc:
            error, status = str(exc), 400
            member.refresh_from_db()
    if not request.htmx:
        (messages.error if error else messages.success)(request, error or _("Role updated."))
        return redirect("org_members", request.org.slug)
    return _member_row(request, member, error, status)


@require_POST
@org_view(Role.ADMIN)
def member_remove(request: OrgRequest, membership_id) -> HttpResponse:
    member = get_member(request.org, membership_id)
    # Decide before deleting: Django clears the primary key of a deleted instance.
    removed_self = member.id == request.membership.id
    try:
        actions.do_remove_member(request.membership, member)
    except actions.OrgRuleError as exc:
        if request.htmx:
            return _member_row(request, member, str(exc), 400)
        messages.error(request, str(exc))
        return redirect("org_members", request.org.slug)
    if removed_self:
        return htmx_redirect(request, "home")
    if request.htmx:
        response = HttpResponse("")
        response["HX-Trigger"] = "memberRemoved"
        return response
    messages.success(request, _("%(email)s was removed.") % {"email": member.user.email})
    return redirect("org_members", request.org.slug)


@require_POST
@org_view(Role.ADMIN)
def invitation_revoke(request: OrgRequest, invitation_id) -> HttpResponse:
    invitation = get_invitation(request.org, invitation_id)
    try:
        actions.do_revoke_invitation(invitation)
    except actions.OrgRuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Invitation to %(email)s revoked.") % {"email": invitation.email})
    if request.htmx:
        return render(request, "orgs/members.html#invitations", _members_context(request))
    return redirect("org_members", request.org.slug)


@require_POST
@org_view()
def org_leave(request: OrgRequest) -> HttpResponse:
    try:
        actions.do_leave_organization(request.membership)
    except actions.OrgRuleError as exc:
        messages.error(request, str(exc))
        return htmx_redirect(request, "org_members", request.org.slug)
    messages.success(request, _("You left %(name)s.") % {"name": request.org.name})
    return htmx_redirect(request, "home")


def _settings_page(request: OrgRequest, status: int = 200, **forms) -> HttpResponse:
    context = {
        "rename_form": forms.get("rename_form") or OrganizationNameForm(initial={"name": request.org.name}),
        "delete_form": forms.get("delete_form") or DeleteOrganizationForm(),
        "transfer_error": forms.get("transfer_error", ""),
        "is_owner": request.membership.role == Role.OWNER,
        "other_members": Membership.objects.for_org(request.org)
        .exclude(id=request.membership.id)
        .select_related("user")
        .order_by("user__email"),
    }
    return render(request, "orgs/settings.html", context, status=status)


@require_GET
@org_view(Role.ADMIN)
def org_settings(request: OrgRequest) -> HttpResponse:
    return _settings_page(request)


@require_POST
@org_view(Role.ADMIN)
def org_rename(request: OrgRequest) -> HttpResponse:
    form = OrganizationNameForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, 400, rename_form=form)
    actions.do_rename_organization(request.org, form.cleaned_data["name"])
    messages.success(request, _("Organization renamed."))
    return redirect("org_settings", request.org.slug)


@require_POST
@org_view(Role.OWNER)
def org_transfer(request: OrgRequest) -> HttpResponse:
    form = TransferOwnershipForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, 400, transfer_error=_("Choose a member."))
    new_owner = get_member(request.org, form.cleaned_data["member"])
    try:
        actions.do_transfer_ownership(request.membership, new_owner)
    except actions.OrgRuleError as exc:
        return _settings_page(request, 400, transfer_error=str(exc))
    messages.success(request, _("%(email)s is now an owner; you are an admin.") % {"email": new_owner.user.email})
    return redirect("org_members", request.org.slug)


@require_POST
@org_view(Role.OWNER)
def org_delete(request: OrgRequest) -> HttpResponse:
    form = DeleteOrganizationForm(request.POST)
    if form.is_valid():
        try:
            actions.do_delete_organization(request.org, form.cleaned_data["confirmation"])
        except actions.OrgRuleError as exc:
            form.add_error("confirmation", str(exc))
        else:
            messages.success(request, _("Organization %(name)s deleted.") % {"name": request.org.name})
            return redirect("home")
    return _settings_page(request, 400, delete_form=form)


def _invitation_by_token(token: str) -> Invitation:
    # The token is the secret that addresses the invitation: looking it up across organizations is the point.
    return get_object_or_404(Invitation.objects.unscoped().select_related("organization", "invited_by"), token=token)


def accept_invitation_flow(request: HttpRequest, invitation, *, template: str, accept, accept_as_new_user, error):
    """The accept page of an e-mailed invitation (members here, guest reviewers in apps.posts).

    Signed in: accept as that user. No account yet: choose a password, which creates the verified
    account and signs in. `accept(invitation, user)` and `accept_as_new_user(invitation, password, name)`
    raise `error` with a message for the page. Returns None once accepted (the caller redirects).
    """
    context = {"invitation": invitation}
    if invitation.accepted_at is not None or invitation.is_expired:
        return render(request, template, context | {"unusable": True}, status=410)
    has_account = User.objects.filter(email__iexact=invitation.email).exists()
    form = None
    if not request.user.is_authenticated and not has_account:
        form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    context |= {"form": form, "has_account": has_account}
    if request.method == "GET":
        return render(request, template, context)
    try:
        if request.user.is_authenticated:
            accept(invitation, request.user)
        elif form is not None and form.is_valid():
            user = accept_as_new_user(invitation, form.cleaned_data["password1"], form.cleaned_data["name"])
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        else:
            return render(request, template, context, status=400)
    except error as exc:
        return render(request, template, context | {"error": str(exc)}, status=400)
    return None


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _invitation_by_token(token)
    page = accept_invitation_flow(
        request,
        invitation,
        template="orgs/invitation.html",
        accept=actions.do_accept_invitation,
        accept_as_new_user=actions.do_accept_invitation_as_new_user,
        error=actions.OrgRuleError,
    )
    if page is not None:
        return page
    messages.success(request, _("Welcome to %(name)s!") % {"name": invitation.organization.name})
    return redirect("org_dashboard", invitation.organization.slug)
