"""The project dashboard's licence panel: assets of the project whose licence has ended or ends soon."""

from datetime import timedelta

from django.conf import settings
from django.urls import reverse

from apps.media.usage import expiring_assets, licence_today
from apps.projects.extensions import Panel, add_dashboard_panel


def licence_panel(request, project) -> dict:
    today = licence_today()
    soon = today + timedelta(days=settings.VF_MEDIA_EXPIRY_WARNING_DAYS)
    assets = list(expiring_assets(request.org, project=project))
    return {
        "expired_count": sum(1 for asset in assets if asset.licensed_until < today),
        "expiring_count": sum(1 for asset in assets if today <= asset.licensed_until <= soon),
        "warning_days": settings.VF_MEDIA_EXPIRY_WARNING_DAYS,
        "filter_url": reverse("media_library", args=[request.org.slug]) + f"?project={project.pk}&",
    }


def register() -> None:
    add_dashboard_panel(Panel("licences", 5, "media/_expiry_warning.html", licence_panel))
