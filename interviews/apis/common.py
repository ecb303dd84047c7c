"""Helpers every scheduling endpoint shares: the caller's zone, query parsing, pagination."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sevenstep.downloads import DownloadApiView, FileRenderer
from sevenstep.pagination import Pagination
from sevenstep.parsers import JSONRenderer


def zone_of(user: Any) -> str:
    """Return the user's IANA zone; users without a profile (createsuperuser) get UTC."""
    profile = getattr(user, "profile", None)
    return profile.time_zone if profile is not None else "UTC"


def context_for(request: Request) -> dict[str, Any]:
    return {"request": request, "time_zone": zone_of(request.user)}


def body(
    request: Request, serializer_class: type[serializers.Serializer], **kwargs: Any
) -> dict[str, Any]:
    """Validate the JSON body with a strict input serializer."""
    data = serializer_class(data=request.data, context=context_for(request), **kwargs)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


def paginated(
    view: APIView,
    request: Request,
    items: Iterable[Any],
    serializer_class: type[serializers.Serializer],
) -> Response:
    paginator = Pagination()
    page = paginator.paginate_queryset(items, request, view=view)  # type: ignore[arg-type]
    data = serializer_class(page, many=True, context=context_for(request)).data
    return paginator.get_paginated_response(data)


class CalendarRenderer(FileRenderer):
    """Lets calendar clients ask for text/calendar; errors still go out as JSON."""

    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"


class CalendarView(DownloadApiView):
    """An endpoint that answers with an iCalendar document."""

    renderer_classes = [JSONRenderer, CalendarRenderer]

    def ics(self, document: bytes, *, filename: str) -> HttpResponse:
        response = HttpResponse(document, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "private, no-store"
        return response
