"""Questions, availability and interview requests: what a person offers and wants."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from interviews import selectors
from interviews.models import AvailabilityWindow, InterviewRequest, Question, RequestRole
from interviews.serializers.zoned import ZonedDateTimeField, ZonedInput, ZonedOutput
from sevenstep.fields import PrimaryKeyRelatedField
from sevenstep.framework import Domain, Level
from sevenstep.serializers import PageQuery, StrictInputSerializer


class QuestionOutput(serializers.ModelSerializer):
    """A question as anyone sees it: never the interviewer guide."""

    class Meta:
        model = Question
        fields = ["id", "slug", "title", "domain", "level", "prompt"]


class QuestionFilter(PageQuery):
    domain = serializers.ChoiceField(choices=Domain.choices, required=False)
    level = serializers.ChoiceField(choices=Level.choices, required=False)


# --- availability ------------------------------------------------------------------------


class AvailabilityInput(ZonedInput):
    zoned_fields = ("starts_at", "ends_at")
    starts_at = ZonedDateTimeField()
    ends_at = ZonedDateTimeField()


class AvailabilityOutput(ZonedOutput, serializers.ModelSerializer):
    class Meta:
        model = AvailabilityWindow
        fields = [
            "id",
            "starts_at",
            "ends_at",
            "starts_at_local",
            "ends_at_local",
            "time_zone",
            "created_at",
        ]


class AvailabilityFilter(PageQuery):
    past = serializers.BooleanField(
        required=False, default=False, help_text="Include windows that have ended."
    )


# --- interview requests ----------------------------------------------------------------


class WishInput(StrictInputSerializer):
    """What kind of interview someone wants: shared by standing requests and instant match."""

    role = serializers.ChoiceField(
        choices=RequestRole.choices,
        help_text="candidate, interviewer, or swap (two back-to-back interviews, roles reversed).",
    )
    level = serializers.ChoiceField(
        choices=Level.choices, required=False, help_text="Default: the profile's target level."
    )
    domains = serializers.ListField(
        child=serializers.ChoiceField(choices=Domain.choices),
        max_length=len(Domain.choices),
        required=False,
        help_text="Default: the profile's focus domains; empty means any.",
    )


class RequestInput(WishInput):
    max_per_week = serializers.IntegerField(
        min_value=1,
        max_value=14,
        required=False,
        default=2,
        help_text="At most this many interviews in any 7 days in a row (a rolling window), "
        "counting every interview of mine however it was booked; a swap is two.",
    )
    question = PrimaryKeyRelatedField(
        queryset=Question.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="A question to practise as the candidate (role candidate or swap; one you have "
        "not seen); matching prefers it. Domains default to its domain.",
    )


class RequestOutput(serializers.ModelSerializer):
    question_title = serializers.SerializerMethodField(
        help_text="The title of the question asked to practise; null if none."
    )
    last_match_run_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="When the last matching run that saw the open request (as it is now) "
        "finished; null if none has yet, or the request is not open.",
    )
    next_match_run_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="When the next scheduled matching run is due (every 5 minutes); null unless "
        "open.",
    )
    unserved_reason = serializers.ChoiceField(
        choices=[
            "no_windows",
            "week_full",
            "another_role",
            "no_partner",
            "outmatched",
        ],
        read_only=True,
        allow_null=True,
        help_text="Why the last run booked nothing for the open request: no_windows (no free "
        "45 minutes in the horizon), week_full (the weekly cap is reached wherever I am free), "
        "another_role (people are free then, but want a role that does not meet mine), "
        "no_partner (nobody near my level is free then), outmatched (partners were paired "
        "with others, or no question was new to both); null if it booked or no run yet.",
    )
    unserved_help = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="The same in a sentence, with what would help; null with unserved_reason.",
    )

    class Meta:
        model = InterviewRequest
        fields = [
            "id",
            "role",
            "level",
            "domains",
            "max_per_week",
            "question",
            "question_title",
            "status",
            "created_at",
            "updated_at",
            "withdrawn_at",
            "last_match_run_at",
            "next_match_run_at",
            "unserved_reason",
            "unserved_help",
        ]

    def get_question_title(self, request: InterviewRequest) -> str | None:
        return request.question.title if request.question is not None else None

    def to_representation(self, instance: InterviewRequest) -> dict[str, Any]:
        data = super().to_representation(instance)
        matching = selectors.request_matching(request=instance)
        when = serializers.DateTimeField()
        for field, at in (
            ("last_match_run_at", matching.last_run_at),
            ("next_match_run_at", matching.next_run_at),
        ):
            data[field] = None if at is None else when.to_representation(at)
        data["unserved_reason"] = matching.unserved_reason
        data["unserved_help"] = matching.unserved_help
        return data
