"""Read links out of the emails tests capture."""

from __future__ import annotations

import re
from typing import Any


def link(message: Any, path: str) -> str:
    """The SITE_URL link in `message` whose path starts with `path`; its tail after `path`."""
    match = re.search(rf"https?://[^/\s]+{re.escape(path)}(\S+)", message.body)
    assert match, f"no {path} link in: {message.body}"
    html = message.alternatives[0][0]
    assert match.group(1) in html, "the HTML part carries the same link"
    return match.group(1)
