from django.urls import include, path

from interviews.apis import availability, questions, requests

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
]
