"""Scoring endpoints: rubrics, scorecards, feedback on interviewers, reports, rater statistics."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from scoring import selectors
from scoring.idempotency import HEADER, idempotent
from scoring.serializers import (
    FeedbackInput,
    FeedbackOutput,
    RubricOutput,
    ScorecardInput,
    ScorecardOutput,
)
from scoring.services import submissions
from sevenstep.pagination import Pagination
from sevenstep.schema import ErrorSerializer

IDEMPOTENCY_KEY = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Any unique string (a UUID). A retry with the same key returns the first "
    "response (with `Idempotent-Replayed: true`) instead of failing or submitting twice.",
)
KEY_REUSED = OpenApiResponse(ErrorSerializer, description="The key was used for another request")


class RubricCurrentApi(APIView):
    @extend_schema(responses=RubricOutput, summary="The current rubric, with every descriptor")
    def get(self, request: Request) -> Response:
        return Response(RubricOutput(selectors.rubric_current()).data)


class RubricVersionApi(APIView):
    @extend_schema(
        responses=RubricOutput, summary="A rubric version, as older scorecards were scored"
    )
    def get(self, request: Request, version: int) -> Response:
        return Response(RubricOutput(selectors.rubric_get(version=version)).data)


class ScorecardApi(APIView):
    @extend_schema(
        responses=ScorecardOutput,
        summary="The interview's scorecard",
        description="The interviewer always sees it (404 `scorecard_not_started` before the "
        "first save). The candidate sees it once submitted and released: after submitting "
        "their own feedback or after the deadline (403 `not_released_yet` until then).",
    )
    def get(self, request: Request, interview_id: int) -> Response:
        scorecard = selectors.scorecard_for_reader(
            user_id=request.user.pk, interview_id=interview_id
        )
        return Response(ScorecardOutput(scorecard).data)

    @extend_schema(
        request=ScorecardInput,
        responses=ScorecardOutput,
        summary="Save the draft scorecard (autosave)",
        description="Interviewer only, once the interview is live or completed and before the "
        "deadline. Replaces the whole draft. A step the interview never reached is sent with "
        "`not_reached: true` and no score.",
    )
    def put(self, request: Request, interview_id: int) -> Response:
        data = ScorecardInput(data=request.data)
        data.is_valid(raise_exception=True)
        submissions.scorecard_save_draft(
            user_id=request.user.pk, interview_id=interview_id, **data.validated_data
        )
        scorecard = selectors.scorecard_for_reader(
            user_id=request.user.pk, interview_id=interview_id
        )
        return Response(ScorecardOutput(scorecard).data)


class ScorecardSubmitApi(APIView):
    @extend_schema(
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: ScorecardOutput, 422: KEY_REUSED},
        summary="Submit the scorecard; it can never change afterwards",
    )
    def post(self, request: Request, interview_id: int) -> Response:
        def produce() -> Response:
            submissions.scorecard_submit(user_id=request.user.pk, interview_id=interview_id)
            scorecard = selectors.scorecard_for_reader(
                user_id=request.user.pk, interview_id=interview_id
            )
            return Response(ScorecardOutput(scorecard).data)

        return idempotent(request, scope=f"scorecard-submit:{interview_id}", produce=produce)


class FeedbackApi(APIView):
    @extend_schema(
        responses=FeedbackOutput,
        summary="The candidate's feedback on the interviewer",
        description="The candidate always sees it (404 `feedback_not_started` before the first "
        "save). The interviewer sees it once submitted and released: after submitting the "
        "scorecard or after the deadline (403 `not_released_yet` until then).",
    )
    def get(self, request: Request, interview_id: int) -> Response:
        feedback = selectors.feedback_for_reader(user_id=request.user.pk, interview_id=interview_id)
        return Response(FeedbackOutput(feedback).data)

    @extend_schema(
        request=FeedbackInput,
        responses=FeedbackOutput,
        summary="Save the draft feedback on the interviewer (autosave)",
        description="Candidate only, once the interview is live or completed and before the "
        "deadline. Replaces the whole draft.",
    )
    def put(self, request: Request, interview_id: int) -> Response:
        data = FeedbackInput(data=request.data)
        data.is_valid(raise_exception=True)
        feedback = submissions.feedback_save_draft(
            user_id=request.user.pk, interview_id=interview_id, **data.validated_data
        )
        return Response(FeedbackOutput(feedback).data)


class FeedbackSubmitApi(APIView):
    @extend_schema(
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: FeedbackOutput, 422: KEY_REUSED},
        summary="Submit the feedback on the interviewer; it can never change afterwards",
    )
    def post(self, request: Request, interview_id: int) -> Response:
        def produce() -> Response:
            feedback = submissions.feedback_submit(
                user_id=request.user.pk, interview_id=interview_id
            )
            return Response(FeedbackOutput(feedback).data)

        return idempotent(request, scope=f"feedback-submit:{interview_id}", produce=produce)


class ScorecardsReceivedApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        responses=ScorecardOutput(many=True),
        summary="Released scorecards I received as a candidate, newest first",
    )
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            selectors.scorecards_received(user_id=request.user.pk), request, view=self
        )
        return paginator.get_paginated_response(ScorecardOutput(page, many=True).data)
