"""Shapes of the live room's HTTP endpoints (notes export, replay, call, recording)."""

from __future__ import annotations

import base64

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from interviews.live.layout import DocumentKind
from sevenstep.serializers import StrictInputSerializer


class NotesSectionOutput(serializers.Serializer):
    step = serializers.IntegerField()
    name = serializers.CharField(help_text="The Y.Text the section lives in, e.g. step-3.")
    title = serializers.CharField()
    text = serializers.CharField(help_text="Markdown as typed in the room.")


class NotesDocumentOutput(serializers.Serializer):
    sections = NotesSectionOutput(many=True)
    scratch = serializers.CharField()
    markdown = serializers.CharField(help_text="The whole document as one Markdown text.")


class NotesOutput(serializers.Serializer):
    interview = serializers.IntegerField()
    notes = NotesDocumentOutput()
    private = NotesDocumentOutput(
        allow_null=True, help_text="The interviewer's private notes; null for the candidate."
    )


class ReplayQuery(StrictInputSerializer):
    start = serializers.IntegerField(
        required=False,
        default=0,
        min_value=0,
        max_value=2**31 - 1,
        help_text="The first part to send: 0, then the previous page's `next`.",
    )


class ReplayEventOutput(serializers.Serializer):
    kind = serializers.CharField(
        help_text="started, step_entered, ended, one of the recording_* events, or one of "
        "the call's: call_joined, call_left, call_muted, call_unmuted."
    )
    step = serializers.IntegerField(allow_null=True)
    at = serializers.DateTimeField(help_text="Server time of the event.")
    role = serializers.CharField(
        allow_null=True,
        help_text="interviewer or candidate: whose act it was (who joined the call, muted, "
        "consented); null when neither participant's (or the account is gone).",
    )


@extend_schema_field(OpenApiTypes.BYTE)
class YjsUpdateField(serializers.Field):
    """A Yjs update (v1 encoding) as base64."""

    def to_representation(self, value: bytes) -> str:
        return base64.b64encode(value).decode("ascii")


class ReplayPartOutput(serializers.Serializer):
    moment = serializers.IntegerField(
        help_text="Index of the event this part leads up to (the part holds the edits made "
        "up to that event, or up to `at` for a frame before it); the number of events for "
        "the edits after the last one."
    )
    at = serializers.DateTimeField(
        help_text="When the document stood as the parts up to this one build it: the event's "
        "time, a frame's time (earlier than its event: how the notes grew within a step, "
        "every LIVE_REPLAY_FRAME_SECONDS or so), or the latest edit's for the part after the "
        "last event. Never decreases from one part to the next."
    )
    document = serializers.ChoiceField(
        choices=DocumentKind.choices,
        help_text="notes (shared), or private (the interviewer's, in their replay only).",
    )
    update = YjsUpdateField(  # type: ignore[assignment]  # a field named like .update()
        help_text="What the document gained since the previous part of the same document, as "
        "a Yjs update: apply the parts in order to a fresh Y.Doc per document."
    )


class ReplayOutput(serializers.Serializer):
    interview = serializers.IntegerField()
    events = ReplayEventOutput(many=True, help_text="The whole timeline, on every page.")
    start = serializers.IntegerField(help_text="The number of the first part on this page.")
    parts = ReplayPartOutput(many=True)
    next = serializers.IntegerField(
        allow_null=True, help_text="Where the next page starts (its `start`); null on the last."
    )


class RecordingConsentOutput(serializers.Serializer):
    interviewer = serializers.BooleanField()
    candidate = serializers.BooleanField()


class RecordingStateOutput(serializers.Serializer):
    consented = RecordingConsentOutput(help_text="Who has turned on “record this interview”.")
    active = serializers.BooleanField(help_text="Recording runs only while both have.")


class IceServerOutput(serializers.Serializer):
    urls = serializers.ListField(child=serializers.CharField())
    username = serializers.CharField(required=False, help_text="TURN only: `<expiry>:<user id>`.")
    credential = serializers.CharField(
        required=False, help_text="TURN only: base64 HMAC-SHA1 of the username (coturn REST API)."
    )


class CallOutput(serializers.Serializer):
    role = serializers.CharField()
    polite = serializers.BooleanField(
        help_text="Perfect negotiation: the polite peer yields when both offer at once."
    )
    ice_servers = IceServerOutput(many=True)
    credentials_expire_at = serializers.DateTimeField(
        allow_null=True, help_text="When the TURN credentials stop working (null: no TURN)."
    )
    signalling_path = serializers.CharField()
    recording = RecordingStateOutput()


class RecordingConsentInput(StrictInputSerializer):
    consent = serializers.BooleanField(help_text="true: record this interview; false: stop.")


class RecordingChunkInput(StrictInputSerializer):
    seq = serializers.IntegerField(
        min_value=0,
        max_value=2**31 - 1,
        help_text="The chunk's place in the speaker's recording, from 0; a repeat is stored once.",
    )
    offset_ms = serializers.IntegerField(
        required=False,
        min_value=-(2**40),
        max_value=2**40,
        help_text="Where the chunk begins on the interview clock (ms since `clock_origin`); "
        "the server's receive time when left out. Never later than now, nor before the room.",
    )
    audio = serializers.FileField(
        help_text="The chunk's bytes as MediaRecorder cut them: audio/webm or audio/ogg (Opus)."
    )


class RecordingChunkOutput(serializers.Serializer):
    seq = serializers.IntegerField()
    size = serializers.IntegerField()
    at = serializers.DateTimeField(help_text="Where the chunk begins, in server time.")
    created = serializers.BooleanField(help_text="false: this seq was stored before.")


class RecordingTrackOutput(serializers.Serializer):
    role = serializers.CharField(help_text="The speaker: interviewer or candidate.")
    chunks = serializers.IntegerField()
    bytes = serializers.IntegerField()
    start_offset_ms = serializers.IntegerField(
        help_text="Where the track begins on the interview clock (ms since `clock_origin`)."
    )
    content_type = serializers.CharField()
    url = serializers.CharField(help_text="The track's bytes: its chunks joined in seq order.")


class RecordingOutput(serializers.Serializer):
    interview = serializers.IntegerField()
    clock_origin = serializers.DateTimeField(
        help_text="Zero of the interview clock: when it started (or was to start, before)."
    )
    consented = RecordingConsentOutput()
    active = serializers.BooleanField()
    tracks = RecordingTrackOutput(many=True, help_text="One per speaker who was recorded.")
