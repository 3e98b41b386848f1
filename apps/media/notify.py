"""The daily reminder: admins and owners hear once about each licence that ends within the warning window."""

from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from apps.media.actions import do_mark_expiry_announced
from apps.media.models import Asset
from apps.media.usage import expiring_assets, licence_today
from apps.orgs.models import Membership, Organization
from apps.orgs.roles import Role


def _unannounced(org: Organization) -> list[Asset]:
    return [asset for asset in expiring_assets(org) if asset.expiry_notice_sent_for != asset.licensed_until]


def notify_expiring_licences() -> int:
    """E-mail each organization's admins and owners about licences not yet announced; returns the mails sent.

    Idempotent: an asset is marked with the date it was announced for, so a rerun (or a retry after a
    crash between sending and marking, at worst) sends nothing new; a changed date is announced again.
    """
    org_ids = (
        Asset.objects.unscoped()
        .filter(licensed_until__isnull=False, licensed_until__gte=licence_today())
        .values_list("organization_id", flat=True)
        .distinct()
    )
    sent = 0
    for org in Organization.objects.filter(id__in=list(org_ids)).order_by("id"):
        assets = [asset for asset in _unannounced(org) if asset.licensed_until >= licence_today()]
        if not assets:
            continue
        sent += _send(org, assets)
        do_mark_expiry_announced(org, assets)
    return sent


def _send(org: Organization, assets: list[Asset]) -> int:
    admins = (
        Membership.objects.for_org(org)
        .filter(role__in=[Role.OWNER, Role.ADMIN])
        .select_related("user")
        .order_by("created_at")
    )
    by_language: dict[str, list[str]] = defaultdict(list)
    for membership in admins:
        by_language[membership.user.language or settings.LANGUAGE_CODE].append(membership.user.email)
    link = settings.VF_BASE_URL.rstrip("/") + reverse("media_library", args=[org.slug]) + "?licence=expiring"
    for language, recipients in by_language.items():
        with translation.override(language):
            context = {"org": org, "assets": assets, "link": link, "days": settings.VF_MEDIA_EXPIRY_WARNING_DAYS}
            subject = _("%(org)s: licences that expire soon") % {"org": org.name}
            body = render_to_string("media/email/expiring.txt", context)
        send_mail(subject, body, None, recipients)
    return len(by_language)
