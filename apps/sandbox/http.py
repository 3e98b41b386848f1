"""Reading the requests the stand-ins receive."""

from __future__ import annotations

import json

from django.http import HttpRequest


def json_body(request: HttpRequest, empty=None):
    """The request's JSON body; `empty` for no body, None for a body that is not JSON."""
    if not request.body:
        return empty
    try:
        return json.loads(request.body)
    except ValueError:  # UnicodeDecodeError included
        return None
