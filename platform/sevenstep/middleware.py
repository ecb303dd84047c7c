"""Request-level guards that apply before any view runs."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from sevenstep import metrics
from sevenstep.errors import error_body

Scope = dict[str, Any]
Message = Mapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodySizeLimit:
    """Refuse request bodies over MAX_REQUEST_BODY_BYTES with 413, counting bytes as they arrive.

    ASGI middleware around the whole HTTP app, because Django reads a body to its very end
    (spooling past 2.5 MB to a temporary file) before any of its own middleware runs: a chunked
    body, or one without an honest Content-Length, would otherwise be read however long it is.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = settings.MAX_REQUEST_BODY_BYTES
        try:
            declared = _content_length(scope)
        except ValueError:
            await _refuse(send, 400, "bad_request", "Content-Length is not a number.")
            return
        if declared is not None and declared > limit:
            await _refuse(send, 413, "request_too_large", _too_large(limit))
            return

        received = 0
        over = False
        answered = False

        async def counted_receive() -> Message:
            nonlocal received, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Past the limit the app is told the client left: Django then drops what it
                    # read and answers nothing, and nothing more is taken from the socket.
                    over = True
                    return {"type": "http.disconnect"}
            return message

        async def watched_send(message: Message) -> None:
            nonlocal answered
            answered = answered or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, counted_receive, watched_send)
        if over and not answered:
            await _refuse(send, 413, "request_too_large", _too_large(limit))


def _content_length(scope: Scope) -> int | None:
    """Return the declared Content-Length, None without one; ValueError if it is not a number."""
    for name, value in scope.get("headers", ()):
        if name.lower() == b"content-length":
            if not value.strip().isdigit():
                raise ValueError(value)
            return int(value)
    return None


def _too_large(limit: int) -> str:
    return f"The request body exceeds {limit} bytes."


async def _refuse(send: Send, status: int, code: str, message: str) -> None:
    """Answer in the error shape and close the connection, leaving the rest of the body unread."""
    body = json.dumps(error_body(code, message)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


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
        from django.conf import settings

        self.get_response = get_response
        # Sign-in providers (settings.SOCIAL_FORM_ACTION_ORIGINS): the login form's redirect.
        origins = getattr(settings, "SOCIAL_FORM_ACTION_ORIGINS", [])
        self.csp = " ".join([self.CSP, *origins])

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Swagger UI loads its assets from a CDN-free bundle but needs inline scripts.
        if not request.path.startswith("/api/docs"):
            response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        # The room's call needs the microphone and camera, for our own pages only.
        response.headers.setdefault(
            "Permissions-Policy", "camera=(self), microphone=(self), geolocation=()"
        )
        return response


class NoStoreApiMiddleware:
    """Mark every API response `Cache-Control: no-store` unless its view chose a policy itself."""

    # Nearly every API answer is personal (my interviews, my scores, a fresh token) and some
    # personal ones are anonymous (the calendar feed, token and login answers), so the safe
    # default is no copy in any cache, shared or the browser's; a public view may opt out.

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/api/") and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
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


class RouteLatencyMiddleware:
    """Time every request and record it under its route pattern (sevenstep.metrics).

    The pattern (`api/interviews/<int:pk>/`), never the path: one series per route, however
    many ids and made-up URLs clients send. Static files answered before routing count as
    "static", anything the URLconf did not match as "unmatched".
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = request.resolver_match
        if match is not None:
            route = match.route
        elif request.path.startswith(settings.STATIC_URL):
            route = "static"
        else:
            route = "unmatched"
        metrics.observe_http(
            request.method or "", route, response.status_code, time.perf_counter() - started
        )
        return response
