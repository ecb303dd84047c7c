"""Recording: only while both consent, each chunk stored once, deleted for good on request."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from interviews.live import services
from interviews.live.models import RecordingChunk, RecordingConsent, recording_storage
from interviews.models import InterviewStatus, TimelineEvent
from interviews.services import session
from scoring.services.timings import seconds_per_step
from tests.interviews.test_live_control import Control
from tests.support.yjs import live_interview

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("storage")]


@pytest.fixture
def interview(interviewer, candidate):
    return live_interview(interviewer, candidate)


def consent(client_for, user, interview, value: bool = True):
    return client_for(user).put(
        f"/api/interviews/{interview.pk}/recording/consent/", {"consent": value}, format="json"
    )


def upload(client_for, user, interview, seq: int, data: bytes, **fields):
    content_type = fields.pop("content_type", "audio/webm;codecs=opus")
    audio = SimpleUploadedFile(f"chunk-{seq}.webm", data, content_type=content_type)
    return client_for(user).post(
        f"/api/interviews/{interview.pk}/recording/chunks/",
        {"seq": seq, "audio": audio, **fields},
        format="multipart",
    )


def both_consent(client_for, interview, interviewer, candidate) -> None:
    assert consent(client_for, interviewer, interview).status_code == 200
    assert consent(client_for, candidate, interview).status_code == 200


def streamed(response) -> bytes:
    """Read a streamed body as the ASGI server does: asynchronously, part by part."""

    async def collect() -> bytes:
        return b"".join([part async for part in response.streaming_content])

    return async_to_sync(collect)()


def stored_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


# --- consent -------------------------------------------------------------------------------


def test_recording_runs_only_once_both_have_consented(
    client_for, interview, interviewer, candidate
) -> None:
    first = consent(client_for, interviewer, interview).json()
    assert first == {"consented": {"interviewer": True, "candidate": False}, "active": False}
    second = consent(client_for, candidate, interview).json()
    assert second == {"consented": {"interviewer": True, "candidate": True}, "active": True}
    call = client_for(candidate).get(f"/api/interviews/{interview.pk}/call/").json()
    assert call["recording"] == second


def test_consent_changes_are_timeline_events_in_server_time(
    client_for, interview, interviewer, candidate
) -> None:
    moment = timezone.now().replace(microsecond=0)
    with time_machine.travel(moment, tick=False):
        both_consent(client_for, interview, interviewer, candidate)
        consent(client_for, candidate, interview, False)
        consent(client_for, candidate, interview, False)  # no change, no event
    events = list(
        TimelineEvent.objects.filter(interview=interview).values_list("kind", "actor_id", "at")
    )
    assert events == [
        ("recording_consented", interviewer.pk, moment),
        ("recording_consented", candidate.pk, moment),
        ("recording_started", candidate.pk, moment),
        ("recording_withdrawn", candidate.pk, moment),
        ("recording_stopped", candidate.pk, moment),
    ]


def test_a_participant_has_one_consent_row_however_often_they_switch(
    client_for, interview, interviewer
) -> None:
    for value in (True, False, True):
        consent(client_for, interviewer, interview, value)
    assert RecordingConsent.objects.filter(interview=interview).count() == 1
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        RecordingConsent.objects.create(
            interview=interview, user=interviewer, changed_at=timezone.now()
        )


def test_consent_cannot_be_given_once_the_room_has_closed(
    client_for, interviewer, candidate
) -> None:
    done = live_interview(interviewer, candidate, status=InterviewStatus.COMPLETED)
    response = consent(client_for, interviewer, done)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "room_closed"


def test_agreeing_again_and_again_is_capped_but_withdrawing_never_is(
    client_for, settings, interview, interviewer
) -> None:
    settings.RECORDING_MAX_CONSENT_CHANGES = 3
    for value in (True, False, True):
        assert consent(client_for, interviewer, interview, value).status_code == 200
    assert consent(client_for, interviewer, interview, False).status_code == 200
    refused = consent(client_for, interviewer, interview, True)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "too_many_consent_changes"


async def test_both_screens_hear_of_a_consent_change_on_the_control_channel(
    client_for, interview, interviewer, candidate
) -> None:
    ivy, carl = Control(interview.pk, interviewer), Control(interview.pk, candidate)
    assert (await ivy.open())["state"]["recording"]["active"] is False
    await carl.open()
    await database_sync_to_async(consent)(client_for, interviewer, interview)
    await database_sync_to_async(consent)(client_for, candidate, interview)
    for screen in (ivy, carl):
        first = (await screen.next("state"))["state"]["recording"]
        assert first["consented"] == {"interviewer": True, "candidate": False}
        second = (await screen.next("state"))["state"]
        assert second["recording"]["active"] is True
        assert second["timeline"][-1]["kind"] == "recording_started"
    await ivy.close()
    await carl.close()


# --- chunks ---------------------------------------------------------------------------------


def test_no_chunk_is_accepted_without_both_consents(
    client_for, storage, interview, interviewer, candidate
) -> None:
    refused = upload(client_for, interviewer, interview, 0, b"voice")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "recording_not_consented"
    consent(client_for, interviewer, interview)
    assert upload(client_for, interviewer, interview, 0, b"voice").status_code == 409
    assert upload(client_for, candidate, interview, 0, b"voice").status_code == 409
    assert not RecordingChunk.objects.exists()
    assert stored_files(storage) == []


def test_a_chunk_sent_twice_is_stored_once(
    client_for, storage, interview, interviewer, candidate
) -> None:
    both_consent(client_for, interview, interviewer, candidate)
    first = upload(client_for, interviewer, interview, 0, b"first slice")
    again = upload(client_for, interviewer, interview, 0, b"first slice")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["created"] is True and again.json()["created"] is False
    assert RecordingChunk.objects.filter(interview=interview).count() == 1
    assert len(stored_files(storage)) == 1


def test_withdrawn_consent_stops_acceptance_midway(
    client_for, storage, interview, interviewer, candidate
) -> None:
    both_consent(client_for, interview, interviewer, candidate)
    assert upload(client_for, candidate, interview, 0, b"before").status_code == 201
    consent(client_for, interviewer, interview, False)
    refused = upload(client_for, candidate, interview, 1, b"after")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "recording_not_consented"
    # A retry of what was stored before the withdrawal is still answered as stored.
    assert upload(client_for, candidate, interview, 0, b"before").status_code == 200
    assert list(RecordingChunk.objects.values_list("seq", flat=True)) == [0]
    assert len(stored_files(storage)) == 1


def test_chunks_out_of_order_join_into_the_track_in_seq_order(
    client_for, interview, interviewer, candidate
) -> None:
    both_consent(client_for, interview, interviewer, candidate)
    for seq, data in ((2, b"-three"), (0, b"one"), (1, b"-two")):
        assert upload(client_for, candidate, interview, seq, data).status_code == 201
    upload(client_for, interviewer, interview, 0, b"hello")
    recording = client_for(interviewer).get(f"/api/interviews/{interview.pk}/recording/").json()
    tracks = {track["role"]: track for track in recording["tracks"]}
    assert set(tracks) == {"interviewer", "candidate"}
    assert (tracks["candidate"]["chunks"], tracks["candidate"]["bytes"]) == (3, 13)
    assert tracks["candidate"]["content_type"] == "audio/webm"
    response = client_for(interviewer).get(tracks["candidate"]["url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/webm"
    assert streamed(response) == b"one-two-three"


def test_a_track_starts_where_its_first_chunk_began_on_the_interview_clock(
    client_for, interview, interviewer, candidate
) -> None:
    both_consent(client_for, interview, interviewer, candidate)
    session.session_start(interview_id=interview.pk, user_id=interviewer.pk)
    interview.refresh_from_db()
    with time_machine.travel(interview.started_at + timedelta(seconds=30), tick=False):
        # Received at 30 s; the browser says its slice began at 25.5 s.
        upload(client_for, candidate, interview, 0, b"a", offset_ms=25_500)
        upload(client_for, interviewer, interview, 0, b"b")
        future = upload(client_for, interviewer, interview, 1, b"c", offset_ms=60_000)
    assert future.status_code == 400
    assert future.json()["error"]["fields"] == {
        "offset_ms": ["Not between the room's opening and now."]
    }
    recording = client_for(candidate).get(f"/api/interviews/{interview.pk}/recording/").json()
    starts = {track["role"]: track["start_offset_ms"] for track in recording["tracks"]}
    assert starts == {"candidate": 25_500, "interviewer": 30_000}


def test_recording_events_do_not_cut_a_steps_time(interview) -> None:
    start = timezone.now()
    events = [
        ("step_entered", 1, start),
        ("recording_started", None, start + timedelta(seconds=10)),
        ("step_entered", 2, start + timedelta(seconds=100)),
    ]
    seconds = seconds_per_step(events, start + timedelta(seconds=160))
    assert seconds[:2] == [100, 60]


def test_chunks_are_refused_after_the_room_closed_but_for_a_short_grace(
    client_for, settings, interview, interviewer, candidate
) -> None:
    settings.RECORDING_GRACE_SECONDS = 60
    both_consent(client_for, interview, interviewer, candidate)
    session.session_start(interview_id=interview.pk, user_id=interviewer.pk)
    session.session_end(interview_id=interview.pk, user_id=interviewer.pk)
    interview.refresh_from_db()
    with time_machine.travel(interview.ended_at + timedelta(seconds=30), tick=False):
        assert upload(client_for, candidate, interview, 0, b"last slice").status_code == 201
    with time_machine.travel(interview.ended_at + timedelta(seconds=90), tick=False):
        late = upload(client_for, candidate, interview, 1, b"too late")
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "room_closed"


def test_the_size_cap_answers_413_and_keeps_what_was_stored(
    client_for, settings, storage, interview, interviewer, candidate
) -> None:
    settings.RECORDING_MAX_BYTES = 10
    both_consent(client_for, interview, interviewer, candidate)
    assert upload(client_for, interviewer, interview, 0, b"123456").status_code == 201
    full = upload(client_for, candidate, interview, 0, b"789012")
    assert full.status_code == 413
    assert full.json()["error"]["code"] == "recording_full"
    assert RecordingChunk.objects.count() == 1
    assert len(stored_files(storage)) == 1


def test_a_chunk_over_its_own_cap_answers_413(
    client_for, settings, interview, interviewer, candidate
) -> None:
    settings.RECORDING_MAX_CHUNK_BYTES = 4
    both_consent(client_for, interview, interviewer, candidate)
    response = upload(client_for, interviewer, interview, 0, b"12345")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "chunk_too_large"


def test_the_duration_cap_refuses_chunks_past_it(
    client_for, settings, interview, interviewer, candidate
) -> None:
    settings.RECORDING_MAX_SECONDS = 60
    both_consent(client_for, interview, interviewer, candidate)
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        upload(client_for, interviewer, interview, 0, b"a")
    with time_machine.travel(now + timedelta(seconds=61), tick=False):
        response = upload(client_for, interviewer, interview, 1, b"b")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "recording_too_long"


def test_a_chunk_that_is_not_opus_audio_is_refused(
    client_for, interview, interviewer, candidate
) -> None:
    both_consent(client_for, interview, interviewer, candidate)
    response = upload(client_for, interviewer, interview, 0, b"<html>", content_type="text/html")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


# --- who may, and deleting ------------------------------------------------------------------


def test_a_non_participant_gets_404_from_every_recording_endpoint(
    client_for, interview, interviewer, candidate, outsider, staff
) -> None:
    both_consent(client_for, interview, interviewer, candidate)
    upload(client_for, interviewer, interview, 0, b"voice")
    base = f"/api/interviews/{interview.pk}/recording"
    for user in (outsider, staff):
        client = client_for(user)
        answers = [
            client.get(f"{base}/").status_code,
            client.delete(f"{base}/").status_code,
            client.get(f"{base}/tracks/interviewer/").status_code,
            client.put(f"{base}/consent/", {"consent": True}, format="json").status_code,
            upload(client_for, user, interview, 1, b"voice").status_code,
        ]
        assert answers == [404] * 5
    assert RecordingChunk.objects.count() == 1


def test_deleting_removes_both_tracks_and_their_files_for_good(
    client_for, storage, interview, interviewer, candidate
) -> None:
    both_consent(client_for, interview, interviewer, candidate)
    upload(client_for, interviewer, interview, 0, b"ivy")
    upload(client_for, candidate, interview, 0, b"carl")
    assert len(stored_files(storage)) == 2
    response = client_for(candidate).delete(f"/api/interviews/{interview.pk}/recording/")
    assert response.status_code == 204
    assert not RecordingChunk.objects.exists()
    assert stored_files(storage) == []
    body = client_for(interviewer).get(f"/api/interviews/{interview.pk}/recording/").json()
    assert body["tracks"] == []
    # The one who deleted no longer consents, so the next chunk does not start it over.
    assert body["active"] is False
    assert upload(client_for, interviewer, interview, 1, b"ivy").status_code == 409
    track = client_for(interviewer).get(
        f"/api/interviews/{interview.pk}/recording/tracks/candidate/"
    )
    assert track.status_code == 404


def record_old_and_fresh(client_for, settings, interviewer, candidate):
    """Record a chunk 40 days ago and one now, with a retention of 30 days; return both."""
    settings.RECORDING_RETENTION_DAYS = 30
    old = live_interview(interviewer, candidate, starts_at=timezone.now() - timedelta(days=40))
    fresh = live_interview(interviewer, candidate)
    for interview, when in ((old, old.starts_at), (fresh, timezone.now())):
        with time_machine.travel(when, tick=False):
            both_consent(client_for, interview, interviewer, candidate)
            upload(client_for, interviewer, interview, 0, b"voice")
    return old, fresh


def test_the_retention_purge_deletes_recordings_past_their_days(
    client_for, settings, storage, interviewer, candidate
) -> None:
    from interviews.live.tasks import recordings_purge

    _, fresh = record_old_and_fresh(client_for, settings, interviewer, candidate)
    assert len(stored_files(storage)) == 2
    recordings_purge()  # what the beat entry runs
    assert list(RecordingChunk.objects.values_list("interview_id", flat=True)) == [fresh.pk]
    assert len(stored_files(storage)) == 1


def test_account_deletion_removes_the_users_recordings(
    client_for, storage, password, interview, interviewer, candidate
) -> None:
    both_consent(client_for, interview, interviewer, candidate)
    upload(client_for, interviewer, interview, 0, b"ivy")
    upload(client_for, candidate, interview, 0, b"carl")
    response = client_for(candidate).post("/api/me/delete/", {"password": password}, format="json")
    assert response.status_code in (200, 204), response.content
    assert not RecordingChunk.objects.exists()
    assert not RecordingConsent.objects.filter(user=candidate).exists()
    assert stored_files(storage) == []


def test_a_refused_chunk_leaves_no_file_behind(storage, interview, interviewer, candidate) -> None:
    from sevenstep.errors import ApplicationError

    for user in (interviewer, candidate):
        services.recording_consent_set(interview_id=interview.pk, user_id=user.pk, consent=True)
    services.recording_chunk_store(
        interview_id=interview.pk, user_id=interviewer.pk, seq=0, data=b"x" * 8,
        content_type="audio/ogg",
    )  # fmt: skip
    with pytest.raises(ApplicationError):
        services.recording_chunk_store(
            interview_id=interview.pk, user_id=interviewer.pk, seq=1, data=b"y" * 8,
            content_type="audio/ogg", offset_ms=10**9,
        )  # fmt: skip
    assert [path.suffix for path in stored_files(storage)] == [".ogg"]
    assert recording_storage().exists(RecordingChunk.objects.get().name)
