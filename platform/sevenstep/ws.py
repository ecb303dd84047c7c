"""Websocket authentication: a signed ticket, or the session cookie from one of our pages."""

from __future__ import annotations

from functools import cache
from importlib import import_module
from typing import Any
from urllib.parse import parse_qs, urlsplit

from channels.auth import get_user
from channels.db import database_sync_to_async
from channels.sessions import CookieMiddleware
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http.request import split_domain_port, validate_host

Scope = dict[str, Any]


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


Origin = tuple[str, str, int]
_DEFAULT_PORTS = {"http": 80, "https": 443}


def parse_origin(value: str) -> Origin | None:
    """Return (scheme, host, port) with the default port filled in, or None if malformed."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname or parts.path not in {"", "/"}:
        return None
    return scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[scheme]


@cache
def _trusted_origins() -> frozenset[Origin]:
    """The site's own origins from settings: SITE_URL and CSRF_TRUSTED_ORIGINS (no wildcards)."""
    found = (parse_origin(value) for value in [settings.SITE_URL, *settings.CSRF_TRUSTED_ORIGINS])
    return frozenset(origin for origin in found if origin is not None)


@receiver(setting_changed)
def _forget_trusted_origins(*, setting: str, **kwargs: Any) -> None:
    if setting in {"SITE_URL", "CSRF_TRUSTED_ORIGINS"}:
        _trusted_origins.cache_clear()


def _request_origin(scope: Scope) -> Origin | None:
    """The origin the handshake was addressed to: its Host, if allowed, and its scheme.

    As Django's CSRF check does for a page's own origin: a browser on `make run`
    (127.0.0.1:8000 or localhost:8000) or on the Vite dev server (which proxies /ws and keeps
    the Host) sends an Origin equal to the Host it connected to. Behind a TLS proxy the
    socket speaks plain ws, so the proxy's X-Forwarded-Proto counts when the settings trust it.
    """
    host = _header(scope, b"host")
    if not host:
        return None
    domain, _ = split_domain_port(host)
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    if not domain or not validate_host(domain, allowed):
        return None
    secure = scope.get("scheme") == "wss"
    proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy_header:
        name, value = proxy_header
        header = name.removeprefix("HTTP_").lower().replace("_", "-").encode("latin-1")
        forwarded = _header(scope, header)
        if forwarded is not None:
            secure = forwarded.split(",", 1)[0].strip() == value
    return parse_origin(f"{'https' if secure else 'http'}://{host}")


def origin_allowed(origin: str, scope: Scope | None = None) -> bool:
    """Whether a browser page at `origin` may use the session cookie on this handshake.

    Scheme, host and port all count: another port on the same host is another site.
    """
    parsed = parse_origin(origin)
    if parsed is None:
        return False
    if parsed in _trusted_origins():
        return True
    return scope is not None and parsed == _request_origin(scope)


@database_sync_to_async
def _ticket_user(ticket: str) -> Any:
    """Use the ticket up and load its active user (anonymous if the ticket is not good)."""
    from accounts.services import ws_ticket_redeem

    user_id = ws_ticket_redeem(ticket)
    if user_id is None:
        return AnonymousUser()
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
        origin = _header(scope, b"origin")
        if origin is not None and not origin_allowed(origin, scope):
            await send({"type": "websocket.close", "code": 4403})
            return None
        scope = dict(scope)
        ticket = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("ticket")
        if ticket:
            scope["user"] = await _ticket_user(ticket[0])
        elif origin is not None:
            scope["user"] = await get_user(scope)
        else:
            scope["user"] = AnonymousUser()
        return await self.inner(scope, receive, send)


class SocketSessionMiddleware:
    """Set scope["session"] from the session cookie, for WebsocketAuthMiddleware to read.

    Channels' SessionMiddleware does the same and also wraps `send`, to save a changed session
    when an HTTP response starts. A websocket starts none, so on a socket that wrapper saves
    nothing and costs every frame sent four lookups through lazy objects (bench/README.md).
    Here the session is read and `send` is the server's own.
    """

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> Any:
        store = import_module(settings.SESSION_ENGINE).SessionStore
        session = store(scope["cookies"].get(settings.SESSION_COOKIE_NAME))
        return await self.inner({**scope, "session": session}, receive, send)


def websocket_stack(inner: Any) -> Any:
    return CookieMiddleware(SocketSessionMiddleware(WebsocketAuthMiddleware(inner)))
