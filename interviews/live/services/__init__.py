"""Writes of the live room: its documents, its recording, and what the control channel hears.

`documents` appends updates in one transaction per batch and compacts the log; `recording`
keeps the participants' consent and their audio chunks; `control` records the call's timeline
events and broadcasts the session state after a change.
"""

from interviews.live.services.control import call_event_record, control_notify
from interviews.live.services.documents import (
    Appended,
    PendingUpdate,
    Refusal,
    document_compact,
    document_get_or_create,
    store_connection_prepare,
    updates_append,
)
from interviews.live.services.recording import (
    AUDIO_TYPES,
    StoredChunk,
    recording_chunk_store,
    recording_consent_set,
    recording_delete,
    recordings_erase_for_user,
    recordings_purge,
)

__all__ = [
    "AUDIO_TYPES",
    "Appended",
    "PendingUpdate",
    "Refusal",
    "StoredChunk",
    "call_event_record",
    "control_notify",
    "document_compact",
    "document_get_or_create",
    "recording_chunk_store",
    "recording_consent_set",
    "recording_delete",
    "recordings_erase_for_user",
    "recordings_purge",
    "store_connection_prepare",
    "updates_append",
]
