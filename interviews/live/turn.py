"""What a participant's browser needs to place the call: ICE servers and TURN credentials.

TURN credentials follow coturn's REST-API scheme (`use-auth-secret`): the username is the
expiry as a Unix timestamp and the user id joined by a colon, the password is the base64 of
HMAC-SHA1 over the username with the secret shared with coturn. coturn checks them without
asking us, and they stop working on their own when they expire.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.utils import timezone


@dataclass(frozen=True, slots=True)
class TurnCredential:
    username: str
    credential: str
    expires_at: datetime


def turn_credential(
    *, user_id: int, secret: str, ttl_seconds: int, now: datetime
) -> TurnCredential:
    """Return coturn REST-API credentials for a user, valid for `ttl_seconds` from `now`."""
    expires = int(now.timestamp()) + ttl_seconds
    username = f"{expires}:{user_id}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return TurnCredential(
        username=username,
        credential=base64.b64encode(digest).decode(),
        expires_at=datetime.fromtimestamp(expires, tz=UTC),
    )


def ice_servers(
    *, user_id: int, now: datetime | None = None
) -> tuple[list[dict[str, object]], datetime | None]:
    """Return the RTCIceServer list for a user and when its TURN credentials expire."""
    now = now or timezone.now()
    servers: list[dict[str, object]] = []
    if settings.CALL_STUN_URLS:
        servers.append({"urls": list(settings.CALL_STUN_URLS)})
    expires_at = None
    if settings.CALL_TURN_URLS and settings.CALL_TURN_SECRET:
        credential = turn_credential(
            user_id=user_id,
            secret=settings.CALL_TURN_SECRET,
            ttl_seconds=settings.CALL_TURN_TTL_SECONDS,
            now=now,
        )
        servers.append(
            {
                "urls": list(settings.CALL_TURN_URLS),
                "username": credential.username,
                "credential": credential.credential,
            }
        )
        expires_at = credential.expires_at
    return servers, expires_at
