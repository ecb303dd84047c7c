"""The home page's agenda and where one interview's writing stands (translation only)."""

from __future__ import annotations

from rest_framework import serializers

from interviews.serializers import InterviewOutput, RequestOutput

KINDS = [("scorecard", "scorecard"), ("feedback", "feedback")]


class DueOutput(serializers.Serializer):
    interview = InterviewOutput()
    kind = serializers.ChoiceField(
        choices=KINDS,
        help_text="scorecard: I interviewed and score the candidate; feedback: I was the "
        "candidate and rate the interviewer.",
    )
    deadline_at = serializers.DateTimeField(
        help_text="When it closes (and blind release ends): SCORECARD_DEADLINE_HOURS after the end."
    )
    started = serializers.BooleanField(help_text="A draft has been saved.")


class AgendaOutput(serializers.Serializer):
    upcoming = InterviewOutput(
        many=True, help_text="My next interviews (scheduled or live), soonest first; at most 5."
    )
    upcoming_count = serializers.IntegerField(help_text="All my upcoming interviews.")
    due = DueOutput(
        many=True,
        help_text="Scorecards and feedback I still have to submit before their deadline, the "
        "soonest deadline first.",
    )
    open_request = RequestOutput(
        allow_null=True, help_text="My open request to be paired by the matching runs, if any."
    )


class SubmissionStateOutput(serializers.Serializer):
    my_role = serializers.ChoiceField(choices=["interviewer", "candidate"])
    kind = serializers.ChoiceField(
        choices=KINDS,
        help_text="What I write: the scorecard as interviewer, feedback as candidate.",
    )
    deadline_at = serializers.DateTimeField()
    mine = serializers.ChoiceField(
        choices=["not_started", "draft", "submitted"],
        help_text="not_started until the first save of my draft (its GET answers 404 until then).",
    )
    theirs_released = serializers.BooleanField(
        help_text="The other side's submission is readable by me now (blind release): its GET "
        "answers 403 not_released_yet while this is false."
    )
