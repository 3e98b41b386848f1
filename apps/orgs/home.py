"""Where the start page sends a signed-in user who is a member of no organization.

Higher apps register a function `user -> url or None` (in their AppConfig.ready); the first URL wins,
else the user is asked to create an organization. Guest reviewers (apps.posts) land on their projects.
"""

from collections.abc import Callable

FALLBACKS: list[Callable] = []


def register(fallback: Callable) -> Callable:
    FALLBACKS.append(fallback)
    return fallback


def fallback_url(user) -> str | None:
    for fallback in FALLBACKS:
        url = fallback(user)
        if url:
            return url
    return None
