"""JSON in and out of the API, safe for any bytes a client can send.

Python's json module accepts what the JSON grammar allows: nesting as deep as the C stack lets it
recurse (a RecursionError, not a ValueError, past ~1,000 levels) and `\\ud800`, a lone UTF-16
surrogate that no UTF-8 text can hold. The first stops the process's stack and later recursive
walkers; the second parses fine and blows up only when a validation message echoes it back and
the response is encoded. Both are refused here, once, as a 400 before any view sees the data.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from rest_framework import parsers, renderers
from rest_framework.exceptions import ParseError

_SURROGATE = re.compile("[\ud800-\udfff]")


class HostileJSON(ValueError):
    """The JSON is well formed but nests too deep, holds a lone surrogate or an infinity."""


def check_json(data: Any, *, max_depth: int) -> None:
    """Raise HostileJSON if data nests too deep, holds a lone surrogate or an infinite number."""
    _check_scalar(data)
    # Level by level, not recursively: a recursive walk would fail on the very input it is
    # meant to refuse. Plain lists of the parsed containers, so the walk allocates no objects
    # the garbage collector tracks.
    level = [data] if isinstance(data, dict | list) else []
    depth = 0
    while level:
        depth += 1
        if depth > max_depth:
            raise HostileJSON(f"JSON may nest at most {max_depth} levels deep.")
        below: list[Any] = []
        for value in level:
            if isinstance(value, dict):
                for key in value:
                    _check_string(key)
            items: Iterable[Any] = value.values() if isinstance(value, dict) else value
            for item in items:
                if isinstance(item, dict | list):
                    below.append(item)
                else:
                    _check_scalar(item)
        level = below


def _check_scalar(value: Any) -> None:
    # 1e999 parses as infinity, which JSON cannot express and no field can store: an integer
    # or key field converting it raises OverflowError, not the ValueError validation expects.
    if isinstance(value, float) and not math.isfinite(value):
        raise HostileJSON("Numbers must be finite.")
    _check_string(value)


def _check_string(value: Any) -> None:
    if isinstance(value, str) and not value.isascii() and _SURROGATE.search(value):
        raise HostileJSON("Strings must not contain lone surrogates (\\ud800-\\udfff).")


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing nesting past MAX_JSON_DEPTH and lone surrogates."""

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        limit = settings.MAX_JSON_DEPTH
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(
                f"JSON parse error - JSON may nest at most {limit} levels deep."
            ) from None
        try:
            check_json(data, max_depth=limit)
        except HostileJSON as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        return data


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON renderer; a string UTF-8 cannot encode is sent as a \\u escape, not a 500."""

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        try:
            return super().render(data, accepted_media_type, renderer_context)
        except UnicodeEncodeError:
            # A lone surrogate can still reach a message (a value that came in some other way
            # than a JSON body): ASCII-only JSON escapes it, and every client decodes that.
            return _AsciiJSONRenderer().render(data, accepted_media_type, renderer_context)


class _AsciiJSONRenderer(renderers.JSONRenderer):
    ensure_ascii = True
