"""Shapes of the live room's HTTP endpoints (notes export, replay)."""

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
    kind = serializers.CharField(help_text="started, step_entered or ended.")
    step = serializers.IntegerField(allow_null=True)
    at = serializers.DateTimeField(help_text="Server time of the event.")


@extend_schema_field(OpenApiTypes.BYTE)
class YjsUpdateField(serializers.Field):
    """A Yjs update (v1 encoding) as base64."""

    def to_representation(self, value: bytes) -> str:
        return base64.b64encode(value).decode("ascii")


class ReplayPartOutput(serializers.Serializer):
    moment = serializers.IntegerField(
        help_text="Index of the event this part leads up to (the part holds the edits made "
        "up to that event); the number of events for the edits after the last one."
    )
    document = serializers.ChoiceField(
        choices=DocumentKind.choices,
        help_text="notes (shared), or private (the interviewer's, in their replay only).",
    )
    update = YjsUpdateField(
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
