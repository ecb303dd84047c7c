"""Scoring endpoints: rubrics, scorecards, feedback on interviewers, reports, rater statistics."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from interviews.models import InterviewRole
from scoring import selectors
from scoring.idempotency import HEADER, idempotent
from scoring.renderers import CSVRenderer
from scoring.serializers import (
    EXPORT_COLUMNS,
    AgendaOutput,
    FeedbackInput,
    FeedbackOutput,
    FeedbackRatingsInput,
    InterviewerStatsOutput,
    ReplayScoresOutput,
    ReportExportOutput,
    ReportOutput,
    RubricOutput,
    ScorecardInput,
    ScorecardOutput,
    SnapshotOutput,
    SubmissionStateOutput,
    export_rows,
)
from scoring.serializers.reports import COMMUNICATION_TITLE
from scoring.services import submissions
from sevenstep.apitools import SignedInRequest, body, context_for, paginated
from sevenstep.downloads import DownloadApiView
from sevenstep.pagination import Pagination
from sevenstep.parsers import JSONRenderer
from sevenstep.schema import ErrorSerializer
from sevenstep.serializers import PageQuery, query

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
    def get(self, request: SignedInRequest, interview_id: int) -> Response:
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
    def put(self, request: SignedInRequest, interview_id: int) -> Response:
        submissions.submission_authorise(
            user_id=request.user.pk, interview_id=interview_id, role=InterviewRole.INTERVIEWER
        )
        data = body(request, ScorecardInput)
        submissions.scorecard_save_draft(user_id=request.user.pk, interview_id=interview_id, **data)
        scorecard = selectors.scorecard_for_reader(
            user_id=request.user.pk, interview_id=interview_id
        )
        return Response(ScorecardOutput(scorecard).data)


class ReplayScoresApi(APIView):
    @extend_schema(
        responses=ReplayScoresOutput,
        summary="The step scores to show beside the replay, under blind release",
        description="Participants only. The interviewer sees their scorecard's scores once "
        "submitted; the candidate once the scorecard is released (after submitting their own "
        'feedback, or after the deadline). Never an error status for "not yet": `state` '
        "says why `steps` is empty.",
    )
    def get(self, request: SignedInRequest, interview_id: int) -> Response:
        scores = selectors.replay_scores(user_id=request.user.pk, interview_id=interview_id)
        return Response(ReplayScoresOutput(scores).data)


class ScorecardSubmitApi(APIView):
    @extend_schema(
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: ScorecardOutput, 422: KEY_REUSED},
        summary="Submit the scorecard; it can never change afterwards",
    )
    def post(self, request: SignedInRequest, interview_id: int) -> Response:
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
    def get(self, request: SignedInRequest, interview_id: int) -> Response:
        feedback = selectors.feedback_for_reader(user_id=request.user.pk, interview_id=interview_id)
        return Response(FeedbackOutput(feedback).data)

    @extend_schema(
        request=FeedbackInput,
        responses=FeedbackOutput,
        summary="Save the draft feedback on the interviewer (autosave)",
        description="Candidate only, once the interview is live or completed and before the "
        "deadline. Replaces the whole draft.",
    )
    def put(self, request: SignedInRequest, interview_id: int) -> Response:
        submissions.submission_authorise(
            user_id=request.user.pk, interview_id=interview_id, role=InterviewRole.CANDIDATE
        )
        data = body(request, FeedbackInput)
        feedback = submissions.feedback_save_draft(
            user_id=request.user.pk, interview_id=interview_id, **data
        )
        return Response(FeedbackOutput(feedback).data)


class FeedbackSubmitApi(APIView):
    @extend_schema(
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: FeedbackOutput, 422: KEY_REUSED},
        summary="Submit the feedback on the interviewer; it can never change afterwards",
    )
    def post(self, request: SignedInRequest, interview_id: int) -> Response:
        def produce() -> Response:
            feedback = submissions.feedback_submit(
                user_id=request.user.pk, interview_id=interview_id
            )
            return Response(FeedbackOutput(feedback).data)

        return idempotent(request, scope=f"feedback-submit:{interview_id}", produce=produce)


class FeedbackRatingsApi(APIView):
    @extend_schema(
        request=FeedbackRatingsInput,
        responses=FeedbackOutput,
        summary="Rate how useful (and specific) the released scorecard was, once",
        description="Candidate only, after submitting the feedback on the interviewer and once "
        "the scorecard is released to them (409 `feedback_not_submitted`, `not_released_yet`); "
        "the ratings are final (409 `already_rated`). Not bound to the submission deadline.",
    )
    def post(self, request: SignedInRequest, interview_id: int) -> Response:
        submissions.feedback_rating_authorise(user_id=request.user.pk, interview_id=interview_id)
        data = body(request, FeedbackRatingsInput)
        feedback = submissions.feedback_rate_released(
            user_id=request.user.pk, interview_id=interview_id, **data
        )
        return Response(FeedbackOutput(feedback).data)


class SubmissionStateApi(APIView):
    @extend_schema(
        responses=SubmissionStateOutput,
        summary="Where my scorecard or feedback on this interview stands",
        description="Whether I have started or submitted what I write on the interview, and "
        "whether the other side's submission is released to me, so a page asks for a draft "
        "or a released submission only once there is one.",
    )
    def get(self, request: SignedInRequest, interview_id: int) -> Response:
        state = selectors.submission_state(user_id=request.user.pk, interview_id=interview_id)
        return Response(SubmissionStateOutput(state).data)


class AgendaApi(APIView):
    @extend_schema(
        responses=AgendaOutput,
        summary="What I have to do next",
        description="My next interviews, the scorecards and feedback I still owe with their "
        "deadlines, and my open request to be paired.",
    )
    def get(self, request: SignedInRequest) -> Response:
        agenda = selectors.agenda_of(user=request.user)
        return Response(AgendaOutput(agenda, context=context_for(request)).data)


class ScorecardsReceivedApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        responses=ScorecardOutput(many=True),
        summary="Released scorecards I received as a candidate, newest first",
    )
    def get(self, request: SignedInRequest) -> Response:
        query(request, PageQuery)
        return paginated(
            self, request, selectors.scorecards_received(user_id=request.user.pk), ScorecardOutput
        )


class ReportMeApi(APIView):
    @extend_schema(
        responses=ReportOutput,
        summary="My weakness report",
        description="Per step: an estimate corrected for each rater's leniency and shrunk toward "
        "the population when evidence is thin, a 90% band, the number of ratings, the trend, "
        "the gap to the bar of my target level, time-on-step against the budget, percentile "
        "within my target level, how my own self-assessment compares with what my "
        "interviewers gave me, and evidence quotes; plus recurring pitfalls and recommended "
        "next questions. `computed_at` and `based_on` say what it rests on (the nightly "
        "rebuild rewrites a report only when something in it changed). Only released "
        "scorecards count.",
    )
    def get(self, request: SignedInRequest) -> Response:
        report = selectors.report_for_user(user_id=request.user.pk)
        return Response(ReportOutput(selectors.report_view(report)).data)


class ReportHistoryApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        responses=SnapshotOutput(many=True),
        summary="How my per-step estimates stood after each scorecard, newest first",
    )
    def get(self, request: SignedInRequest) -> Response:
        query(request, PageQuery)
        return paginated(
            self, request, selectors.report_history(user_id=request.user.pk), SnapshotOutput
        )


class ReportExportApi(DownloadApiView):
    renderer_classes = [JSONRenderer, CSVRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                enum=["json", "csv"],
                description="json (default): the report and its whole history. csv: one row "
                "per step for every history snapshot and the current report, plus a "
                "`communication` row for each once a communication score was received.",
            )
        ],
        responses={
            # One description per status code: OpenAPI keeps the first media type's only.
            (200, "application/json"): OpenApiResponse(
                ReportExportOutput,
                description="JSON: the report and its history. CSV: the columns the operation "
                "describes.",
            ),
            (200, "text/csv"): OpenApiTypes.STR,
        },
        description="The CSV has the columns "
        + ", ".join(EXPORT_COLUMNS)
        + ", in that order (new columns are only ever appended). The self_* columns are the "
        "step's `self_assessment` (self_interviews, self_mean_score, self_mean_received, "
        "self_gap with its 90% band self_gap_lower..self_gap_upper, self_verdict), filled on "
        "the current report's step rows only. The row with step `communication` (step_title "
        f'"{COMMUNICATION_TITLE}") carries the `communication` block: estimate, lower, upper, '
        "n_ratings, raw_mean, bar, gap, verdict. An empty cell is a null, as in a snapshot "
        "taken before a figure was recorded.",
        summary="Download my report and its history (JSON or CSV)",
    )
    def get(self, request: SignedInRequest) -> Response:
        report = ReportOutput(
            selectors.report_view(selectors.report_for_user(user_id=request.user.pk))
        )
        history = SnapshotOutput(selectors.report_history(user_id=request.user.pk), many=True)
        if request.accepted_renderer.format == "csv":
            data: Any = {
                "columns": EXPORT_COLUMNS,
                "rows": export_rows(report.data, cast(list[dict[str, Any]], history.data)),
            }
            filename = "sevenstep-report.csv"
        else:
            data = {"report": report.data, "history": history.data}
            filename = "sevenstep-report.json"
        return Response(data, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


class InterviewerStatsApi(APIView):
    @extend_schema(
        responses=InterviewerStatsOutput,
        summary="How I score as an interviewer",
        description="My leniency (points above or below the average rater for the same "
        "performance, from the nightly model fit) with a 90% band, my consistency, and the "
        "released ratings candidates gave me.",
    )
    def get(self, request: SignedInRequest) -> Response:
        profile = selectors.interviewer_profile(user_id=request.user.pk)
        return Response(InterviewerStatsOutput(profile).data)
