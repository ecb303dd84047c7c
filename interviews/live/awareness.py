"""What an awareness state may hold: exactly what the browser app puts there, bounded.

The app sets `user` (name, role, colour: frontend/src/live/useLiveDocument.ts), y-codemirror's
`cursor` (two Yjs relative positions) and the board's `pointer` (frontend/src/components/
Board.tsx). The peer's browser pastes the colours into style attributes, so a colour that is
anything but a hex colour could restyle the peer's page; the server relays only states that
fit this schema (the browser checks again before rendering).
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

from django.conf import settings

from interviews.live.protocol import MAX_SAFE_INTEGER, AwarenessRefused, ProtocolError
from sevenstep import jsonbounds

COLOR = re.compile(r"#[0-9a-fA-F]{6}")
COLOR_WITH_ALPHA = re.compile(r"#[0-9a-fA-F]{6}(?:[0-9a-fA-F]{2})?")
NAME_CHARS = 80
ROLE_CHARS = 32
TYPE_NAME_CHARS = 100
POINTER_TOOLS = frozenset({"pointer", "laser"})
STATE_DEPTH = 6  # state > cursor > anchor > item > client: the deepest the app nests is 4
# Control, format (bidirectional overrides, zero-width joiners), surrogate and private-use
# characters, and line or paragraph separators have no place in a name on someone's screen.
_UNPRINTABLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def decode_state(raw: bytes) -> dict[str, Any] | None:
    """Decode and check one awareness state; None removes the client. Raise ProtocolError."""
    if raw in (b"", b"null"):
        return None
    try:
        state = jsonbounds.loads(raw, max_bytes=settings.LIVE_AWARENESS_STATE_BYTES, max_depth=6)
    except jsonbounds.JsonRefused as exc:
        raise ProtocolError("awareness state is not JSON") from exc
    if state is None:
        return None
    check_state(state)
    return state


def check_state(state: Any) -> None:
    """Raise AwarenessRefused unless the state is one the app could have set."""
    _object(state, required=(), optional=("user", "cursor", "pointer"), what="state")
    if "user" in state:
        _user(state["user"])
    if state.get("cursor") is not None:
        cursor = state["cursor"]
        _object(cursor, required=("anchor", "head"), optional=(), what="cursor")
        _relative_position(cursor["anchor"])
        _relative_position(cursor["head"])
    if state.get("pointer") is not None:
        pointer = state["pointer"]
        _object(pointer, required=("x", "y"), optional=("tool",), what="pointer")
        _number(pointer["x"], "pointer.x")
        _number(pointer["y"], "pointer.y")
        if "tool" in pointer and pointer["tool"] not in POINTER_TOOLS:
            raise AwarenessRefused("unknown pointer tool")


def _user(user: Any) -> None:
    _object(user, required=(), optional=("name", "role", "color", "colorLight"), what="user")
    if "name" in user:
        _text(user["name"], NAME_CHARS, "user.name")
    if "role" in user:
        _text(user["role"], ROLE_CHARS, "user.role")
    if "color" in user:
        _pattern(user["color"], COLOR, "user.color")
    if "colorLight" in user:
        _pattern(user["colorLight"], COLOR_WITH_ALPHA, "user.colorLight")


def _relative_position(position: Any) -> None:
    _object(position, required=(), optional=("type", "tname", "item", "assoc"), what="position")
    for key in ("type", "item"):
        if position.get(key) is not None:
            ident = position[key]
            _object(ident, required=("client", "clock"), optional=(), what=f"position.{key}")
            _integer(ident["client"], "position client")
            _integer(ident["clock"], "position clock")
    if position.get("tname") is not None:
        _text(position["tname"], TYPE_NAME_CHARS, "position.tname")
    if "assoc" in position and not _is_int(position["assoc"]):
        raise AwarenessRefused("position.assoc is not an integer")


def _object(value: Any, *, required: tuple[str, ...], optional: tuple[str, ...], what: str) -> None:
    if not isinstance(value, dict):
        raise AwarenessRefused(f"{what} is not an object")
    unknown = value.keys() - set(required) - set(optional)
    if unknown:
        raise AwarenessRefused(f"unknown {what} keys")
    if any(key not in value for key in required):
        raise AwarenessRefused(f"{what} lacks a key")


def _text(value: Any, limit: int, what: str) -> None:
    if not isinstance(value, str) or len(value) > limit:
        raise AwarenessRefused(f"{what} is not a text of at most {limit} characters")
    if any(unicodedata.category(char) in _UNPRINTABLE for char in value):
        raise AwarenessRefused(f"{what} holds unprintable characters")


def _pattern(value: Any, pattern: re.Pattern[str], what: str) -> None:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise AwarenessRefused(f"{what} is not a hex colour")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _integer(value: Any, what: str) -> None:
    if not _is_int(value) or not 0 <= value <= MAX_SAFE_INTEGER:
        raise AwarenessRefused(f"{what} is not a client number")


def _number(value: Any, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AwarenessRefused(f"{what} is not a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise AwarenessRefused(f"{what} is not finite")
