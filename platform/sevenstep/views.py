"""Process health endpoints and the catch-all that keeps /api/ answers in JSON."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie

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
