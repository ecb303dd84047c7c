"""A server process loads what serving needs before it serves, not on its first request."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import sys
import config.asgi
from django.urls import get_resolver

before = set(sys.modules)
get_resolver().reverse_dict  # every route, as the first request that resolves one needs
print(sorted(set(sys.modules) - before))
"""


def test_the_urlconf_and_every_view_are_imported_before_the_first_request(tmp_path) -> None:
    # Importing them on the first request held the interpreter for ~0.5 s, and with it every
    # live room of the process (bench/README.md).
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "platform"),
        "SEVENSTEP_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert probe.stdout.strip().splitlines()[-1] == "[]"
