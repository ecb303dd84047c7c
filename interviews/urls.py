from django.urls import include, path

from interviews.apis import (
    availability,
    calendar,
    interviews,
    matching,
    questions,
    requests,
    standing,
)

urlpatterns = [
    path("", include("interviews.live.urls")),
    path("questions/", questions.QuestionListApi.as_view(), name="question-list"),
    path("availability/", availability.AvailabilityListApi.as_view(), name="availability-list"),
    path(
        "availability/<int:pk>/",
        availability.AvailabilityDetailApi.as_view(),
        name="availability-detail",
    ),
    path("interview-requests/", requests.RequestListApi.as_view(), name="request-list"),
    path(
        "interview-requests/<int:pk>/", requests.RequestDetailApi.as_view(), name="request-detail"
    ),
    path("interviews/", interviews.InterviewListApi.as_view(), name="interview-list"),
    path("interviews/<int:pk>/", interviews.InterviewDetailApi.as_view(), name="interview-detail"),
    path(
        "interviews/<int:pk>/cancel/",
        interviews.InterviewCancelApi.as_view(),
        name="interview-cancel",
    ),
    path(
        "interviews/<int:pk>/reschedule/",
        interviews.InterviewRescheduleApi.as_view(),
        name="interview-reschedule",
    ),
    path(
        "interviews/<int:pk>/continue/",
        interviews.InterviewContinueApi.as_view(),
        name="interview-continue",
    ),
    path(
        "interviews/<int:pk>/free-times/",
        interviews.InterviewFreeTimesApi.as_view(),
        name="interview-free-times",
    ),
    path(
        "interviews/<int:pk>/no-show/",
        interviews.InterviewNoShowApi.as_view(),
        name="interview-no-show",
    ),
    path(
        "interviews/<int:pk>/invite.ics",
        interviews.InterviewInviteApi.as_view(),
        name="interview-invite",
    ),
    path("match/instant/", matching.InstantMatchApi.as_view(), name="match-instant"),
    path("match/runs/", matching.MatchRunListApi.as_view(), name="match-run-list"),
    path("match/runs/<int:pk>/", matching.MatchRunDetailApi.as_view(), name="match-run-detail"),
    path("me/scheduling/", standing.StandingApi.as_view(), name="scheduling-standing"),
    path("calendar/feed/", calendar.FeedApi.as_view(), name="calendar-feed"),
    path("calendar/<str:token>.ics", calendar.FeedDocumentApi.as_view(), name="calendar-document"),
]
