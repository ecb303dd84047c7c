"""DRF translation for the scheduling API: input validation and output shapes, no decisions.

The parts: `zoned` (times in a time zone), `requests` (questions, availability, interview
requests), `interviews` (the booked interview), `calendar` (the feed) and `matching` (runs,
the instant queue, standing).
"""

from __future__ import annotations

from interviews.serializers.calendar import FeedCreatedOutput, FeedInput, FeedStatusOutput
from interviews.serializers.interviews import (
    CancelInput,
    ContinueInput,
    FreeTimeOutput,
    FreeTimesOutput,
    InterviewDetailOutput,
    InterviewFilter,
    InterviewOutput,
    NoShowInput,
    NoShowOutput,
    ParticipantOutput,
    QuestionBriefOutput,
    QuestionForParticipantOutput,
    RematchOutput,
    RescheduleInput,
    StepGuideOutput,
)
from interviews.serializers.matching import (
    InstantInput,
    InstantOutput,
    InstantQueueCounts,
    MatchRunInput,
    MatchRunOutput,
    StandingOutput,
)
from interviews.serializers.requests import (
    AvailabilityFilter,
    AvailabilityInput,
    AvailabilityOutput,
    QuestionFilter,
    QuestionOutput,
    RequestInput,
    RequestOutput,
    WishInput,
)
from interviews.serializers.zoned import ZONED_HELP, ZonedDateTimeField, ZonedInput, ZonedOutput

__all__ = [
    "ZONED_HELP",
    "AvailabilityFilter",
    "AvailabilityInput",
    "AvailabilityOutput",
    "CancelInput",
    "ContinueInput",
    "FeedCreatedOutput",
    "FeedInput",
    "FeedStatusOutput",
    "FreeTimeOutput",
    "FreeTimesOutput",
    "InstantInput",
    "InstantOutput",
    "InstantQueueCounts",
    "InterviewDetailOutput",
    "InterviewFilter",
    "InterviewOutput",
    "MatchRunInput",
    "MatchRunOutput",
    "NoShowInput",
    "NoShowOutput",
    "ParticipantOutput",
    "QuestionBriefOutput",
    "QuestionFilter",
    "QuestionForParticipantOutput",
    "QuestionOutput",
    "RematchOutput",
    "RequestInput",
    "RequestOutput",
    "RescheduleInput",
    "StandingOutput",
    "StepGuideOutput",
    "WishInput",
    "ZonedDateTimeField",
    "ZonedInput",
    "ZonedOutput",
]
