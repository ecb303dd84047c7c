from django.urls import path

from interviews.live.routing import websocket_urlpatterns as live_patterns
from interviews.routing import websocket_urlpatterns as scheduling_patterns
from sevenstep.consumers import PingConsumer

websocket_urlpatterns = [
    path("ws/ping/", PingConsumer.as_asgi()),
    *live_patterns,
    *scheduling_patterns,
]
