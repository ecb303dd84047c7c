"""HTTP routes of the live room (notes export, replay, the call, its recording)."""

from django.urls import path

from interviews.live import apis

urlpatterns = [
    path("interviews/<int:interview_id>/notes/", apis.NotesApi.as_view(), name="interview-notes"),
    path(
        "interviews/<int:interview_id>/replay/", apis.ReplayApi.as_view(), name="interview-replay"
    ),
    path("interviews/<int:interview_id>/call/", apis.CallApi.as_view(), name="interview-call"),
    path(
        "interviews/<int:interview_id>/recording/",
        apis.RecordingApi.as_view(),
        name="interview-recording",
    ),
    path(
        "interviews/<int:interview_id>/recording/consent/",
        apis.RecordingConsentApi.as_view(),
        name="interview-recording-consent",
    ),
    path(
        "interviews/<int:interview_id>/recording/chunks/",
        apis.RecordingChunksApi.as_view(),
        name="interview-recording-chunks",
    ),
    path(
        "interviews/<int:interview_id>/recording/tracks/<str:role>/",
        apis.RecordingTrackApi.as_view(),
        name="interview-recording-track",
    ),
]
