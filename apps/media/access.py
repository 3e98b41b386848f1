import uuid

from django.http import Http404
from django.shortcuts import get_object_or_404

from apps.media.models import Asset
from apps.orgs.models import Organization


def get_asset(org: Organization, asset_id) -> Asset:
    """The organization's asset with this id, or 404 (missing and "not yours" alike)."""
    try:
        asset_id = uuid.UUID(str(asset_id))
    except ValueError:
        raise Http404 from None
    return get_object_or_404(Asset.objects.for_org(org).select_related("organization", "project"), id=asset_id)
