"""HTMX helpers shared by every app."""

from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string


def wants_partial(request: HttpRequest) -> bool:
    """An HTMX request that swaps part of the page (not a boosted link, not a history restore)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def htmx_redirect(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """`redirect()` that also works for HTMX requests, as a full page navigation (HX-Redirect)."""
    response = redirect(*args, **kwargs)
    if getattr(request, "htmx", False):
        htmx_response = HttpResponse(status=204)
        htmx_response["HX-Redirect"] = response["Location"]
        return htmx_response
    return response


class HtmxMessagesMiddleware:
    """Show messages added during an HTMX request at once, swapped out-of-band into #messages.

    Without this they would wait in the session and surface on some later page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(request, "htmx", False) or "HX-Redirect" in response or "HX-Location" in response:
            return response
        if response.streaming or response.status_code in (204, 304) or 300 <= response.status_code < 400:
            return response
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        storage = get_messages(request)
        if not len(storage):
            return response
        html = render_to_string("_messages.html", {"messages": storage, "oob": True}, request=request)
        response.content += html.encode(response.charset)
        return response
