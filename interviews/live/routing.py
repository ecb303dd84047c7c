"""Websocket routes of the live room (no trailing slash: y-websocket appends the room name)."""

from django.urls import path

from interviews.live import consumers, signalling

websocket_urlpatterns = [
    path("ws/interviews/<int:interview_id>/notes", consumers.NotesConsumer.as_asgi()),
    path("ws/interviews/<int:interview_id>/private", consumers.PrivateNotesConsumer.as_asgi()),
    path("ws/interviews/<int:interview_id>/control", consumers.ControlConsumer.as_asgi()),
    path("ws/interviews/<int:interview_id>/call", signalling.CallConsumer.as_asgi()),
]
