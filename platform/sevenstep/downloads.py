"""Endpoints that answer with a file (iCalendar, CSV, audio) but keep errors in the one shape."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sevenstep.errors import ApplicationError
from sevenstep.parsers import JSONRenderer as ProjectJSONRenderer


class DownloadApiView(APIView):
    """An API view whose success body is a file; errors and OPTIONS metadata stay JSON."""

    def handle_exception(self, exc: Exception) -> Response:
        self._answer_in_json()
        return super().handle_exception(exc)

    def options(self, request: Request, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
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
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        return ProjectJSONRenderer().render(data)


# --- byte ranges (RFC 9110 §14) ---------------------------------------------------------
#
# What lets a media element seek: it asks for the bytes from where it wants to play. One range
# is served; several ranges, or a header we cannot read, get the whole file (200), which RFC
# 9110 allows a server to do, so nobody's player ever meets a 500 for a quirk of its header.

# ASCII digits only (\d takes any script's), and few enough that int() never refuses them.
_RANGE = re.compile(r"bytes=(?:([0-9]{1,18})-([0-9]{0,18})|-([0-9]{1,18}))")


def byte_range(request: HttpRequest, size: int) -> tuple[int, int] | None:
    """Return the one byte range asked for as (first, last) inclusive; None for the whole.

    Raises a 416 (with `Content-Range: bytes */size`) for a range that starts past the end.
    """
    header = request.headers.get("Range", "").strip()
    # If-Range asks for the range only if the file is unchanged; we send no validator to
    # compare with, so the whole file is the safe answer.
    if not header or "If-Range" in request.headers:
        return None
    match = _RANGE.fullmatch(header.replace(" ", ""))
    if match is None:
        return None
    first, last, suffix = match.groups()
    if suffix is not None:
        length = int(suffix)
        if length == 0 or size == 0:
            raise _not_satisfiable(size)
        return max(size - length, 0), size - 1
    start = int(first)
    if last and int(last) < start:
        return None  # not a valid range: ignored, as RFC 9110 says
    if start >= size:
        raise _not_satisfiable(size)
    return start, min(int(last), size - 1) if last else size - 1


def _not_satisfiable(size: int) -> ApplicationError:
    return ApplicationError(
        f"The range starts past the end of the file ({size} bytes).",
        code="range_not_satisfiable",
        status_code=416,
        headers={"Content-Range": f"bytes */{size}"},
    )


def spans(sizes: Sequence[int], first: int, last: int) -> Iterator[tuple[int, int, int]]:
    """Yield (part, start, stop) for the parts of a file cut in `sizes` that bytes first..last
    fall in, with the slice of each part they take."""
    offset = 0
    for index, size in enumerate(sizes):
        if offset > last:
            return
        if offset + size > first:
            yield index, max(first - offset, 0), min(last - offset + 1, size)
        offset += size


def streamed_file(
    request: HttpRequest,
    sizes: Sequence[int],
    read: Callable[[int, int, int], Awaitable[bytes]],
    content_type: str,
) -> StreamingHttpResponse:
    """Answer with a file stored in parts, whole (200) or the one range asked for (206)."""
    size = sum(sizes)
    wanted = byte_range(request, size)
    first, last = wanted if wanted is not None else (0, size - 1)

    async def body() -> AsyncIterator[bytes]:
        # Asynchronous on purpose: under ASGI Django would read a synchronous iterator to its
        # end before sending a byte, holding the whole file in memory.
        for index, start, stop in spans(sizes, first, last):
            yield await read(index, start, stop)

    response = StreamingHttpResponse(
        body(), content_type=content_type, status=206 if wanted is not None else 200
    )
    response["Accept-Ranges"] = "bytes"
    response["Content-Length"] = str(last - first + 1 if size else 0)
    if wanted is not None:
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    return response
