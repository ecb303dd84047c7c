"""The replay plays both recorded voices on the interview clock, and the notes follow them.

Two browsers record a tone each (real Opus in WebM from Chromium's MediaRecorder) while the
interview runs; the notes and the step changes are placed on the same clock; the candidate
then opens the replay, plays, seeks and clicks a step, and the notes, the highlighted step and
both <audio> elements move together. The tracks are fetched with byte ranges (206).
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import time_machine
from django.utils import timezone
from playwright.sync_api import Response

from interviews.live.layout import DocumentKind
from interviews.live.models import RecordingChunk
from interviews.live.services import recording_consent_set
from interviews.models import Interview
from interviews.services import session
from tests.e2e import test_recording
from tests.e2e.conftest import log_in, screenshot
from tests.e2e.test_call import _wait
from tests.factories import InterviewFactory, UserFactory
from tests.interviews.test_live_export import write

media_browser = test_recording.media_browser
call_pages = test_recording.call_pages
server = test_recording.server

SECONDS = 6

# Record the page's own tone in one-second slices, each uploaded as soon as it is cut with
# where it began on the interview clock; the result is left on `window.recorded`.
RECORD = (
    """({interviewId, originMs, seconds}) => {"""
    + test_recording.TONE_RECORDER
    + """
  const cookie = document.cookie.split('; ').find((c) => c.startsWith('csrftoken='))
  const csrf = cookie ? cookie.split('=')[1] : ''
  const statuses = []
  let seq = 0
  let began = 0
  recorder.ondataavailable = (event) => {
    const form = new FormData()
    const mine = seq++
    form.append('seq', String(mine))
    form.append('offset_ms', String(Math.round(began + mine * 1000 - originMs)))
    form.append('audio', event.data, `chunk-${mine}.webm`)
    statuses.push(fetch(`/api/interviews/${interviewId}/recording/chunks/`, {
      method: 'POST', body: form, headers: {'X-CSRFToken': csrf},
    }).then((response) => response.status))
  }
  const stopped = new Promise((resolve) => (recorder.onstop = resolve))
  began = Date.now()
  recorder.start(1000)
  window.recorded = new Promise((resolve) => setTimeout(resolve, seconds * 1000))
    .then(() => { recorder.stop(); return stopped })
    .then(() => Promise.all(statuses))
}"""
)

VOICES = """() => [...document.querySelectorAll('audio')].map((audio) => ({
  role: audio.dataset.testid.replace('voice-', ''),
  time: audio.currentTime,
  paused: audio.paused,
  ready: audio.readyState,
}))"""

SEEK = """(ms) => {
  const bar = document.querySelector('[aria-label="Position in the recording"]')
  Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(bar, String(ms))
  bar.dispatchEvent(new Event('input', {bubbles: true}))
}"""


def _clock_seconds(page, end: bool = False) -> float:
    """Read the player's position (or, with `end`, where its bar ends) in whole seconds."""
    shown = page.get_by_test_id("replay-clock").inner_text().split(" / ")[1 if end else 0]
    minutes, seconds = shown.split(":")
    return int(minutes) * 60 + int(seconds)


def _voices(page) -> dict[str, dict[str, Any]]:
    return {voice["role"]: voice for voice in page.evaluate(VOICES)}


def _current_step(page) -> str | None:
    current = page.locator('[aria-current="step"]')
    return current.get_attribute("data-testid") if current.count() else None


def test_the_replay_plays_both_voices_and_the_notes_follow_the_audio(
    call_pages, server, password
) -> None:
    ivy = UserFactory(email="ivy@example.com", profile__display_name="Ivy")
    carl = UserFactory(email="carl@example.com", profile__display_name="Carl")
    interview = InterviewFactory(
        interviewer=ivy, candidate=carl, starts_at=timezone.now() + timedelta(minutes=2)
    )
    pages = {}
    for user in (ivy, carl):
        pages[user.pk] = call_pages(server.http_url)
        log_in(pages[user.pk], user.email, password, "/")
        recording_consent_set(interview_id=interview.pk, user_id=user.pk, consent=True)
    session.session_start(interview_id=interview.pk, user_id=ivy.pk)
    origin = Interview.objects.get(pk=interview.pk).started_at
    assert origin is not None
    # Both speak at once, for SECONDS seconds, from about half a second into the interview.
    time.sleep(0.5)
    for page in pages.values():
        page.evaluate(
            RECORD,
            {
                "interviewId": interview.pk,
                "originMs": origin.timestamp() * 1000,
                "seconds": SECONDS,
            },
        )
    for page in pages.values():
        statuses = page.evaluate("window.recorded")
        assert statuses and set(statuses) == {201}, statuses
    # The notes and the steps on the same clock: step 1's notes at 2 s, step 2 entered at
    # 3 s, its notes at 4.5 s; the interview ends afterwards.
    with time_machine.travel(origin + timedelta(seconds=2), tick=False):
        doc = write(interview, DocumentKind.NOTES, "step-1", "objective: purchases")
    with time_machine.travel(origin + timedelta(seconds=3), tick=False):
        session.session_next_step(interview_id=interview.pk, user_id=ivy.pk)
    with time_machine.travel(origin + timedelta(seconds=4.5), tick=False):
        write(interview, DocumentKind.NOTES, "step-2", "ranking model", doc)
    session.session_end(interview_id=interview.pk, user_id=ivy.pk)
    assert {c.user_id for c in RecordingChunk.objects.filter(interview=interview)} == {
        ivy.pk,
        carl.pk,
    }

    page = pages[carl.pk]
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    ranged: list[int] = []

    def note_track(response: Response) -> None:
        if "/recording/tracks/" in response.url:
            ranged.append(response.status)

    page.on("response", note_track)
    page.goto(f"/interviews/{interview.pk}/replay")
    player = page.get_by_test_id("replay-player")
    player.wait_for()
    # Both tracks read and measured: the bar spans the recorded stretch (about SECONDS s).
    assert _wait(lambda: all(v["ready"] >= 1 for v in _voices(page).values()), seconds=15)
    # (Until a track's length is known the bar runs a minute past its start.)
    assert _wait(
        lambda: SECONDS - 1 <= _clock_seconds(page, end=True) <= SECONDS + 2, seconds=15
    ), page.get_by_test_id("replay-clock").inner_text()
    assert set(_voices(page)) == {"interviewer", "candidate"}
    # Beside the voices: the question asked, and each step's time against its budget.
    prompt = Interview.objects.get(pk=interview.pk).question.prompt
    assert prompt.split()[0] in page.get_by_test_id("replay-prompt").inner_text()
    step1 = page.get_by_test_id("step-time-1").inner_text()
    assert step1 == "Time on this step: 0:03 of a 4 min 30 s budget", step1
    assert page.get_by_test_id("step-time-3").inner_text() == "Not reached."
    # At the start of the recording: step 1, nothing written yet.
    assert _current_step(page) == "replay-step-1"
    assert page.get_by_text("objective: purchases").count() == 0

    # Playing moves the clock, both voices and, past 3 s, the notes and the step.
    page.get_by_role("button", name="Play").click()
    assert _wait(lambda: _clock_seconds(page) >= 4, seconds=10)
    voices = _voices(page)
    assert not voices["interviewer"]["paused"] and not voices["candidate"]["paused"], voices
    assert voices["interviewer"]["time"] > 2 and voices["candidate"]["time"] > 2, voices
    assert _current_step(page) == "replay-step-2"
    page.get_by_text("objective: purchases").wait_for()
    page.get_by_role("button", name="Pause").click()

    # Seeking back to 1 s: the notes go back to before anything was written; the voices too.
    tracks = {
        t["role"]: t["start_offset_ms"] / 1000
        for t in page.request.get(
            f"{server.http_url}/api/interviews/{interview.pk}/recording/"
        ).json()["tracks"]
    }
    page.evaluate(SEEK, 1000)
    page.get_by_text("objective: purchases").wait_for(state="detached")
    assert _current_step(page) == "replay-step-1"
    assert _clock_seconds(page) == 1
    for role, voice in _voices(page).items():
        assert abs(voice["time"] - max(1 - tracks[role], 0)) < 0.3, (role, voice, tracks)

    # Clicking step 2 puts both voices where it began (3 s) and plays on from there.
    page.get_by_role("button", name="Listen from step 2").click()
    page.get_by_text("objective: purchases").wait_for()
    assert _current_step(page) == "replay-step-2"
    voices = _voices(page)
    for role, voice in voices.items():
        assert 3 - tracks[role] - 0.1 < voice["time"] < 3 - tracks[role] + 1, (role, voices)
    assert _wait(lambda: not any(v["paused"] for v in _voices(page).values()), seconds=5)
    screenshot(page, "27-replay-with-voices")
    page.get_by_role("button", name="Pause").click()
    # The player asked for byte ranges, and the server answered them.
    assert 206 in ranged, ranged
    assert errors == []
