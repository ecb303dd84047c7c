"""DRF translation for the scheduling API: input validation and output shapes, no decisions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import validate_time_zone
from interviews import links, selectors, zones
from interviews.models import (
    AvailabilityWindow,
    InstantQueueEntry,
    Interview,
    InterviewRequest,
    MatchRun,
    Question,
    RequestRole,
)
from sevenstep.fields import DateTimeField, PrimaryKeyRelatedField
from sevenstep.framework import Domain, Level
from sevenstep.serializers import PageQuery, StrictInputSerializer

ZONED_HELP = (
    "ISO 8601. Without a UTC offset it is a wall-clock time in `time_zone` (default: the "
    "profile's time zone); a time the clocks skip or repeat at a DST change is refused."
)


class ZonedDateTimeField(DateTimeField):
    """An ISO 8601 date-time that may lack an offset; the serializer places it in a zone."""

    default_error_messages = {
        "invalid": "Enter a date and time in ISO 8601, e.g. 2030-03-28T18:00 or "
        "2030-03-28T18:00+02:00."
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", ZONED_HELP)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> datetime:
        if not isinstance(data, str) or len(data) > 40:
            self.fail("invalid")
        return super().to_internal_value(data.strip())

    def enforce_timezone(self, value: datetime) -> datetime:
        # Kept as written: ZonedInput reads a naive time in the request's zone.
        self.check_range(value)
        return value

    def to_representation(self, value: datetime) -> str:
        return value.isoformat()


class ZonedInput(StrictInputSerializer):
    """Input with wall-clock times: validate() turns them into UTC using the request's zone.

    The default zone comes from context["time_zone"] (the user's profile).
    """

    zoned_fields: tuple[str, ...] = ()
    time_zone = serializers.CharField(
        max_length=64,
        required=False,
        validators=[validate_time_zone],
        help_text="IANA zone for times given without an offset; default: the profile's.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        zone_name = attrs.get("time_zone") or self.context["time_zone"]
        attrs["time_zone"] = zone_name
        errors: dict[str, list[str]] = {}
        for name in self.zoned_fields:
            if name in attrs:
                try:
                    attrs[name] = zones.to_utc(attrs[name], zone_name)
                except zones.ZoneError as exc:
                    errors[name] = [str(exc)]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class ZonedOutput(serializers.Serializer):
    """Output of something with starts_at/ends_at: UTC plus wall-clock times in the viewer's zone.

    The zone is context["time_zone"] (the viewer's profile).
    """

    starts_at_local = serializers.SerializerMethodField()
    ends_at_local = serializers.SerializerMethodField()
    time_zone = serializers.SerializerMethodField()

    def local(self, value: datetime | None) -> str | None:
        if value is None:
            return None
        return zones.local(value, self.context["time_zone"]).isoformat()

    def get_starts_at_local(self, instance: Any) -> str | None:
        return self.local(instance.starts_at)

    def get_ends_at_local(self, instance: Any) -> str | None:
        return self.local(instance.ends_at)

    def get_time_zone(self, instance: Any) -> str:
        return str(self.context["time_zone"])


# --- questions -------------------------------------------------------------------------


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
        data["last_match_run_at"] = when.to_representation(matching.last_run_at)
        data["next_match_run_at"] = when.to_representation(matching.next_run_at)
        data["unserved_reason"] = matching.unserved_reason
        data["unserved_help"] = matching.unserved_help
        return data


# --- interviews ------------------------------------------------------------------------


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


# --- calendar --------------------------------------------------------------------------


class FeedInput(StrictInputSerializer):
    """No fields: the secret is always generated by the server."""


class FeedStatusOutput(serializers.Serializer):
    active = serializers.BooleanField()
    created_at = serializers.DateTimeField(allow_null=True)


class FeedCreatedOutput(serializers.Serializer):
    url = serializers.URLField(help_text="Secret: anyone with it can read my interviews.")
    created_at = serializers.DateTimeField()


# --- matching ----------------------------------------------------------------------------


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
