from apps.orgs.models import Membership
from apps.orgs.roles import Role


def organizations(request):
    """The header's organization switcher: the user's organizations and the active one."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def memberships():
        return list(Membership.objects.filter(user=user).select_related("organization").order_by("organization__name"))

    membership = getattr(request, "membership", None)
    return {
        "my_memberships": memberships,
        "active_org": getattr(request, "org", None),
        "can_manage_org": membership is not None and membership.has_role(Role.ADMIN),
        "can_edit_org": membership is not None and membership.has_role(Role.EDITOR),
    }
