"""My interviews: list, detail (the guide for the interviewer only), cancel, reschedule,
no-show, and the calendar invite."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from interviews import selectors
from interviews.apis.common import CalendarView
from interviews.serializers import (
    CancelInput,
    ContinueInput,
    FreeTimesOutput,
    InterviewDetailOutput,
    InterviewFilter,
    InterviewOutput,
    NoShowInput,
    NoShowOutput,
    RescheduleInput,
)
from interviews.services import calendar, lifecycle, session
from sevenstep.apitools import SignedInRequest, body, context_for, paginated
from sevenstep.pagination import Pagination
from sevenstep.serializers import query


class InterviewListApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        parameters=[InterviewFilter],
        responses=InterviewOutput(many=True),
        summary="My interviews (as interviewer or candidate), upcoming or past",
    )
    def get(self, request: SignedInRequest) -> Response:
        filters = query(request, InterviewFilter)
        mine = selectors.interviews_of(user=request.user, when=filters.get("when"))
        return paginated(self, request, mine, InterviewOutput)


class InterviewDetailApi(APIView):
    @extend_schema(
        responses=InterviewDetailOutput,
        summary="One interview: the prompt for both, the guide for the interviewer only",
    )
    def get(self, request: SignedInRequest, pk: int) -> Response:
        interview = selectors.interview_for_viewer(user=request.user, pk=pk)
        return Response(InterviewDetailOutput(interview, context=context_for(request)).data)


class InterviewCancelApi(APIView):
    @extend_schema(
        request=CancelInput,
        responses=InterviewOutput,
        summary="Cancel a scheduled interview (and, by default, the other half of its swap)",
        description="Less than SCHEDULING_LATE_CANCEL_HOURS (12) hours before the start, the "
        "cancellation counts against my reliability, which lowers my matching priority.",
    )
    def post(self, request: SignedInRequest, pk: int) -> Response:
        interview = selectors.interview_for_viewer(user=request.user, pk=pk)
        data = body(request, CancelInput)
        lifecycle.interview_cancel(
            interview=interview, user=request.user, reason=data["reason"], both=data["both"]
        )
        interview.refresh_from_db()
        return Response(InterviewOutput(interview, context=context_for(request)).data)


class InterviewRescheduleApi(APIView):
    @extend_schema(
        request=RescheduleInput,
        responses=InterviewOutput,
        summary="Move a scheduled interview to a time inside my partner's availability",
    )
    def post(self, request: SignedInRequest, pk: int) -> Response:
        interview = selectors.interview_for_viewer(user=request.user, pk=pk)
        data = body(request, RescheduleInput)
        lifecycle.interview_reschedule(
            interview=interview, user=request.user, starts_at=data["starts_at"]
        )
        interview.refresh_from_db()
        return Response(InterviewOutput(interview, context=context_for(request)).data)


class InterviewContinueApi(APIView):
    @extend_schema(
        request=ContinueInput,
        responses=InterviewOutput,
        summary="Go on from the ended first half of a swap to the second, open from now on",
        description="The second half (roles reversed, its own fresh question) starts when the "
        "first half ended, or at the first moment after it that both people are free. 409 "
        "first_half_not_ended before the end, 409 no_second_half when there is none.",
    )
    def post(self, request: SignedInRequest, pk: int) -> Response:
        interview = selectors.interview_for_viewer(user=request.user, pk=pk)
        body(request, ContinueInput)
        second = session.swap_continue(interview_id=interview.pk, user_id=request.user.pk)
        return Response(InterviewOutput(second, context=context_for(request)).data)


class InterviewFreeTimesApi(APIView):
    @extend_schema(
        responses=FreeTimesOutput,
        summary="When both participants are free for the whole interview, to reschedule to",
        description="Inside both people's availability and clear of their other bookings, from "
        "an hour ahead up to SCHEDULING_WEEKS_AHEAD weeks; any start up to latest_start works.",
    )
    def get(self, request: SignedInRequest, pk: int) -> Response:
        interview = selectors.interview_for_viewer(user=request.user, pk=pk)
        if not interview.is_participant(request.user.pk):
            raise lifecycle.not_participant()
        times = [
            {"starts_at": start, "ends_at": stop, "latest_start": latest}
            for start, stop, latest in selectors.shared_free_times(interview=interview)
        ]
        return Response(FreeTimesOutput({"times": times}).data)


class InterviewNoShowApi(APIView):
    @extend_schema(
        request=NoShowInput,
        responses=NoShowOutput,
        summary="Report that my partner did not show up (after the grace period)",
        description="Marks the other participant absent, which lowers their reliability, "
        "and offers me a re-match. Refused (409 partner_was_present) when the server saw them "
        "in the interview room or editing its notes.",
    )
    def post(self, request: SignedInRequest, pk: int) -> Response:
        interview = selectors.interview_for_viewer(user=request.user, pk=pk)
        body(request, NoShowInput)
        outcome = lifecycle.interview_report_no_show(interview=interview, user=request.user)
        interview.refresh_from_db()
        data = {"interview": interview, "rematch": outcome.rematch}
        return Response(NoShowOutput(data, context=context_for(request)).data)


class InterviewInviteApi(CalendarView):
    @extend_schema(
        operation_id="interview_invite",
        responses={(200, "text/calendar"): OpenApiTypes.BINARY},
        summary="The interview as an iCalendar invite, in my time zone, with the join link",
    )
    def get(self, request: SignedInRequest, pk: int) -> HttpResponse:
        interview = selectors.interview_for_viewer(user=request.user, pk=pk)
        if not interview.is_participant(request.user.pk):
            raise lifecycle.not_participant()
        document = calendar.calendar_render(
            interviews=[interview], user=request.user, name="Sevenstep interview"
        )
        return self.ics(document, filename=f"sevenstep-interview-{interview.pk}.ics")
