"""The replay's frames: how the notes grew between two events, within a bounded cost."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta

import pytest
import time_machine
from django.test import override_settings
from pycrdt import Doc, Map

from interviews.live.layout import DocumentKind
from interviews.live.selectors import texts_of
from interviews.services import session
from tests.interviews.test_live_export import store, write
from tests.support.yjs import live_interview

pytestmark = pytest.mark.django_db


def parts_of(client, interview_id: int) -> tuple[list[dict], list[dict], int]:
    """Walk every page; return the events, the parts and the number of pages."""
    parts: list[dict] = []
    start, pages, events = 0, 0, []
    while start is not None:
        response = client.get(f"/api/interviews/{interview_id}/replay/", {"start": start})
        assert response.status_code == 200, response.content
        body = response.json()
        events, start, pages = body["events"], body["next"], pages + 1
        parts += body["parts"]
    return events, parts, pages


def states(parts: list[dict], document: str = "notes") -> list[tuple[str, int, dict]]:
    """Return, after each part of a document, its time, moment and the texts then."""
    doc: Doc = Doc()
    seen: list[tuple[str, int, dict]] = []
    for part in parts:
        if part["document"] != document:
            continue
        doc.apply_update(base64.b64decode(part["update"]))
        seen.append((part["at"], part["moment"], texts_of(doc)))
    return seen


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def step_one_typed_in_bursts(
    interviewer, candidate, seconds: list[int], text: str = "x", private: str = ""
):
    """Start, write `text` into step 1 at each offset, move to step 2 at ten minutes, end."""
    interview = live_interview(interviewer, candidate)
    start = interview.starts_at
    with time_machine.travel(start, tick=False):
        session.session_start(interview_id=interview.pk, user_id=interviewer.pk)
    doc = None
    for offset in seconds:
        with time_machine.travel(start + timedelta(seconds=offset), tick=False):
            doc = write(interview, DocumentKind.NOTES, "step-1", text, doc)
    if private:
        with time_machine.travel(start + timedelta(seconds=seconds[-1]), tick=False):
            write(interview, DocumentKind.PRIVATE, "step-1", private)
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        session.session_next_step(interview_id=interview.pk, user_id=interviewer.pk)
    with time_machine.travel(start + timedelta(minutes=12), tick=False):
        session.session_end(interview_id=interview.pk, user_id=interviewer.pk)
    return interview


def test_the_replay_shows_the_notes_growing_within_a_step(
    client_for, interviewer, candidate
) -> None:
    interview = step_one_typed_in_bursts(interviewer, candidate, [30, 35, 125, 400])
    start = interview.starts_at

    events, parts, _ = parts_of(client_for(candidate), interview.pk)
    kinds = [event["kind"] for event in events]
    assert kinds == ["started", "step_entered", "step_entered", "ended"]
    seen = [(at, moment, texts["step-1"]) for at, moment, texts in states(parts)]
    # Frames every 10 s on the clock: the edits at 30 and 35 s show at 30 and 40 s; all of
    # them are before the step change (event 2), so they lead up to it.
    assert seen == [
        (iso(start + timedelta(seconds=30)), 2, "x"),
        (iso(start + timedelta(seconds=40)), 2, "xx"),
        (iso(start + timedelta(seconds=130)), 2, "xxx"),
        (iso(start + timedelta(seconds=400)), 2, "xxxx"),
    ]


def test_the_frames_are_spread_over_a_long_interview_and_capped(
    client_for, interviewer, candidate
) -> None:
    typed = list(range(5, 600, 5))
    with override_settings(LIVE_REPLAY_MAX_FRAMES=6):
        interview = step_one_typed_in_bursts(interviewer, candidate, typed)
        _, parts, _ = parts_of(client_for(candidate), interview.pk)
    frames = [part for part in parts if part["moment"] == 2]
    # Twelve minutes over six frames: one every two minutes, at 2, 4, 6 and 8 minutes before
    # the step change at 10 (which is an event, not a frame), plus the change itself.
    assert [part["at"] for part in frames][:4] == [
        iso(interview.starts_at + timedelta(minutes=m)) for m in (2, 4, 6, 8)
    ]
    assert len(frames) == 4 + 1
    assert states(parts)[-1][2]["step-1"] == "x" * len(typed)


def test_a_flood_of_rewrites_ends_the_frames_not_the_replay(
    client_for, interviewer, candidate
) -> None:
    with override_settings(LIVE_REPLAY_FRAME_BYTES=2000):
        interview = step_one_typed_in_bursts(interviewer, candidate, [20, 40, 60, 80], "y" * 700)
        events, parts, _ = parts_of(client_for(candidate), interview.pk)
    seen = [(moment, len(texts["step-1"])) for _, moment, texts in states(parts)]
    # Two frames fit the budget; the rest arrives with the step change, nothing is lost.
    assert seen == [(2, 700), (2, 1400), (2, 2800)]
    assert parts[-1]["at"] == events[2]["at"]


@override_settings(LIVE_REPLAY_PAGE_BYTES=500)
def test_pages_number_the_frames_alike_and_time_never_goes_back(
    client_for, interviewer, candidate
) -> None:
    interview = step_one_typed_in_bursts(
        interviewer, candidate, [15, 45, 75, 200], "z" * 400, private="good scoping"
    )
    _, parts, pages = parts_of(client_for(interviewer), interview.pk)
    assert pages > 2
    ats = [part["at"] for part in parts]
    assert ats == sorted(ats)
    assert [len(texts["step-1"]) for _, _, texts in states(parts)] == [400, 800, 1200, 1600]
    assert states(parts, "private")[-1][2]["step-1"] == "good scoping"


def test_the_board_is_part_of_each_frame(client_for, interviewer, candidate) -> None:
    interview = live_interview(interviewer, candidate)
    start = interview.starts_at
    with time_machine.travel(start, tick=False):
        session.session_start(interview_id=interview.pk, user_id=interviewer.pk)
    doc: Doc = Doc()
    board = doc.get("board", type=Map)
    for offset, element in ((20, "ranker"), (50, "store")):
        with time_machine.travel(start + timedelta(seconds=offset), tick=False):
            before = doc.get_state()
            board[element] = {"id": element, "type": "rectangle", "version": 1}
            store(interview, DocumentKind.NOTES, doc.get_update(before))
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        session.session_end(interview_id=interview.pk, user_id=interviewer.pk)
    _, parts, _ = parts_of(client_for(candidate), interview.pk)
    replayed: Doc = Doc()
    seen: list[tuple[str, list[str]]] = []
    for part in parts:
        replayed.apply_update(base64.b64decode(part["update"]))
        seen.append((part["at"], sorted(replayed.get("board", type=Map).keys())))
    assert seen == [
        (iso(start + timedelta(seconds=20)), ["ranker"]),
        (iso(start + timedelta(seconds=50)), ["ranker", "store"]),
    ]
