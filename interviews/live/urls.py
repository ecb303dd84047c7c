"""HTTP routes of the live room (notes export, replay)."""

from django.urls import path

from interviews.live import apis

urlpatterns = [
    path("interviews/<int:interview_id>/notes/", apis.NotesApi.as_view(), name="interview-notes"),
    path(
        "interviews/<int:interview_id>/replay/", apis.ReplayApi.as_view(), name="interview-replay"
    ),
]
