"""The y-websocket wire protocol: strict parsing of client frames and the server's replies.

Frames are built with pycrdt's helpers; parsing is our own because a frame from the network
must be checked to the last byte (pycrdt's decoder trusts its input).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from pycrdt import (
    Awareness,
    Doc,
    YMessageType,
    YSyncMessageType,
    create_awareness_message,
    create_sync_message,
    write_var_uint,
)
from pycrdt import get_state as update_state_vector

# y-protocols' message types beyond sync (0) and awareness (1).
MESSAGE_AUTH = 2
MESSAGE_QUERY_AWARENESS = 3
AUTH_PERMISSION_DENIED = 0
# An update with no structs and an empty delete set: what a client sends when it has nothing new.
EMPTY_UPDATE = b"\x00\x00"


class ProtocolError(ValueError):
    """The frame is not a well-formed y-websocket message."""


class Kind(IntEnum):
    SYNC_STEP1 = 1
    SYNC_STEP2 = 2
    UPDATE = 3
    AWARENESS = 4
    QUERY_AWARENESS = 5
    AUTH = 6


@dataclass(frozen=True, slots=True)
class Message:
    kind: Kind
    payload: bytes


def _read_var_uint(data: bytes, pos: int) -> tuple[int, int]:
    value = 0
    shift = 0
    while True:
        if pos >= len(data):
            raise ProtocolError("truncated number")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            raise ProtocolError("number too long")


def _read_var_bytes(data: bytes, pos: int) -> tuple[bytes, int]:
    length, pos = _read_var_uint(data, pos)
    end = pos + length
    if end > len(data):
        raise ProtocolError("truncated payload")
    return data[pos:end], end


_SYNC_KINDS = {
    YSyncMessageType.SYNC_STEP1: Kind.SYNC_STEP1,
    YSyncMessageType.SYNC_STEP2: Kind.SYNC_STEP2,
    YSyncMessageType.SYNC_UPDATE: Kind.UPDATE,
}


def parse(frame: bytes) -> Message:
    """Decode one client frame, or raise ProtocolError."""
    message_type, pos = _read_var_uint(frame, 0)
    if message_type == YMessageType.SYNC:
        sync_type, pos = _read_var_uint(frame, pos)
        kind = _SYNC_KINDS.get(sync_type)  # type: ignore[call-overload]
        if kind is None:
            raise ProtocolError(f"unknown sync message {sync_type}")
        payload, pos = _read_var_bytes(frame, pos)
    elif message_type == YMessageType.AWARENESS:
        kind = Kind.AWARENESS
        payload, pos = _read_var_bytes(frame, pos)
    elif message_type == MESSAGE_QUERY_AWARENESS:
        kind = Kind.QUERY_AWARENESS
        payload = b""
    elif message_type == MESSAGE_AUTH:
        kind = Kind.AUTH
        payload = frame[pos:]
        pos = len(frame)
    else:
        raise ProtocolError(f"unknown message type {message_type}")
    if pos != len(frame):
        raise ProtocolError("trailing bytes after the message")
    return Message(kind, payload)


def check_update(update: bytes) -> None:
    """Raise ProtocolError unless the bytes decode as a Yjs update a document can take.

    Decoding is not enough: some byte strings decode but make Doc.apply_update raise, and
    stored they would make the whole document unloadable.
    """
    try:
        update_state_vector(update)
        Doc().apply_update(update)
    except (ValueError, RuntimeError) as exc:
        raise ProtocolError("malformed update") from exc


def sync_step1(doc: Doc) -> bytes:
    return create_sync_message(doc)


def sync_step2(doc: Doc, state_vector: bytes) -> bytes:
    """Answer a client's step 1 with everything it lacks, or raise ProtocolError."""
    try:
        update = doc.get_update(state_vector)
    except ValueError as exc:
        raise ProtocolError("malformed state vector") from exc
    return bytes([YMessageType.SYNC, YSyncMessageType.SYNC_STEP2]) + _var_bytes(update)


def update_message(update: bytes) -> bytes:
    return bytes([YMessageType.SYNC, YSyncMessageType.SYNC_UPDATE]) + _var_bytes(update)


def awareness_message(awareness: Awareness, client_ids: list[int]) -> bytes:
    return create_awareness_message(awareness.encode_awareness_update(client_ids))


def awareness_frame(inner: bytes) -> bytes:
    return create_awareness_message(inner)


def permission_denied(reason: str) -> bytes:
    return bytes([MESSAGE_AUTH, AUTH_PERMISSION_DENIED]) + _var_bytes(reason.encode())


def _var_bytes(data: bytes) -> bytes:
    return write_var_uint(len(data)) + data
