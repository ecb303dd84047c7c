"""HTTP routes of the live room (notes export, replay, the call)."""

from django.urls import path

from interviews.live import apis

urlpatterns = [
    path("interviews/<int:interview_id>/notes/", apis.NotesApi.as_view(), name="interview-notes"),
    path(
        "interviews/<int:interview_id>/replay/", apis.ReplayApi.as_view(), name="interview-replay"
    ),
    path("interviews/<int:interview_id>/call/", apis.CallApi.as_view(), name="interview-call"),
]
