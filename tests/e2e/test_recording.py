"""Recording in two real browsers: both consent, each records its own microphone.

No audio tool is needed: each page's microphone is a tone from its own audio graph, Chromium's
MediaRecorder makes real Opus-in-WebM of it, the app uploads it in slices, and the browser's
own decoder (`decodeAudioData`) reads the stored tracks back.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from interviews.live.models import RecordingChunk
from tests.e2e import test_call
from tests.e2e.conftest import SERVER_ENV
from tests.e2e.test_call import _join_both, _wait
from tests.support.servers import ROOT, AsgiServer, asgi_server, process_env

# The browsers with a fake microphone playing a tone, as in the call's tests.
media_browser = test_call.media_browser
call_pages = test_call.call_pages


@pytest.fixture
def server(tmp_path: Path) -> Iterator[AsgiServer]:
    """A server of the test's own, so the test can read the files it stores."""
    env = {**SERVER_ENV, "SEVENSTEP_VAR_DIR": str(tmp_path)}
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=process_env(**env),
        check=True,
    )
    with asgi_server(env) as server:
        yield server


# A tone from the page's own audio graph as the microphone: Playwright's Chromium here refuses
# getUserMedia (NotAllowedError) whatever the fake-media flags and granted permissions say.
TONE_MICROPHONE = """
navigator.mediaDevices.getUserMedia = async () => {
  const context = new AudioContext()
  const tone = context.createOscillator()
  const sink = context.createMediaStreamDestination()
  tone.connect(sink)
  tone.start()
  return sink.stream
}
"""


def toned(make):
    """Open pages whose microphone is a tone."""

    def make_toned(base_url: str):
        page = make(base_url)
        page.add_init_script(TONE_MICROPHONE)
        return page

    return make_toned


def _recording(page) -> None:
    page.get_by_test_id("recording-indicator").wait_for()


def test_both_consent_each_voice_is_recorded_stored_once_and_decodes(
    call_pages, server, password, tmp_path
) -> None:
    interviewer, candidate = _join_both(toned(call_pages), server.http_url, password)
    # Each records its own microphone, so only the microphone is needed, not the connection.
    for page in (interviewer, candidate):
        page.get_by_role("button", name="Mute").wait_for()
    interviewer.get_by_test_id("recording-consent").click()
    candidate.get_by_test_id("recording-waiting").get_by_text("would like to record").wait_for()
    assert candidate.get_by_test_id("recording-indicator").count() == 0
    candidate.get_by_test_id("recording-consent").click()
    for page in (interviewer, candidate):
        _recording(page)

    def slices(count: int) -> bool:
        users = RecordingChunk.objects.values_list("user_id", flat=True)
        return len(users) >= 2 * count and len(set(users)) == 2

    assert _wait(lambda: slices(2), seconds=20), list(RecordingChunk.objects.values("user_id"))
    # Withdrawing stops both recorders; each sends its last slice, and then nothing more.
    candidate.get_by_test_id("recording-consent").click()
    for page in (interviewer, candidate):
        page.get_by_test_id("recording-waiting").wait_for()
    interviewer.wait_for_timeout(2_000)
    stored = RecordingChunk.objects.count()
    interviewer.wait_for_timeout(6_000)
    assert RecordingChunk.objects.count() == stored

    chunk = RecordingChunk.objects.first()
    assert chunk is not None
    recording = interviewer.request.get(
        f"{server.http_url}/api/interviews/{chunk.interview_id}/recording/"
    ).json()
    tracks = {track["role"]: track for track in recording["tracks"]}
    assert set(tracks) == {"interviewer", "candidate"}
    durations = {}
    for role, track in tracks.items():
        body = interviewer.request.get(f"{server.http_url}{track['url']}").body()
        user_chunks = RecordingChunk.objects.filter(
            interview_id=recording["interview"],
            user_id=recording_user(recording["interview"], role),
        ).order_by("seq")
        joined = b"".join((tmp_path / "media" / chunk.name).read_bytes() for chunk in user_chunks)
        assert body == joined, role
        assert body[:4] == b"\x1a\x45\xdf\xa3"  # a WebM (EBML) stream
        assert track["content_type"] == "audio/webm"
        durations[role] = interviewer.evaluate(DECODE, track["url"])["duration"]
    # Both recorded the same stretch of the call: their lengths agree within a second.
    assert min(durations.values()) > 5, durations
    assert abs(durations["interviewer"] - durations["candidate"]) < 1, durations
    # Deleting takes both tracks and their files.
    response = candidate.request.delete(
        f"{server.http_url}/api/interviews/{recording['interview']}/recording/",
        headers={"X-CSRFToken": _csrf(candidate)},
    )
    assert response.status == 204, response.text()
    assert not RecordingChunk.objects.exists()
    assert not [path for path in (tmp_path / "media").rglob("*") if path.is_file()]


def recording_user(interview_id: int, role: str) -> int:
    from interviews.models import Interview

    interview = Interview.objects.get(pk=interview_id)
    return interview.interviewer_id if role == "interviewer" else interview.candidate_id


def _csrf(page) -> str:
    cookies = {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}
    return cookies.get("csrftoken", "")


# A real Opus-in-WebM recorder of the browser's own encoder: a tone, no microphone needed.
TONE_RECORDER = """
  const context = new AudioContext()
  const tone = context.createOscillator()
  const sink = context.createMediaStreamDestination()
  tone.connect(sink)
  tone.start()
  const recorder = new MediaRecorder(sink.stream, {mimeType: 'audio/webm;codecs=opus'})
"""

RECORD_AND_UPLOAD = (
    """async ({interviewId, seconds}) => {"""
    + TONE_RECORDER
    + """
  const slices = []
  recorder.ondataavailable = (event) => { if (event.data.size) slices.push(event.data) }
  const stopped = new Promise((resolve) => (recorder.onstop = resolve))
  recorder.start(1000)
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000))
  recorder.stop()
  await stopped
  tone.stop()
  const cookie = document.cookie.split('; ').find((c) => c.startsWith('csrftoken='))
  const csrf = cookie ? cookie.split('=')[1] : ''
  const send = async (seq) => {
    const form = new FormData()
    form.append('seq', String(seq))
    form.append('audio', slices[seq], `chunk-${seq}.webm`)
    const response = await fetch(`/api/interviews/${interviewId}/recording/chunks/`, {
      method: 'POST', body: form, headers: {'X-CSRFToken': csrf},
    })
    return response.status
  }
  // Last slice first, then the rest, then the first again: order and retries do not matter.
  const statuses = [await send(slices.length - 1)]
  for (let seq = 0; seq < slices.length - 1; seq++) statuses.push(await send(seq))
  statuses.push(await send(0))
  const sent = new Uint8Array(await new Blob(slices).arrayBuffer())
  return {statuses, sent: Array.from(sent)}
}"""
)

DECODE = """async (url) => {
  const bytes = await (await fetch(url)).arrayBuffer()
  const audio = await new OfflineAudioContext(1, 48000, 48000).decodeAudioData(bytes)
  return {duration: audio.duration, bytes: bytes.byteLength}
}"""


def test_a_real_opus_recording_is_stored_byte_for_byte_and_decodes(
    call_pages, server, password, tmp_path
) -> None:
    from tests.e2e.conftest import log_in
    from tests.factories import InterviewFactory, UserFactory

    ivy = UserFactory(email="ivy@example.com")
    carl = UserFactory(email="carl@example.com")
    from datetime import timedelta

    from django.utils import timezone

    interview = InterviewFactory(
        interviewer=ivy, candidate=carl, starts_at=timezone.now() + timedelta(minutes=2)
    )
    page = call_pages(server.http_url)
    log_in(page, "carl@example.com", password, "/")
    for user in (ivy, carl):
        from interviews.live.services import recording_consent_set

        recording_consent_set(interview_id=interview.pk, user_id=user.pk, consent=True)
    result = page.evaluate(RECORD_AND_UPLOAD, {"interviewId": interview.pk, "seconds": 3})
    statuses = result["statuses"]
    assert statuses[:-1] == [201] * (len(statuses) - 1) and statuses[-1] == 200, statuses
    chunks = list(RecordingChunk.objects.filter(interview=interview).order_by("seq"))
    assert len(chunks) == len(statuses) - 1 >= 3
    joined = b"".join((tmp_path / "media" / chunk.name).read_bytes() for chunk in chunks)
    assert joined == bytes(result["sent"])
    url = f"/api/interviews/{interview.pk}/recording/tracks/candidate/"
    track = page.request.get(f"{server.http_url}{url}").body()
    assert track == joined
    decoded = page.evaluate(DECODE, url)
    assert abs(decoded["duration"] - 3) < 1, decoded
