"""The asset library pages: library (grid/list, filters, previews, licence badges), upload, asset details
with its licence, delete, the organization's licence rule, and the signed file links."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from apps.billing.services import get_plan
from apps.media import actions, links, serving
from apps.media.access import get_asset
from apps.media.forms import AssetForm, LibraryFilterForm, PolicyForm, UploadForm
from apps.media.models import Asset, LicenceState, MediaPolicy
from apps.media.usage import expiring_assets, licence_today
from apps.orgs.access import OrgRequest, org_view
from apps.orgs.roles import Role
from viralforge.htmx import htmx_redirect

LIBRARY = "media/library.html"
UPLOAD = "media/upload.html"
DETAIL = "media/asset.html"
PAGE_SIZE = 24  # cards with players and previews: a page stays light in the browser too


def _with_links(request: OrgRequest, assets, today) -> list[Asset]:
    """Each asset gets its licence state and signed links for this member (previews, players)."""
    for asset in assets:
        asset.state = asset.licence_state(today)
        asset.preview_url = links.signed_url(asset, request.user, part="preview") if asset.preview else ""
        asset.file_url = links.signed_url(asset, request.user)
    return assets


def _licence_filter(state: str, today) -> Q:
    soon = today + timedelta(days=_warning_days())
    licensed = ~Q(licence_type="")
    return {
        LicenceState.MISSING: Q(licence_type=""),
        LicenceState.EXPIRED: licensed & Q(licensed_until__lt=today),
        LicenceState.EXPIRING: licensed & Q(licensed_until__gte=today, licensed_until__lte=soon),
        LicenceState.VALID: licensed & (Q(licensed_until__isnull=True) | Q(licensed_until__gt=soon)),
    }[state]


def _warning_days() -> int:
    from django.conf import settings

    return settings.VF_MEDIA_EXPIRY_WARNING_DAYS


def _library_context(request: OrgRequest, **extra) -> dict:
    org = request.org
    today = licence_today()
    filters = LibraryFilterForm(request.GET or None, org=org)
    assets = Asset.objects.for_org(org).select_related("organization", "project")
    view = "grid"
    if filters.is_valid():
        data = filters.cleaned_data
        view = data["view"] or "grid"
        if data["q"]:
            term = data["q"].strip()
            assets = assets.filter(
                Q(name__icontains=term) | Q(tags__contains=[term.lower()]) | Q(attribution__icontains=term)
            )
        if data["kind"]:
            assets = assets.filter(kind=data["kind"])
        if data["project"]:
            assets = assets.filter(project=data["project"])
        if data["tag"]:
            assets = assets.filter(tags__contains=[data["tag"].strip().lower()])
        if data["licence"]:
            assets = assets.filter(_licence_filter(data["licence"], today))
    page = Paginator(assets.order_by("-created_at"), PAGE_SIZE).get_page(request.GET.get("page"))
    warnings = list(expiring_assets(org))
    return {
        "filters": filters,
        "page": page,
        "assets": _with_links(request, list(page.object_list), today),
        "view": view,
        "expired_count": sum(1 for asset in warnings if asset.licensed_until < today),
        "expiring_count": sum(1 for asset in warnings if asset.licensed_until >= today),
        "warning_days": _warning_days(),
        "can_edit": request.membership.has_role(Role.EDITOR),
        "can_manage": request.membership.has_role(Role.ADMIN),
        "policy": MediaPolicy.current(org),
        "storage_used": actions.storage_used(org),
        "plan": get_plan(org),
    } | extra


@require_GET
@org_view()
def media_library(request: OrgRequest) -> HttpResponse:
    template = f"{LIBRARY}#results" if request.htmx and not request.htmx.boosted else LIBRARY
    return render(request, template, _library_context(request))


@require_http_methods(["GET", "POST"])
@org_view(Role.EDITOR)
def media_upload(request: OrgRequest) -> HttpResponse:
    org = request.org
    if request.method == "GET":
        return render(request, UPLOAD, {"form": UploadForm(org=org)})
    form = UploadForm(request.POST, request.FILES, org=org)
    asset, error = None, None
    if form.is_valid():
        try:
            asset = actions.do_upload_asset(
                org, form.cleaned_data["file"], kind=form.cleaned_data["kind"],
                project=form.cleaned_data["project"], actor=request.user,
            )  # fmt: skip
        except actions.MediaError as exc:
            error = exc
    else:
        error = actions.MediaError(next(iter(form.errors.values()))[0])
    status = 201 if asset else 409 if error.code in ("duplicate", "storage_quota") else 400
    context = {
        "form": UploadForm(org=org, initial=form.cleaned_data if form.is_valid() else None),
        "result": {
            "asset": asset,
            "error": error,
            "name": request.FILES.get("file").name if "file" in request.FILES else "",
        },
    }
    if error and error.existing:
        _with_links(request, [error.existing], licence_today())
    if asset:
        _with_links(request, [asset], licence_today())
    template = f"{UPLOAD}#upload_result" if request.htmx else UPLOAD
    return render(request, template, context, status=status)


def _detail(request: OrgRequest, asset: Asset, form: AssetForm | None = None, status: int = 200, **extra):
    _with_links(request, [asset], licence_today())
    if form is None:
        form = AssetForm(
            org=request.org,
            initial={
                "name": asset.name, "project": asset.project, "tags": ", ".join(asset.tags),
                "licence_type": asset.licence_type, "licence_url": asset.licence_url,
                "attribution": asset.attribution, "licensed_until": asset.licensed_until,
                "licence_notes": asset.licence_notes,
            },
        )  # fmt: skip
    context = {
        "asset": asset,
        "form": form,
        "download_url": links.signed_url(asset, request.user, disposition="attachment"),
        "can_edit": request.membership.has_role(Role.EDITOR),
        "uses": asset.uses.select_related("post__project").order_by("-created_at")[:20],
    } | extra
    template = f"{DETAIL}#licence_panel" if request.htmx and not request.htmx.boosted else DETAIL
    return render(request, template, context, status=status)


@require_GET
@org_view()
def asset_detail(request: OrgRequest, asset_id) -> HttpResponse:
    return _detail(request, get_asset(request.org, asset_id))


@require_POST
@org_view(Role.EDITOR)
def asset_update(request: OrgRequest, asset_id) -> HttpResponse:
    asset = get_asset(request.org, asset_id)
    form = AssetForm(request.POST, org=request.org)
    if form.is_valid():
        try:
            actions.do_update_asset(asset, **form.cleaned_data)
        except actions.MediaError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved."))
            if request.htmx:
                return _detail(request, get_asset(request.org, asset.id))
            return redirect("asset_detail", request.org.slug, asset.id)
    return _detail(request, get_asset(request.org, asset.id), form, status=400)


@require_POST
@org_view(Role.EDITOR)
def asset_delete(request: OrgRequest, asset_id) -> HttpResponse:
    asset = get_asset(request.org, asset_id)
    try:
        actions.do_delete_asset(asset)
    except actions.MediaError as exc:
        return _detail(request, asset, status=409, page_error=str(exc))
    messages.success(request, _("“%(name)s” deleted.") % {"name": asset.name})
    return htmx_redirect(request, "media_library", request.org.slug)


@require_POST
@org_view(Role.ADMIN)
def media_policy(request: OrgRequest) -> HttpResponse:
    form = PolicyForm(request.POST)
    form.is_valid()  # a checkbox: always valid
    actions.do_set_media_policy(request.org, require_licence=form.cleaned_data.get("require_licence", False))
    messages.success(request, _("Licence rule saved."))
    return htmx_redirect(request, "media_library", request.org.slug)


@require_safe
@org_view()
def asset_file(request: OrgRequest, asset_id, token: str) -> HttpResponse:
    """The bytes behind a signed link: for the member it was issued to, until it expires."""
    asset = get_asset(request.org, asset_id)
    try:
        payload = links.verify(token, asset, request.user)
    except links.LinkRefused:
        raise PermissionDenied from None
    field = asset.file if payload["p"] == "file" else asset.preview
    if not field:
        raise PermissionDenied
    content_type = asset.content_type if payload["p"] == "file" else "image/jpeg"
    filename = asset.name if payload["p"] == "file" else f"{asset.name}.jpg"
    if serving.is_remote(field.storage):
        return serving.presigned_redirect(
            field.storage, field.name, content_type=content_type, disposition=payload["d"], filename=filename
        )
    return serving.stream_file(
        request, field.storage, field.name, content_type=content_type, disposition=payload["d"], filename=filename
    )
