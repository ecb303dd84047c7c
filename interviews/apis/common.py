"""What the calendar endpoints share: answering with an iCalendar document."""

from __future__ import annotations

from django.http import HttpResponse

from sevenstep.downloads import DownloadApiView, FileRenderer
from sevenstep.parsers import JSONRenderer


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
