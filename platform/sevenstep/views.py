"""Process health endpoints, the operators' metrics and the catch-all that keeps /api/ in JSON."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from prometheus_client import CONTENT_TYPE_LATEST

from sevenstep import metrics as prometheus
from sevenstep.errors import error_body
from sevenstep.health import readiness


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    probes = readiness()
    checks = {probe.name: {"ok": probe.ok, "detail": probe.detail} for probe in probes}
    failed = [probe.name for probe in probes if not probe.ok]
    if failed:
        body = error_body("service_unavailable", f"Not ready: {', '.join(failed)} unreachable.")
        body["checks"] = checks
        return JsonResponse(body, status=503)
    return JsonResponse({"status": "ready", "checks": checks})


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Serve every process's Prometheus metrics to the holder of METRICS_TOKEN.

    Anyone else, and everyone while no token is set, gets the 404 of a missing page: the
    endpoint is not there for them, as an interview one may not see is not (docs/reliability.md).
    """
    if not _operator(request) or request.method not in {"GET", "HEAD"}:
        return JsonResponse(error_body("not_found", "No such endpoint."), status=404)
    return HttpResponse(prometheus.scrape(), content_type=CONTENT_TYPE_LATEST)


def _operator(request: HttpRequest) -> bool:
    """Whether the request carries the metrics token as a Bearer credential."""
    token = settings.METRICS_TOKEN
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    # compare_digest: the time taken says nothing about how much of the token was right.
    return (
        bool(token)
        and scheme.lower() == "bearer"
        and (hmac.compare_digest(given.strip().encode(), token.encode()))
    )


def api_not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    return JsonResponse(error_body("not_found", "No such endpoint."), status=404)


@never_cache
@ensure_csrf_cookie
def spa(request: HttpRequest, path: str = "") -> HttpResponse:
    """Serve the browser app's index.html for its client-side routes."""
    index = settings.FRONTEND_DIST / "index.html"
    if "." in path.rsplit("/", 1)[-1] or not index.is_file():
        raise Http404(path)
    # Read whole: a streamed FileResponse makes Django warn under ASGI, and the page is tiny.
    return HttpResponse(index.read_bytes(), content_type="text/html; charset=utf-8")
