"""Output shapes of the live room's HTTP endpoints (notes export, replay)."""

from __future__ import annotations

from rest_framework import serializers


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


class ReplayFrameOutput(serializers.Serializer):
    kind = serializers.CharField(help_text="started, step_entered or ended.")
    step = serializers.IntegerField(allow_null=True)
    at = serializers.DateTimeField(help_text="Server time of the event.")
    notes = serializers.DictField(
        child=serializers.CharField(), help_text="Each section's text at that moment."
    )
    private = serializers.DictField(
        child=serializers.CharField(),
        required=False,
        help_text="The interviewer's private notes at that moment (interviewer's replay only).",
    )


class ReplayOutput(serializers.Serializer):
    interview = serializers.IntegerField()
    timeline = ReplayFrameOutput(many=True)
    final = serializers.DictField(child=serializers.CharField())
    private_final = serializers.DictField(
        child=serializers.CharField(),
        allow_null=True,
        help_text="The interviewer's private notes at the end; null in the candidate's replay.",
    )
    updates = serializers.IntegerField(help_text="How many stored updates the replay applied.")


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
