from django.urls import path

from scoring import apis

urlpatterns = [
    path("rubrics/current/", apis.RubricCurrentApi.as_view(), name="rubric-current"),
    path("rubrics/<int:version>/", apis.RubricVersionApi.as_view(), name="rubric-version"),
    path(
        "interviews/<int:interview_id>/scorecard/",
        apis.ScorecardApi.as_view(),
        name="scorecard",
    ),
    path(
        "interviews/<int:interview_id>/replay/scores/",
        apis.ReplayScoresApi.as_view(),
        name="interview-replay-scores",
    ),
    path(
        "interviews/<int:interview_id>/scorecard/submit/",
        apis.ScorecardSubmitApi.as_view(),
        name="scorecard-submit",
    ),
    path(
        "interviews/<int:interview_id>/interviewer-feedback/",
        apis.FeedbackApi.as_view(),
        name="interviewer-feedback",
    ),
    path(
        "interviews/<int:interview_id>/interviewer-feedback/submit/",
        apis.FeedbackSubmitApi.as_view(),
        name="interviewer-feedback-submit",
    ),
    path(
        "interviews/<int:interview_id>/interviewer-feedback/ratings/",
        apis.FeedbackRatingsApi.as_view(),
        name="interviewer-feedback-ratings",
    ),
    path(
        "interviews/<int:interview_id>/submissions/",
        apis.SubmissionStateApi.as_view(),
        name="interview-submissions",
    ),
    path("scorecards/received/", apis.ScorecardsReceivedApi.as_view(), name="scorecards-received"),
    path("reports/me/", apis.ReportMeApi.as_view(), name="report-me"),
    path("reports/me/history/", apis.ReportHistoryApi.as_view(), name="report-me-history"),
    path("reports/me/export/", apis.ReportExportApi.as_view(), name="report-me-export"),
    path("me/agenda/", apis.AgendaApi.as_view(), name="me-agenda"),
    path("me/as-interviewer/", apis.InterviewerStatsApi.as_view(), name="me-as-interviewer"),
]
