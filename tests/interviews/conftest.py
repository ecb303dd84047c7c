"""Fixtures the live-room tests share: a recordings folder per test, sockets closed after it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.yjs import YClient


@pytest.fixture
def storage(settings, tmp_path: Path) -> Path:
    """Keep each test's recordings in a folder of its own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "recordings": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


@pytest.fixture
async def disconnect_everyone():
    """Close every test client's socket after the test, even one that failed half-way."""
    yield
    await YClient.disconnect_all()
