"""The ASGI application: Django for HTTP, Channels for websockets."""

import gc
import logging
import os

from django.conf import settings
from django.core.asgi import get_asgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# The web server pools its PostgreSQL connections (see DATABASES in settings).
os.environ.setdefault("DATABASE_POOL_SIZE", "10")
django_asgi_app = get_asgi_application()

if not settings.REDIS_URL:
    logging.getLogger("sevenstep").warning(
        "REDIS_URL is not set: in-memory channel layer (serve with one process only) and "
        "background jobs run in-process, inside the request that enqueues them"
    )

if not (settings.CALL_TURN_URLS and settings.CALL_TURN_SECRET):
    logging.getLogger("sevenstep").warning(
        "CALL_TURN_URLS / CALL_TURN_SECRET are not set: calls connect only where the two "
        "browsers reach each other directly (same machine or LAN), with no TURN relay"
    )

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from config.routing import websocket_urlpatterns  # noqa: E402
from sevenstep import metrics  # noqa: E402
from sevenstep.lifespan import lifespan_app  # noqa: E402
from sevenstep.middleware import BodySizeLimit  # noqa: E402
from sevenstep.ws import websocket_stack  # noqa: E402

# What earlier server processes left in the metrics directory (sevenstep/metrics.py).
metrics.prune_dead_processes()

application = ProtocolTypeRouter(
    {
        "http": BodySizeLimit(django_asgi_app),
        "websocket": metrics.websocket_metrics(websocket_stack(URLRouter(websocket_urlpatterns))),
        "lifespan": lifespan_app,
    }
)

# The URLconf imports every view and API module on first use: about 0.5 s holding the
# interpreter, which stalled every live room of the process at its first HTTP request (a
# health check, a metrics scrape; bench/README.md). Loaded here, it is paid before serving.
get_resolver().url_patterns  # noqa: B018

# What is loaded by now (Django, the apps, their libraries) lives as long as the process. Frozen,
# it is left out of the collector's full passes, which otherwise stop the event loop for
# 100-160 ms in the middle of a live session (20 ms frozen; bench/README.md).
gc.collect()
gc.freeze()
