"""Endpoints that answer with a file format (iCalendar, CSV) but keep errors in the one shape."""

from __future__ import annotations

from typing import Any

from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sevenstep.parsers import JSONRenderer as ProjectJSONRenderer


class DownloadApiView(APIView):
    """An API view whose success body is a file; errors and OPTIONS metadata stay JSON."""

    def handle_exception(self, exc: Exception) -> Response:
        self._answer_in_json()
        return super().handle_exception(exc)

    def options(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # Endpoint metadata is no file: JSON whatever format was asked for.
        self._answer_in_json()
        return super().options(request, *args, **kwargs)

    def _answer_in_json(self) -> None:
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type


class FileRenderer(BaseRenderer):
    """Lets clients ask for a file format; what passes through a renderer (errors) is JSON.

    The file itself goes out as an HttpResponse of its own; subclasses name the media type.
    """

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: dict[str, Any] | None = None,
    ) -> bytes:
        return ProjectJSONRenderer().render(data)
