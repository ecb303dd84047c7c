"""Settings: the live room, the call and recording."""

from __future__ import annotations

from config.settings.base import env_int, env_list, env_str

# --- live interview room -------------------------------------------------------------
LIVE_JOIN_EARLY_MINUTES = env_int("LIVE_JOIN_EARLY_MINUTES", 10)
LIVE_MAX_MESSAGE_BYTES = env_int("LIVE_MAX_MESSAGE_BYTES", 1024 * 1024)
LIVE_MAX_DOCUMENT_BYTES = env_int("LIVE_MAX_DOCUMENT_BYTES", 8 * 1024 * 1024)
LIVE_RATE_PER_SECOND = env_int("LIVE_RATE_PER_SECOND", 50)
LIVE_RATE_BURST = env_int("LIVE_RATE_BURST", 200)
# How often the server asks each client for what it lacks and checks the log for missed updates.
LIVE_RESYNC_SECONDS = env_int("LIVE_RESYNC_SECONDS", 15)
# On PostgreSQL, how many batches of live updates a process may be storing at once (each on a
# connection of its own): a batch need not wait for the one before it to reach the disk.
LIVE_COMMITS_IN_FLIGHT = env_int("LIVE_COMMITS_IN_FLIGHT", 2)
# The least time between the starts of two group commits of a process, in milliseconds. A commit
# costs the process about as much for one update as for ten: under a stream of edits, those that
# arrive meanwhile share one (at 200 busy rooms on one process, 3 ms took the CPU per update from
# ~430 to ~330 µs, bench/README.md). An edit after a quiet spell this long is stored at once.
LIVE_COMMIT_SPACING_MS = env_int("LIVE_COMMIT_SPACING_MS", 3)
# A live room asks for a new checkpoint once this many updates arrived since the last one.
LIVE_COMPACT_EVERY = env_int("LIVE_COMPACT_EVERY", 500)
# Awareness (cursors, names, colours): a socket sets only its own client ids, this many at most
# (a Yjs client has one); each state and each frame is small, and the rate is bounded, so a
# hostile participant cannot make the server decode and re-broadcast megabytes (issue 18).
# A stock client sends back every awareness frame it gets, so a frame may repeat up to
# LIVE_AWARENESS_MAX_ENTRIES states (2 users x LIVE_AWARENESS_CLIENTS_PER_USER, with room to
# spare); the repeats change nothing and cost a clock comparison each.
LIVE_AWARENESS_CLIENTS_PER_SOCKET = env_int("LIVE_AWARENESS_CLIENTS_PER_SOCKET", 2)
LIVE_AWARENESS_CLIENTS_PER_USER = env_int("LIVE_AWARENESS_CLIENTS_PER_USER", 8)
LIVE_AWARENESS_MAX_ENTRIES = env_int("LIVE_AWARENESS_MAX_ENTRIES", 32)
LIVE_AWARENESS_STATE_BYTES = env_int("LIVE_AWARENESS_STATE_BYTES", 2048)
LIVE_AWARENESS_MAX_BYTES = env_int("LIVE_AWARENESS_MAX_BYTES", 64 * 1024)
# Counts the frames that change a state (the repeats count against LIVE_RATE_PER_SECOND only).
LIVE_AWARENESS_RATE_PER_SECOND = env_int("LIVE_AWARENESS_RATE_PER_SECOND", 20)
LIVE_AWARENESS_RATE_BURST = env_int("LIVE_AWARENESS_RATE_BURST", 40)
# Every JSON websocket (control, ping, instant match) refuses longer or deeper messages
# before and while decoding them (close codes 1009, 1007).
WS_JSON_MAX_BYTES = env_int("WS_JSON_MAX_BYTES", 4096)
WS_JSON_MAX_DEPTH = env_int("WS_JSON_MAX_DEPTH", 16)
# The room's storage budget: the log since the last checkpoint may hold this many bytes; past
# half of it the room asks for a checkpoint, and an update that would cross it waits (4429)
# until the checkpoint is taken. Checkpoint plus log count against LIVE_MAX_DOCUMENT_BYTES.
LIVE_MAX_LOG_BYTES = env_int("LIVE_MAX_LOG_BYTES", 4 * 1024 * 1024)
# At most one checkpoint per document this often: what bounds a flood of ever-new updates.
LIVE_COMPACT_MIN_SECONDS = env_int("LIVE_COMPACT_MIN_SECONDS", 5)
# What may wait to be sent to one socket of a live room beyond the frame being sent; a socket
# further behind (it does not read) is closed with 1013 and resyncs when its client reconnects.
LIVE_SOCKET_OUTBOX_BYTES = env_int("LIVE_SOCKET_OUTBOX_BYTES", 4 * 1024 * 1024)
# A socket being closed gets its close frame once its client reads what is ahead of it; a
# client that reads nothing for this long is cut off instead (it finds the connection ended).
LIVE_SOCKET_CLOSE_SECONDS = env_int("LIVE_SOCKET_CLOSE_SECONDS", 10)
# Sockets one user may hold open per process: on one document, and on all of them (4429).
LIVE_MAX_SOCKETS_PER_ROOM = env_int("LIVE_MAX_SOCKETS_PER_ROOM", 8)
LIVE_MAX_SOCKETS_PER_USER = env_int("LIVE_MAX_SOCKETS_PER_USER", 32)
# Each step change is a moment of the replay: caps on them per interview, and per minute.
LIVE_MAX_STEP_CHANGES = env_int("LIVE_MAX_STEP_CHANGES", 50)
LIVE_STEP_CHANGES_PER_MINUTE = env_int("LIVE_STEP_CHANGES_PER_MINUTE", 10)
# A replay page holds at most this many bytes of document deltas (and at least one delta).
LIVE_REPLAY_PAGE_BYTES = env_int("LIVE_REPLAY_PAGE_BYTES", 4 * 1024 * 1024)
# Between two events the replay shows the notes every this many seconds (frames), at most
# LIVE_REPLAY_MAX_FRAMES per interview (wider apart in a longer one), and only while the frames'
# parts stay within LIVE_REPLAY_FRAME_BYTES in all: a flood of rewrites ends the frames, not
# the replay (issue 18's bound holds with one more page or so of frames).
LIVE_REPLAY_FRAME_SECONDS = env_int("LIVE_REPLAY_FRAME_SECONDS", 10)
LIVE_REPLAY_MAX_FRAMES = env_int("LIVE_REPLAY_MAX_FRAMES", 360)
LIVE_REPLAY_FRAME_BYTES = env_int("LIVE_REPLAY_FRAME_BYTES", 8 * 1024 * 1024)

# --- the call (WebRTC between the two browsers; the server only signals) --------------
# STUN and TURN URLs handed to browsers; TURN credentials are coturn REST-API ones
# (use-auth-secret) derived from CALL_TURN_SECRET and valid for CALL_TURN_TTL_SECONDS.
CALL_STUN_URLS = env_list("CALL_STUN_URLS")
CALL_TURN_URLS = env_list("CALL_TURN_URLS")
CALL_TURN_SECRET = env_str("CALL_TURN_SECRET", "")
CALL_TURN_TTL_SECONDS = env_int("CALL_TURN_TTL_SECONDS", 3600)
# Signalling messages (an SDP offer with video is ~10 KB) and how fast a socket may send them.
CALL_MAX_MESSAGE_BYTES = env_int("CALL_MAX_MESSAGE_BYTES", 64 * 1024)
CALL_RATE_PER_SECOND = env_int("CALL_RATE_PER_SECOND", 20)
CALL_RATE_BURST = env_int("CALL_RATE_BURST", 100)
# Joining, leaving and muting are timeline events (replay moments): capped per participant and
# interview, past which the call goes on unrecorded.
CALL_MAX_TIMELINE_EVENTS = env_int("CALL_MAX_TIMELINE_EVENTS", 200)

# --- recording (each browser uploads its own microphone; only while both consented) ---
# Chunks live in STORAGES["recordings"] (files under SEVENSTEP_VAR_DIR/media, or an S3 bucket:
# recording_storage above). Caps per interview on the stored bytes (413) and on the recorded
# span, per chunk on its size; chunks are taken for RECORDING_GRACE_SECONDS after the end (the
# last slice is still in flight then); recordings are deleted RECORDING_RETENTION_DAYS after
# they began.
RECORDING_MAX_BYTES = env_int("RECORDING_MAX_BYTES", 100 * 1024 * 1024)
RECORDING_MAX_SECONDS = env_int("RECORDING_MAX_SECONDS", 3 * 3600)
RECORDING_MAX_CHUNK_BYTES = env_int("RECORDING_MAX_CHUNK_BYTES", 192 * 1024)
RECORDING_GRACE_SECONDS = env_int("RECORDING_GRACE_SECONDS", 60)
RECORDING_RETENTION_DAYS = env_int("RECORDING_RETENTION_DAYS", 90)
# Each consent flip is a timeline event (a replay moment): at most this many per participant.
RECORDING_MAX_CONSENT_CHANGES = env_int("RECORDING_MAX_CONSENT_CHANGES", 40)
