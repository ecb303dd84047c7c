"""Browser sessions a user can see and end: allauth's UserSession rows, one per session."""

from __future__ import annotations

from allauth.usersessions.models import UserSession
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accounts.models import User
from sevenstep.errors import ApplicationError


def session_record(*, request: HttpRequest) -> None:
    """Write the request's session row: who, from which address and device, seen now."""
    try:
        UserSession.objects.create_from_request(request)
    except PermissionDenied:  # allauth could not tell the client's address
        return


def session_seen(*, request: HttpRequest, every: int) -> None:
    """Record the session's activity unless it was recorded in the last `every` seconds."""
    if cache.add(f"session-seen:{request.session.session_key}", 1, timeout=every):
        session_record(request=request)


def sessions_list(*, user: User) -> list[UserSession]:
    """The user's live sessions, newest activity first (rows of ended sessions are dropped)."""
    alive = UserSession.objects.purge_and_list(user)
    return sorted(alive, key=lambda session: (session.last_seen_at, session.pk), reverse=True)


def session_end(*, user: User, session_id: int) -> None:
    """End one of the user's sessions."""
    from accounts.services.users import ws_tickets_end

    session = UserSession.objects.filter(user=user, pk=session_id).first()
    if session is None:
        raise ApplicationError("No such session.", code="not_found", status_code=404)
    session.end()
    ws_tickets_end(user_id=user.pk)


def sessions_end(*, user: User, keep: str | None = None) -> int:
    """End all the user's sessions but the one keyed `keep`; return how many ended."""
    from accounts.services.users import ws_tickets_end

    ended = 0
    for session in UserSession.objects.filter(user=user).exclude(session_key=keep or ""):
        session.end()
        ended += 1
    ws_tickets_end(user_id=user.pk)
    return ended


def session_rekey(*, old: str, request: HttpRequest) -> None:
    """Follow the session to its new key (Django changes it when the password changes)."""
    new = request.session.session_key
    if new and new != old:
        UserSession.objects.filter(session_key=old).update(session_key=new)
