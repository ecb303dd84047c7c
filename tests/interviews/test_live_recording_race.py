"""Parallel uploads (PostgreSQL): retries racing each other store a chunk once, caps hold."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from rest_framework.test import APIClient

from interviews.live import services
from interviews.live.models import RecordingChunk
from tests.interviews.test_live_recording import stored_files
from tests.support.yjs import live_interview

ATTEMPTS = 8

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("storage"),
]


def _parallel(calls: list[Callable[[APIClient], int]], user: Any) -> list[int]:
    """Run each call from its own thread (own connection, own transaction) at the same moment."""
    barrier = threading.Barrier(len(calls))
    statuses: list[int] = []

    def run(call: Callable[[APIClient], int]) -> None:
        client = APIClient(raise_request_exception=False)
        client.force_authenticate(user)
        try:
            barrier.wait()
            statuses.append(call(client))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(statuses)


def _upload(interview_id: int, seq: int, data: bytes) -> Callable[[APIClient], int]:
    def call(client: APIClient) -> int:
        audio = SimpleUploadedFile("c.webm", data, content_type="audio/webm")
        url = f"/api/interviews/{interview_id}/recording/chunks/"
        return client.post(url, {"seq": seq, "audio": audio}, format="multipart").status_code

    return call


@pytest.fixture
def recording(interviewer, candidate):
    interview = live_interview(interviewer, candidate)
    for user in (interviewer, candidate):
        services.recording_consent_set(interview_id=interview.pk, user_id=user.pk, consent=True)
    return interview


def test_the_same_chunk_sent_at_once_from_many_retries_is_stored_once(
    storage: Path,
    recording,
    candidate,
) -> None:
    statuses = _parallel([_upload(recording.pk, 0, b"slice")] * ATTEMPTS, candidate)
    assert statuses == [200] * (ATTEMPTS - 1) + [201]
    assert RecordingChunk.objects.count() == 1
    assert len(stored_files(storage)) == 1


def test_parallel_chunks_never_pass_the_size_cap_together(
    settings,
    storage: Path,
    recording,
    candidate,
) -> None:
    settings.RECORDING_MAX_BYTES = 3 * 100
    calls = [_upload(recording.pk, seq, b"x" * 100) for seq in range(ATTEMPTS)]
    statuses = _parallel(calls, candidate)
    assert statuses == [201] * 3 + [413] * (ATTEMPTS - 3)
    assert sum(RecordingChunk.objects.values_list("size", flat=True)) == 300
    assert len(stored_files(storage)) == 3
