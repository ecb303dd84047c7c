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
from pycrdt._pycrdt import Doc as _RawDoc

# y-protocols' message types beyond sync (0) and awareness (1).
MESSAGE_AUTH = 2
MESSAGE_QUERY_AWARENESS = 3
AUTH_PERMISSION_DENIED = 0
# An update with no structs and an empty delete set: what a client sends when it has nothing new.
EMPTY_UPDATE = b"\x00\x00"
MAX_SAFE_INTEGER = 2**53 - 1  # JavaScript's: the largest number lib0 decodes


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


class AwarenessTooLarge(ProtocolError):
    """An awareness state is longer than a socket may send."""


class AwarenessRefused(ProtocolError):
    """An awareness update asks for more than a socket may set."""


class AwarenessTooFast(ProtocolError):
    """A socket changes its awareness state more often than allowed."""


@dataclass(frozen=True, slots=True)
class AwarenessEntry:
    client_id: int
    clock: int
    state: bytes  # the state's JSON text; b"null" (or empty) removes the client
    encoded: bytes  # the entry as it was on the wire

    @property
    def removes(self) -> bool:
        return self.state in (b"", b"null")


def awareness_update(entries: list[AwarenessEntry]) -> bytes:
    """Encode entries back into one awareness update."""
    return write_var_uint(len(entries)) + b"".join(entry.encoded for entry in entries)


def parse_awareness(
    payload: bytes, *, max_entries: int, max_state_bytes: int
) -> list[AwarenessEntry]:
    """Split an awareness update into its entries, or raise ProtocolError.

    y-protocols encodes it as a varuint count, then per client a varuint id, a varuint clock
    and the state as a varstring of JSON. The count and each length are checked as they are
    read, so a hostile update is refused before anything sizeable is decoded.
    """
    count, pos = _read_var_uint(payload, 0)
    if count > max_entries:
        raise AwarenessRefused(f"{count} awareness entries in one update")
    entries = []
    for _ in range(count):
        start = pos
        client_id, pos = _read_var_uint(payload, pos)
        clock, pos = _read_var_uint(payload, pos)
        if client_id > MAX_SAFE_INTEGER or clock > MAX_SAFE_INTEGER:
            # lib0 in the browser throws on larger numbers: relayed, they would break the peer.
            raise ProtocolError("awareness number out of range")
        length, pos = _read_var_uint(payload, pos)
        if length > max_state_bytes:
            raise AwarenessTooLarge(f"an awareness state of {length} bytes")
        end = pos + length
        if end > len(payload):
            raise ProtocolError("truncated awareness state")
        entries.append(AwarenessEntry(client_id, clock, payload[pos:end], payload[start:end]))
        pos = end
    if pos != len(payload):
        raise ProtocolError("trailing bytes after the awareness update")
    return entries


def check_update(update: bytes) -> None:
    """Raise ProtocolError unless the bytes decode as a Yjs update a document can take.

    Decoding is not enough: some byte strings decode but make Doc.apply_update raise, and
    stored they would make the whole document unloadable.

    The trial document is pycrdt's native one, without the Python wrapper: this runs for every
    keystroke on the event loop, and the wrapper's locks and transaction objects cost the
    loop five times what the trial itself does (bench/README.md).
    """
    try:
        update_state_vector(update)
        trial = _RawDoc(None, None, None)
        txn = trial.create_transaction()
        try:
            trial.apply_update(txn, update)
            txn.commit()
        finally:
            txn.drop()
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
