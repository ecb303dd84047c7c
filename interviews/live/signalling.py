"""The call's signalling socket: offers, answers and ICE candidates between the two participants.

Media never passes through the server. Each participant's browser opens
`ws/interviews/<id>/call`; what one sends is checked for shape and size and relayed to the
sockets of the *other* participant of that interview only, in any process, through the channel
layer: sockets find each other through the group of the interview's call, then send straight
to each other's channels. The server keeps nothing but who is connected.

Perfect negotiation needs one polite and one impolite peer so that both may start at once
without glare: the candidate is polite (yields on collision), the interviewer is not. One call
socket per user: a newer one (a reload, a second tab) takes over and the older is closed with
CLOSE_REPLACED, so a peer never gets answers from two tabs.

Every call socket has an opaque peer id, sent with "peer" news and added as `from` to every
relayed message. A browser starts a fresh peer connection only when its partner's id changes
(a reload, a reconnect), never twice for the same partner, and drops answers and candidates of
a partner it has already replaced: a late message can no longer reset a working negotiation.

Joining, leaving and muting are timeline events in server time (capped per participant, so a
client flapping them cannot grow the replay); both screens hear of them on the control channel.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from channels.db import database_sync_to_async
from channels.exceptions import ChannelFull
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from interviews.live import selectors, services
from interviews.models import InterviewRole, TimelineKind
from sevenstep.consumers import (
    CLOSE_BAD_MESSAGE,
    CLOSE_REPLACED,
    CLOSE_ROOM_CLOSED,
    DirectDispatch,
    FrameRefused,
    TokenBucket,
    frame_admit,
    frame_json,
)
from sevenstep.logs import bind_interview

log = logging.getLogger(__name__)

MAX_SDP_CHARS = 60_000
MAX_CANDIDATE_CHARS = 1_024
MAX_TOKEN_CHARS = 256


class BadSignal(ValueError):
    """The message is not a signalling message this server relays."""


def _text(value: object, limit: int, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise BadSignal("expected a string")
    return value


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise BadSignal("expected true or false")
    return value


def _candidate(value: object) -> dict[str, object] | None:
    # null is the end-of-candidates marker of RTCPeerConnection's icecandidate event.
    if value is None:
        return None
    if not isinstance(value, dict) or not set(value) <= {
        "candidate",
        "sdpMid",
        "sdpMLineIndex",
        "usernameFragment",
    }:
        raise BadSignal("expected an ICE candidate")
    index = value.get("sdpMLineIndex")
    if index is not None and (not isinstance(index, int) or isinstance(index, bool)):
        raise BadSignal("sdpMLineIndex must be a number")
    if index is not None and not 0 <= index < 64:
        raise BadSignal("sdpMLineIndex out of range")
    return {
        "candidate": _text(value.get("candidate", ""), MAX_CANDIDATE_CHARS),
        "sdpMid": _text(value.get("sdpMid"), MAX_TOKEN_CHARS, optional=True),
        "sdpMLineIndex": index,
        "usernameFragment": _text(value.get("usernameFragment"), MAX_TOKEN_CHARS, optional=True),
    }


def signal_clean(message: object) -> dict[str, object]:
    """Return the relayable form of a client message, or raise BadSignal."""
    if not isinstance(message, dict):
        raise BadSignal("expected an object")
    kind = message.get("type")
    if kind in ("offer", "answer"):
        return {"type": kind, "sdp": _text(message.get("sdp"), MAX_SDP_CHARS)}
    if kind == "candidate":
        return {"type": kind, "candidate": _candidate(message.get("candidate"))}
    if kind == "media":
        return {
            "type": kind,
            "audio": _flag(message.get("audio")),
            "video": _flag(message.get("video")),
        }
    if kind == "hangup":
        return {"type": kind}
    raise BadSignal("unknown message type")


class CallConsumer(DirectDispatch, AsyncJsonWebsocketConsumer):
    """Relay signalling between the two participants of one interview."""

    access: selectors.RoomAccess | None = None

    async def connect(self) -> None:
        await self.accept()
        interview_id = int(self.scope["url_route"]["kwargs"]["interview_id"])
        bind_interview(interview_id)
        try:
            access = await database_sync_to_async(selectors.room_access)(
                interview_id=interview_id, user=self.scope["user"], kind=None
            )
        except selectors.RoomRefused as refused:
            await self.close(code=refused.code)
            return
        if access.read_only:
            await self.close(code=CLOSE_ROOM_CLOSED)
            return
        self.access = access
        self.bucket = TokenBucket(settings.CALL_RATE_PER_SECOND, settings.CALL_RATE_BURST)
        self.group = f"live.{interview_id}.call"
        self.peer_id = secrets.token_hex(8)
        # The partner's sockets this one knows of, channel name -> peer id.
        self.peer_channels: dict[str, str] = {}
        # A browser joins unmuted; only changes from here on are timeline events.
        self.audio = True
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.send_json(
            {
                "type": "welcome",
                "role": str(access.role),
                "polite": access.role == InterviewRole.CANDIDATE,
                "id": self.peer_id,
            }
        )
        await self._to_group("call.joined")
        await self._record(TimelineKind.CALL_JOINED)

    async def disconnect(self, code: int) -> None:
        if self.access is None:
            return
        access, self.access = self.access, None
        await self.channel_layer.group_send(
            self.group,
            {
                "type": "call.left",
                "channel": self.channel_name,
                "user_id": access.user_id,
                "peer_id": self.peer_id,
            },
        )
        await self.channel_layer.group_discard(self.group, self.channel_name)
        await self._record(TimelineKind.CALL_LEFT, access=access)

    async def _record(self, kind: TimelineKind, access: selectors.RoomAccess | None = None) -> None:
        access = access or self.access
        if access is None:
            return
        await database_sync_to_async(services.call_event_record)(
            interview_id=access.interview_id, user_id=access.user_id, kind=kind
        )

    async def shut(self, code: int) -> None:
        """Close this socket and tell the partner at once, not when the client acknowledges."""
        await self.disconnect(code)
        await self.close(code=code)

    async def _to_group(self, kind: str, **fields: object) -> None:
        assert self.access is not None
        await self.channel_layer.group_send(
            self.group,
            {
                "type": kind,
                "channel": self.channel_name,
                "user_id": self.access.user_id,
                "peer_id": self.peer_id,
                **fields,
            },
        )

    # --- from the browser ---------------------------------------------------------------
    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.access is None:
            return
        try:
            text = frame_admit(
                text_data, max_bytes=settings.CALL_MAX_MESSAGE_BYTES, bucket=self.bucket
            )
            # An offer's SDP is larger than other sockets' messages, never deeper than three.
            content = frame_json(text, max_bytes=settings.CALL_MAX_MESSAGE_BYTES, max_depth=3)
        except FrameRefused as refused:
            await self.shut(refused.code)
            return
        try:
            signal = signal_clean(content)
        except BadSignal:
            await self.shut(CLOSE_BAD_MESSAGE)
            return
        # Straight to the partner's sockets, not through the group: one message on the layer
        # instead of one per socket of the call, and none back to this one. A browser sends
        # only after it heard of its partner, which this socket heard of first.
        message = {
            "type": "call.signal",
            "user_id": self.access.user_id,
            "peer_id": self.peer_id,
            "signal": signal,
        }
        for channel in list(self.peer_channels):
            await self._send_to(channel, message)
        if signal["type"] == "media" and signal["audio"] != self.audio:
            self.audio = bool(signal["audio"])
            await self._record(TimelineKind.CALL_UNMUTED if self.audio else TimelineKind.CALL_MUTED)

    async def _send_to(self, channel: str, message: dict[str, Any]) -> None:
        """Send to one socket's channel; a full channel drops the message, not this socket.

        A process's sockets share one inbox on the Redis layer; in a burst (every call of a
        restarted server renegotiating at once) it may fill. What is dropped is a signal the
        browsers recover from (their connection watchdog restarts a negotiation that stalls).
        """
        try:
            await self.channel_layer.send(channel, message)
        except ChannelFull:
            log.warning("call: dropped a signal to a full channel (interview %s)", self.group)

    # --- from the group -----------------------------------------------------------------
    def _from_peer(self, event: dict[str, Any]) -> bool:
        return self.access is not None and event["user_id"] != self.access.user_id

    async def call_signal(self, event: dict[str, Any]) -> None:
        if self._from_peer(event):
            await self.send_json({**event["signal"], "from": event["peer_id"]})

    async def call_joined(self, event: dict[str, Any]) -> None:
        if self.access is None or event["channel"] == self.channel_name:
            return
        if event["user_id"] == self.access.user_id:
            # The same person opened the call again (a reload, another tab): that one leads.
            await self.shut(CLOSE_REPLACED)
            return
        # Answer the newcomer before telling this browser: the offer this browser then sends
        # reaches the newcomer's channel after the answer, so its browser knows of the peer
        # before the first offer arrives.
        await self._send_to(
            event["channel"],
            {
                "type": "call.here",
                "channel": self.channel_name,
                "user_id": self.access.user_id,
                "peer_id": self.peer_id,
            },
        )
        await self._peer_present(event)

    async def call_here(self, event: dict[str, Any]) -> None:
        if self._from_peer(event):
            await self._peer_present(event)

    async def _peer_present(self, event: dict[str, Any]) -> None:
        # Heard of once, whichever of "joined" and "here" comes first.
        if event["channel"] in self.peer_channels:
            return
        self.peer_channels[event["channel"]] = event["peer_id"]
        await self.send_json({"type": "peer", "present": True, "id": event["peer_id"]})

    async def call_left(self, event: dict[str, Any]) -> None:
        if self._from_peer(event) and event["channel"] in self.peer_channels:
            del self.peer_channels[event["channel"]]
            await self.send_json({"type": "peer", "present": False, "id": event["peer_id"]})
