import uuid

from django.http import Http404
from django.shortcuts import get_object_or_404

from apps.orgs.models import Organization
from apps.social.models import SocialAccount


def get_account(org: Organization, account_id) -> SocialAccount:
    """The organization's social account with this id, or 404 (missing and "not yours" alike)."""
    try:
        account_id = uuid.UUID(str(account_id))
    except ValueError:
        raise Http404 from None
    return get_object_or_404(SocialAccount.objects.for_org(org).select_related("token"), id=account_id)
