"""Recording benchmark: what chunk uploads cost, and what streaming a long track holds in memory.

    .venv/bin/python bench/recording_uploads.py                          # embedded (SQLite)
    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/recording_uploads.py

Both participants consent, then each uploads --chunks chunks of --chunk-kib KiB (a 5 s slice
of 32 kbit/s Opus is ~20 KiB) through the real view, multipart parser and file storage, with
Django's test client; half the chunks are sent twice (a retry), which must store nothing.
Then --cap-mib is set as RECORDING_MAX_BYTES and uploads go on until refused: the stored bytes
must stay under the cap. Last, one speaker's track is streamed and the peak of Python memory
allocated while streaming it, whole and its second half by byte range, is taken with
tracemalloc. A test database is created and dropped.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path

from asgiref.sync import async_to_sync

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "platform")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_ENV", "test")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", type=int, default=200)
    parser.add_argument("--chunk-kib", type=int, default=20)
    parser.add_argument("--cap-mib", type=int, default=12)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.http import StreamingHttpResponse
    from django.test.utils import setup_test_environment
    from rest_framework.test import APIClient

    from interviews.live.models import RecordingChunk
    from tests.factories import UserFactory
    from tests.support.yjs import live_interview

    setup_test_environment()
    settings.STORAGES["recordings"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tempfile.mkdtemp(prefix="recbench-")},
    }
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        ivy, carl = UserFactory(), UserFactory()
        interview = live_interview(ivy, carl)
        clients = {}
        for user in (ivy, carl):
            clients[user.pk] = APIClient()
            clients[user.pk].force_authenticate(user)
            consent = f"/api/interviews/{interview.pk}/recording/consent/"
            clients[user.pk].put(consent, {"consent": True}, format="json")
        data = os.urandom(args.chunk_kib * 1024)
        url = f"/api/interviews/{interview.pk}/recording/chunks/"

        def send(user_id: int, seq: int) -> int:
            audio = SimpleUploadedFile("c.webm", data, content_type="audio/webm")
            response = clients[user_id].post(url, {"seq": seq, "audio": audio}, format="multipart")
            return response.status_code

        started = time.perf_counter()
        for seq in range(args.chunks):
            for user in (ivy, carl):
                assert send(user.pk, seq) == 201
        fresh = (time.perf_counter() - started) / (2 * args.chunks)
        started = time.perf_counter()
        for seq in range(0, args.chunks, 2):
            assert send(ivy.pk, seq) == 200
        retry = (time.perf_counter() - started) / len(range(0, args.chunks, 2))
        assert RecordingChunk.objects.count() == 2 * args.chunks

        settings.RECORDING_MAX_BYTES = args.cap_mib * 1024 * 1024
        seq = args.chunks
        codes: list[int] = []
        while not codes or codes[-1] == 201:
            codes.append(send(carl.pk, seq))
            seq += 1
        stored = sum(RecordingChunk.objects.values_list("size", flat=True))

        track = f"/api/interviews/{interview.pk}/recording/tracks/candidate/"
        tracemalloc.start()
        response = clients[ivy.pk].get(track)
        assert isinstance(response, StreamingHttpResponse)
        streamed = async_to_sync(_length)(response.streaming_content)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        # What a player's seek asks for: from the middle of the track to its end.
        tracemalloc.start()
        response = clients[ivy.pk].get(track, headers={"Range": f"bytes={streamed // 2}-"})
        assert response.status_code == 206
        assert isinstance(response, StreamingHttpResponse)
        ranged = async_to_sync(_length)(response.streaming_content)
        _, ranged_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        setup = connection.vendor
        print(
            f"{setup}: {fresh * 1000:.1f} ms per new {args.chunk_kib} KiB chunk, "
            f"{retry * 1000:.1f} ms per retried one; cap {args.cap_mib} MiB: refused with "
            f"{codes[-1]} at {stored / 2**20:.2f} MiB stored; streaming a "
            f"{streamed / 2**20:.1f} MiB track peaked at {peak / 2**20:.2f} MiB of Python memory, "
            f"its last {ranged / 2**20:.1f} MiB by range at {ranged_peak / 2**20:.2f} MiB"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


async def _length(parts: AsyncIterator[bytes]) -> int:
    """Read a streamed body as the ASGI server does, keeping only its length."""
    return sum([len(part) async for part in parts])


if __name__ == "__main__":
    main()
