"""Keep each logged-in browser session's row (device, address, last seen) up to date."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class SessionActivityMiddleware:
    """Record a session's client and time at most every SESSION_SEEN_EVERY_SECONDS.

    allauth's own tracking writes the row on every request; a cache key per session bounds the
    writes to one per period, so a busy page costs one cache round trip per request instead.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.session_key and request.user.is_authenticated:
            from accounts.services import session_seen

            session_seen(request=request, every=settings.SESSION_SEEN_EVERY_SECONDS)
        return self.get_response(request)
