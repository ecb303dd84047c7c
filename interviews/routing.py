"""Websocket routes of scheduling (the live room has its own in interviews.live.routing)."""

from django.urls import path

from interviews.consumers import InstantMatchConsumer

websocket_urlpatterns = [
    path("ws/match/instant/", InstantMatchConsumer.as_asgi()),
]
