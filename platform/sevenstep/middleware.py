"""Request-level guards that apply before any view runs."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from sevenstep.errors import error_body


class BodySizeLimitMiddleware:
    """Refuse bodies over MAX_REQUEST_BODY_BYTES with 413 before anything reads them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.MAX_REQUEST_BODY_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return JsonResponse(
                error_body("bad_request", "Content-Length is not a number."), status=400
            )
        if length > limit:
            return JsonResponse(
                error_body("request_too_large", f"The request body exceeds {limit} bytes."),
                status=413,
            )
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Set the content security policy and related headers Django does not set itself."""

    # Inline styles stay allowed, because the room needs both kinds (checked in Chromium,
    # tests/e2e/test_room_styles.py): CodeMirror mounts its theme in a <style> element on the
    # page (style-mod adopts constructed sheets only in shadow roots; refused under
    # `style-src 'self'`, and a nonce would need a fresh one in every index.html), and
    # y-codemirror.next paints the partner's caret and selection with a style attribute
    # (`background-color: <colour>`). What reaches those attributes is checked twice instead:
    # the server relays only #rrggbb colours (interviews/live/awareness.py) and the browser
    # rebuilds every remote state before rendering it (frontend/src/live/awareness.ts).
    CSP = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self' ws: wss:; "
        "worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Swagger UI loads its assets from a CDN-free bundle but needs inline scripts.
        if not request.path.startswith("/api/docs"):
            response.headers.setdefault("Content-Security-Policy", self.CSP)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        return response


class DatabaseUnavailableMiddleware:
    """Answer 503 in the error shape when the database cannot be reached, instead of a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.db import InterfaceError, OperationalError, connections

        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        # Drop the broken connections so the next request reconnects by itself.
        for conn in connections.all(initialized_only=True):
            conn.close_if_unusable_or_obsolete()
        return JsonResponse(
            error_body("service_unavailable", "The database is unavailable; try again shortly."),
            status=503,
            headers={"Retry-After": "5"},
        )
