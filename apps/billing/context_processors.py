from apps.billing.services import soft_limit_kinds


def soft_limit_banner(request):
    """On an organization's pages: the kinds whose monthly usage crossed the plan's soft limit."""
    org = getattr(request, "org", None)
    if org is None or getattr(request, "membership", None) is None:
        return {}

    def kinds():
        return soft_limit_kinds(org)

    return {"billing_soft_limits": kinds}
