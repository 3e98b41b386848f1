"""Response headers every page gets beside the Content-Security-Policy (django-csp sets that one)."""

from allauth.account import views as allauth_views
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers, patch_vary_headers

from apps.accounts import login_limits
from apps.billing.ratelimit import too_many_requests

# Features no ViralForge page uses: a page (or an injected frame) may not ask for them.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    """`Permissions-Policy` everywhere; `Cache-Control: no-store` on pages for a signed-in user.

    Pages behind a login (or a review link) hold tenant data: no browser or proxy cache may keep
    them, so Back after Sign out shows nothing. Must come after AuthenticationMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or getattr(request, "private_page", False):
            add_never_cache_headers(response)
            patch_vary_headers(response, ("Cookie",))
        return response


def login(request: HttpRequest) -> HttpResponse:
    """allauth's sign-in page, answered with 429 while this IP is blocked for failing too often."""
    if request.method == "POST":
        blocked = login_limits.ip_blocked_seconds(request)
        if blocked:
            return too_many_requests(request, blocked)
    return allauth_views.login(request)
