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
    path("scorecards/received/", apis.ScorecardsReceivedApi.as_view(), name="scorecards-received"),
]
