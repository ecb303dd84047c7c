"""Interviews: the booked interview as each participant sees it, and the inputs that change it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from interviews import links, selectors
from interviews.models import Interview, Question
from interviews.serializers.zoned import ZonedDateTimeField, ZonedInput, ZonedOutput
from sevenstep.serializers import PageQuery, StrictInputSerializer


class ParticipantOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    display_name = serializers.SerializerMethodField()

    def get_display_name(self, user: Any) -> str:
        profile = getattr(user, "profile", None)
        return profile.display_name if profile is not None else ""


class QuestionBriefOutput(serializers.ModelSerializer):
    class Meta:
        model = Question
        fields = ["id", "title", "domain", "level"]


class QuestionForParticipantOutput(serializers.ModelSerializer):
    """What both participants see of the question: the prompt, never the guide."""

    class Meta:
        model = Question
        fields = ["id", "title", "domain", "level", "prompt"]


class StepGuideOutput(serializers.Serializer):
    covers = serializers.ListField(child=serializers.CharField())
    follow_ups = serializers.ListField(child=serializers.CharField())
    red_flags = serializers.ListField(child=serializers.CharField())


class InterviewOutput(ZonedOutput, serializers.ModelSerializer):
    my_role = serializers.SerializerMethodField(help_text="null for staff looking on.")
    interviewer = ParticipantOutput()
    candidate = ParticipantOutput()
    question = QuestionBriefOutput()
    join_url = serializers.SerializerMethodField()
    room_opens_at = serializers.SerializerMethodField(
        help_text="When the participants may join the live room: LIVE_JOIN_EARLY_MINUTES "
        "before starts_at (UTC). The room refuses earlier connections with close code 4425."
    )
    invite_url = serializers.SerializerMethodField()

    class Meta:
        model = Interview
        fields = [
            "id",
            "status",
            "source",
            "my_role",
            "interviewer",
            "candidate",
            "question",
            "starts_at",
            "ends_at",
            "starts_at_local",
            "ends_at_local",
            "time_zone",
            "swap_group",
            "join_url",
            "room_opens_at",
            "invite_url",
            "cancel_reason",
            "absent_user",
            "sequence",
            "started_at",
            "ended_at",
        ]

    def get_my_role(self, interview: Interview) -> str | None:
        role = interview.role_of(self.context["request"].user.pk)
        return str(role) if role is not None else None

    def get_join_url(self, interview: Interview) -> str:
        return links.room_url(interview)

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_room_opens_at(self, interview: Interview) -> str:
        # Sent, not left to the app to recompute: the setting varies per deployment.
        return serializers.DateTimeField().to_representation(interview.room_opens_at)

    def get_invite_url(self, interview: Interview) -> str:
        return links.invite_url(interview)


class InterviewDetailOutput(InterviewOutput):
    question = QuestionForParticipantOutput()  # type: ignore[assignment]
    guide = serializers.SerializerMethodField(
        help_text="Per framework step ('1'..'7'); only for the interviewer, from "
        "guide_available_at on (a preparation view before room_opens_at); null otherwise."
    )
    guide_available_at = serializers.SerializerMethodField(
        help_text="When the interviewer can read the guide: SCHEDULING_GUIDE_PREPARATION_HOURS "
        "before the start to prepare, or when the room opens for an interviewer also booked as "
        "the candidate on the question; null for everyone else."
    )

    single_instead_of_swap = serializers.SerializerMethodField(
        help_text="True when I asked for a swap and was paired for this one interview instead "
        "(my partner wanted one role, or had room for one more interview that week)."
    )
    second_half = serializers.SerializerMethodField(
        help_text="For the first half of a swap: the id of the second half (roles reversed), "
        "which opens as soon as this half ends; POST continue/ to go on to it. null otherwise."
    )

    class Meta(InterviewOutput.Meta):
        fields = [
            *InterviewOutput.Meta.fields,
            "guide",
            "guide_available_at",
            "current_step",
            "second_half",
            "single_instead_of_swap",
        ]

    @extend_schema_field(serializers.DictField(child=StepGuideOutput(), allow_null=True))
    def get_guide(self, interview: Interview) -> dict[str, Any] | None:
        user = self.context["request"].user
        if not selectors.guide_visible(interview=interview, user=user):
            return None
        return dict(interview.question.guide)

    def get_guide_available_at(self, interview: Interview) -> datetime | None:
        return selectors.guide_available_at(interview=interview, user=self.context["request"].user)

    def get_single_instead_of_swap(self, interview: Interview) -> bool:
        return selectors.asked_for_a_swap(
            interview=interview, user_id=self.context["request"].user.pk
        )

    def get_second_half(self, interview: Interview) -> int | None:
        return selectors.second_half_of(interview=interview)


class InterviewFilter(PageQuery):
    when = serializers.ChoiceField(
        choices=[("upcoming", "upcoming"), ("past", "past")],
        required=False,
        help_text="upcoming: scheduled or live and not over, soonest first; past: the rest.",
    )


class CancelInput(StrictInputSerializer):
    reason = serializers.CharField(max_length=500)
    both = serializers.BooleanField(
        default=True,
        help_text="For half of a swap: also cancel the other half (true) or keep it (false).",
    )


class RescheduleInput(ZonedInput):
    zoned_fields = ("starts_at",)
    starts_at = ZonedDateTimeField()


class FreeTimeOutput(serializers.Serializer):
    starts_at = serializers.DateTimeField(help_text="From here both people are free (UTC).")
    ends_at = serializers.DateTimeField(help_text="Until here (UTC).")
    latest_start = serializers.DateTimeField(
        help_text="The last start that leaves room for the interview (both halves of a swap)."
    )


class FreeTimesOutput(serializers.Serializer):
    times = FreeTimeOutput(many=True, help_text="Soonest first.")


class ContinueInput(StrictInputSerializer):
    """No fields: the caller goes on from the ended first half of a swap to the second."""


class NoShowInput(StrictInputSerializer):
    """No fields: the reporter is the caller, the absent one is the other participant."""


class RematchOutput(serializers.Serializer):
    instant_match = serializers.CharField(help_text="POST here to be paired again right now.")
    role = serializers.CharField()
    level = serializers.CharField()
    domains = serializers.ListField(child=serializers.CharField())


class NoShowOutput(serializers.Serializer):
    interview = InterviewOutput()
    rematch = RematchOutput()
