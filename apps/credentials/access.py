import uuid

from django.http import Http404
from django.shortcuts import get_object_or_404

from apps.credentials.models import ProviderCredential
from apps.orgs.models import Organization


def get_credential(org: Organization, credential_id) -> ProviderCredential:
    """The organization's credential with this id, or 404 (missing and "not yours" alike)."""
    try:
        credential_id = uuid.UUID(str(credential_id))
    except ValueError:
        raise Http404 from None
    return get_object_or_404(
        ProviderCredential.objects.for_org(org).select_related("project", "created_by"), id=credential_id
    )
