"""Matching: the scheduled runs, the instant queue and a person's standing."""

from __future__ import annotations

from rest_framework import serializers

from interviews import links
from interviews.models import InstantQueueEntry, MatchRun, RequestRole
from interviews.serializers.requests import WishInput
from sevenstep.serializers import StrictInputSerializer


class MatchRunOutput(serializers.ModelSerializer):
    stats = serializers.DictField(
        help_text="requests, pairings, interviews, conflicts, rounds, objective, timings."
    )

    class Meta:
        model = MatchRun
        fields = ["id", "key", "status", "stats", "created_at", "started_at", "finished_at"]


class MatchRunInput(StrictInputSerializer):
    """No fields: a run always considers every open request."""


class InstantQueueCounts(serializers.Serializer):
    candidate = serializers.IntegerField()
    interviewer = serializers.IntegerField()
    swap = serializers.IntegerField()


class InstantInput(WishInput):
    """The kind of interview wanted now."""


class InstantOutput(serializers.ModelSerializer):
    waiting_since = serializers.DateTimeField(source="created_at")
    relaxed = serializers.BooleanField(
        read_only=True,
        help_text="True once the criteria have widened (any domain, nearby levels).",
    )
    interview_id = serializers.IntegerField(allow_null=True)
    join_url = serializers.SerializerMethodField()
    queue = InstantQueueCounts(
        read_only=True,
        allow_null=True,
        help_text="While waiting: how many others wait live in each role (counts only).",
    )
    suggested_role = serializers.ChoiceField(
        choices=RequestRole.choices,
        read_only=True,
        allow_null=True,
        help_text="While waiting: the role that would pair me, when everyone else waiting "
        "wants the role I chose.",
    )
    suggestion = serializers.CharField(
        read_only=True, allow_null=True, help_text="Why the role is suggested, in words."
    )
    widens_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="While waiting: when the criteria widen next; null once they are widest.",
    )
    widens_how = serializers.CharField(
        read_only=True, allow_null=True, help_text="How they widen then, in words."
    )

    class Meta:
        model = InstantQueueEntry
        fields = [
            "id",
            "status",
            "role",
            "level",
            "domains",
            "waiting_since",
            "relaxed",
            "matched_at",
            "interview_id",
            "join_url",
            "queue",
            "suggested_role",
            "suggestion",
            "widens_at",
            "widens_how",
        ]

    def get_join_url(self, entry: InstantQueueEntry) -> str | None:
        if entry.interview is None:
            return None
        return links.room_url(entry.interview)


class StandingOutput(serializers.Serializer):
    reliability = serializers.FloatField(
        help_text="0..1; no-shows and late cancellations in the last 90 days lower it."
    )
    interviews_given = serializers.IntegerField()
    interviews_received = serializers.IntegerField()
    priority = serializers.FloatField(
        help_text="My own share of every matching weight (reliability, reciprocity); waiting "
        "time adds to it per request."
    )
