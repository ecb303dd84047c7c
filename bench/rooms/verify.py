"""Check a load run against the database: every room's stored notes equal what the clients hold.

Run by run.py with the server's environment: python bench/rooms/verify.py result.json
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "platform")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from interviews.live import selectors  # noqa: E402
from interviews.live.layout import DocumentKind  # noqa: E402
from interviews.live.models import DocumentUpdate  # noqa: E402


def main(path: str) -> None:
    result = json.loads(Path(path).read_text())
    matching = 0
    ids = []
    for key, text in result["texts"].items():
        interview_id = int(re.search(r"/ws/interviews/(\d+)/", key).group(1))  # type: ignore[union-attr]
        ids.append(interview_id)
        stored = selectors.stored_texts(interview_id=interview_id, kind=DocumentKind.NOTES)
        matching += stored["step-1"] == text
    rows = DocumentUpdate.objects.filter(document__interview_id__in=ids).exclude(data=b"").count()
    print(json.dumps({"rooms": len(ids), "rooms_matching": matching, "stored_updates": rows}))


if __name__ == "__main__":
    main(sys.argv[1])
