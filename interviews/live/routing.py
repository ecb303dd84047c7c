"""Websocket routes of the live room."""

websocket_urlpatterns: list = []
