"""CSV for the report export."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from rest_framework.renderers import BaseRenderer


class CSVRenderer(BaseRenderer):
    """Render {"columns": [...], "rows": [{...}]} as CSV with a header line."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=data["columns"], extrasaction="ignore")
        writer.writeheader()
        for row in data["rows"]:
            writer.writerow({key: "" if value is None else value for key, value in row.items()})
        return out.getvalue().encode(self.charset)
