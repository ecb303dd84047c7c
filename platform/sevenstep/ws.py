"""Websocket authentication: a signed ticket, or the session cookie from one of our pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

from channels.auth import get_user
from channels.db import database_sync_to_async
from channels.sessions import SessionMiddlewareStack
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.http.request import validate_host

Scope = dict[str, Any]


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def origin_allowed(origin: str) -> bool:
    parsed = urlparse(origin)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        return False
    allowed = settings.ALLOWED_HOSTS or ["localhost", "127.0.0.1", "[::1]"]
    return validate_host(parsed.hostname, allowed)


@database_sync_to_async
def _user_by_id(user_id: int) -> Any:
    user_model = get_user_model()
    try:
        return user_model.objects.get(pk=user_id, is_active=True)
    except user_model.DoesNotExist:
        return AnonymousUser()


class WebsocketAuthMiddleware:
    """Set scope["user"]; refuse the handshake from a foreign Origin.

    Browsers always send Origin, so a cookie is trusted only alongside an allowed Origin
    (no cross-site websocket hijacking). Non-browser clients authenticate with ?ticket=.
    """

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> Any:
        from accounts.services import ws_ticket_user_id

        origin = _header(scope, b"origin")
        if origin is not None and not origin_allowed(origin):
            await send({"type": "websocket.close", "code": 4403})
            return None
        scope = dict(scope)
        ticket = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("ticket")
        if ticket:
            user_id = ws_ticket_user_id(ticket[0])
            scope["user"] = await _user_by_id(user_id) if user_id else AnonymousUser()
        elif origin is not None:
            scope["user"] = await get_user(scope)
        else:
            scope["user"] = AnonymousUser()
        return await self.inner(scope, receive, send)


def websocket_stack(inner: Any) -> Any:
    return SessionMiddlewareStack(WebsocketAuthMiddleware(inner))
