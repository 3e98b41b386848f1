"""Form posts whose text is not valid UTF-8 are refused before any view sees them.

Django decodes form data with `errors="replace"`, so broken bytes would be stored as U+FFFD (or,
with a declared non-UTF-8 charset, as mojibake). This middleware parses the post with a strict
UTF-8 codec instead; a request with undecodable bytes gets 400 and a translated message, and
nothing changes. For HTMX the response swaps nothing but the message, so the form stays as typed.
"""

import codecs
from urllib.parse import unquote_to_bytes

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

STRICT_UTF8 = "vf-strict-utf-8"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _strict_decode(data, errors="strict"):
    # Django asks for errors="replace"; this codec exists to refuse exactly that.
    return codecs.utf_8_decode(data, "strict", True)


def _search(name: str):
    if name.replace("_", "-") != STRICT_UTF8:
        return None
    utf8 = codecs.lookup("utf-8")
    return codecs.CodecInfo(
        name=STRICT_UTF8,
        encode=utf8.encode,
        decode=_strict_decode,
        incrementalencoder=utf8.incrementalencoder,
        incrementaldecoder=utf8.incrementaldecoder,
        streamreader=utf8.streamreader,
        streamwriter=utf8.streamwriter,
    )


codecs.register(_search)


def _declared_charset_is_utf8(request: HttpRequest) -> bool:
    charset = request.content_params.get("charset")
    if not charset:
        return True
    try:
        return codecs.lookup(charset).name == "utf-8"
    except LookupError:
        return False


def _urlencoded_is_utf8(body: bytes) -> bool:
    try:
        for pair in body.split(b"&"):
            unquote_to_bytes(pair.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def has_undecodable_text(request: HttpRequest) -> bool:
    """Check the form post strictly (a parsed multipart POST/FILES stays on the request for the view)."""
    if not _declared_charset_is_utf8(request):
        return True
    if request.content_type == "application/x-www-form-urlencoded":
        # Django parses these from `request.body` (in memory, size-capped) with errors="replace".
        return not _urlencoded_is_utf8(request.body)
    # Multipart is parsed once, from the stream: parse it here with the strict codec.
    request.encoding = STRICT_UTF8
    try:
        request.POST  # noqa: B018
        request.FILES  # noqa: B018
    except UnicodeDecodeError:
        return True
    finally:
        # Back to plain UTF-8 without the setter (it would drop the parsed POST, and the stream is read).
        request._encoding = None
    return False


def refuse_undecodable(request: HttpRequest) -> HttpResponse:
    message = _(
        "The text you sent contains characters that could not be read (it is not valid UTF-8). "
        "Nothing was saved. Please retype or paste the text again and send it once more."
    )
    if getattr(request, "htmx", False):
        # The form keeps what was typed; only the message area changes (HtmxMessagesMiddleware).
        messages.error(request, message)
        response = HttpResponse(status=400, content_type="text/html; charset=utf-8")
        response["HX-Reswap"] = "none"
        return response
    back = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = "/"
    return render(request, "400_input.html", {"message": message, "back_url": back}, status=400)


class StrictUtf8InputMiddleware:
    """Put after HtmxMiddleware (needs `request.htmx`); runs before any view or CSRF check reads POST."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("POST", "PUT", "PATCH") and request.content_type in _FORM_TYPES:
            if has_undecodable_text(request):
                return refuse_undecodable(request)
        return self.get_response(request)
