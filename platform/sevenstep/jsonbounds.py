"""Decode JSON from the network with a bound on its size and nesting depth.

json.loads runs on the event loop for websocket frames: an unbounded frame stalls every user
of the process, and deep nesting makes the C decoder recurse until RecursionError. The size
is checked before anything is parsed and the depth by a flat scan, so neither can recurse.
"""

from __future__ import annotations

import json
import re
from typing import Any

# A JSON string literal: its brackets do not nest anything.
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")


class JsonRefused(ValueError):
    """The text is not JSON this server decodes."""


class JsonTooLarge(JsonRefused):
    """The text is longer than allowed."""


class JsonMalformed(JsonRefused):
    """The text is not JSON, or nests deeper than allowed."""


def depth(text: str) -> int:
    """Return how deeply the arrays and objects of a JSON text nest (0 for a scalar)."""
    deepest = level = 0
    for bracket in _BRACKETS.findall(_STRING.sub("", text)):
        if bracket in "[{":
            level += 1
            deepest = max(deepest, level)
        else:
            level -= 1
    return deepest


def loads(data: str | bytes, *, max_bytes: int, max_depth: int) -> Any:
    """Decode a JSON text of at most max_bytes (UTF-8) nesting at most max_depth, or raise."""
    # A character is at least one byte: the cheap length check comes before any encoding.
    if len(data) > max_bytes:
        raise JsonTooLarge(f"longer than {max_bytes} bytes")
    if isinstance(data, bytes):
        try:
            text = data.decode()
        except UnicodeDecodeError as exc:
            raise JsonMalformed("not UTF-8") from exc
    else:
        text = data
        if len(text.encode("utf-8", "surrogatepass")) > max_bytes:
            raise JsonTooLarge(f"longer than {max_bytes} bytes")
    if depth(text) > max_depth:
        raise JsonMalformed(f"nested deeper than {max_depth}")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise JsonMalformed("not JSON") from exc
