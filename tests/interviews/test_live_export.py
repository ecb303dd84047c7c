"""GET /api/interviews/{id}/notes/ and /replay/: who may read them and what they hold."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from pycrdt import Doc, Text

from interviews.live import services
from interviews.live.layout import DocumentKind
from interviews.live.selectors import texts_of
from interviews.services import session
from tests.support.yjs import live_interview

pytestmark = pytest.mark.django_db


def write(interview, kind: DocumentKind, name: str, text: str, doc: Doc | None = None) -> Doc:
    """Append an edit to a stored document, as the room would."""
    doc = doc or Doc()
    before = doc.get_state()
    section = doc.get(name, type=Text)
    section.insert(len(section), text)
    store(interview, kind, doc.get_update(before))
    return doc


def store(interview, kind: DocumentKind, update: bytes) -> None:
    """Log an update to a stored document, as the room would."""
    document = services.document_get_or_create(interview_id=interview.pk, kind=kind)
    services.updates_append(
        pending=[
            services.PendingUpdate(
                document_id=document.pk, interview_id=interview.pk, data=update, author_id=None
            )
        ]
    )


@pytest.fixture
def interview(interviewer, candidate):
    interview = live_interview(interviewer, candidate)
    write(interview, DocumentKind.NOTES, "step-1", "Users: **shoppers**; 10k QPS")
    write(interview, DocumentKind.NOTES, "scratch", "ideas")
    write(interview, DocumentKind.PRIVATE, "step-1", "asked good questions")
    return interview


@pytest.mark.parametrize("endpoint", ["notes", "replay"])
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 403),
        ("outsider", 404),
        ("staff", 404),
        ("candidate", 200),
        ("interviewer", 200),
    ],
)
def test_only_participants_read_the_notes_and_the_replay(
    request, client_for, interview, endpoint, who, status
) -> None:
    user = None if who == "anonymous" else request.getfixturevalue(who)
    response = client_for(user).get(f"/api/interviews/{interview.pk}/{endpoint}/")
    assert response.status_code == status, response.content
    if status != 200:
        assert "error" in response.json()
    if status == 404:
        # Exactly the answer for an id that does not exist: nothing to enumerate.
        missing = client_for(user).get(f"/api/interviews/999999/{endpoint}/")
        assert (missing.status_code, missing.json()) == (404, response.json())


@pytest.mark.parametrize("endpoint", ["notes", "replay"])
def test_an_unknown_interview_is_404(client_for, interviewer, endpoint) -> None:
    response = client_for(interviewer).get(f"/api/interviews/999999/{endpoint}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_the_notes_come_as_markdown_per_step(client_for, interview, candidate) -> None:
    body = client_for(candidate).get(f"/api/interviews/{interview.pk}/notes/").json()
    assert body["private"] is None
    first = body["notes"]["sections"][0]
    assert first == {
        "step": 1,
        "name": "step-1",
        "title": "Clarifying requirements",
        "text": "Users: **shoppers**; 10k QPS",
    }
    assert [section["name"] for section in body["notes"]["sections"]] == [
        f"step-{n}" for n in range(1, 8)
    ]
    markdown = body["notes"]["markdown"]
    assert markdown.startswith("## 1. Clarifying requirements\n\nUsers: **shoppers**; 10k QPS\n")
    assert "## 2. Framing as an ML task\n\n_No notes._" in markdown
    assert markdown.endswith("## Scratch\n\nideas\n")


def test_the_interviewer_also_gets_the_private_notes(client_for, interview, interviewer) -> None:
    body = client_for(interviewer).get(f"/api/interviews/{interview.pk}/notes/").json()
    assert body["private"]["sections"][0]["text"] == "asked good questions"
    assert "asked good questions" not in body["notes"]["markdown"]


def replayed(client, interview_id: int) -> tuple[list[dict], list[int]]:
    """Walk every page of a replay; return each moment's texts, and each page's size in bytes."""
    docs: dict[str, Doc] = {"notes": Doc(), "private": Doc()}
    parts: list[dict] = []
    sizes, start, events = [], 0, []
    while start is not None:
        response = client.get(f"/api/interviews/{interview_id}/replay/", {"start": start})
        assert response.status_code == 200, response.content
        sizes.append(len(response.content))
        body = response.json()
        assert body["start"] == start
        events = body["events"]
        parts += body["parts"]
        start = body["next"]
    moments = []
    for moment in range(len(events) + 1):
        seen = {"notes": False, "private": False}
        for part in (p for p in parts if p["moment"] == moment):
            docs[part["document"]].apply_update(base64.b64decode(part["update"]))
            seen[part["document"]] = True
        event = events[moment] if moment < len(events) else {"kind": "now", "step": None}
        moments.append(
            {
                "kind": event["kind"],
                "step": event["step"],
                "notes": texts_of(docs["notes"]),
                "private": texts_of(docs["private"]),
            }
        )
    return moments, sizes


def test_the_replay_shows_the_notes_at_each_step_change(client_for, interviewer, candidate) -> None:
    interview = live_interview(interviewer, candidate)
    start = interview.starts_at
    with time_machine.travel(start, tick=False):
        session.session_start(interview_id=interview.pk, user_id=interviewer.pk)
    with time_machine.travel(start + timedelta(minutes=3), tick=False):
        doc = write(interview, DocumentKind.NOTES, "step-1", "objective: purchases")
    with time_machine.travel(start + timedelta(minutes=4), tick=False):
        write(interview, DocumentKind.PRIVATE, "step-1", "never asked about scale")
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        session.session_next_step(interview_id=interview.pk, user_id=interviewer.pk)
    with time_machine.travel(start + timedelta(minutes=8), tick=False):
        write(interview, DocumentKind.NOTES, "step-2", "ranking", doc)
    with time_machine.travel(start + timedelta(minutes=45), tick=False):
        session.session_end(interview_id=interview.pk, user_id=interviewer.pk)

    moments, _ = replayed(client_for(candidate), interview.pk)
    frames = [(m["kind"], m["step"], m["notes"]["step-1"], m["notes"]["step-2"]) for m in moments]
    assert frames == [
        ("started", None, "", ""),
        ("step_entered", 1, "", ""),
        ("step_entered", 2, "objective: purchases", ""),
        ("ended", None, "objective: purchases", "ranking"),
        ("now", None, "objective: purchases", "ranking"),
    ]
    body = client_for(candidate).get(f"/api/interviews/{interview.pk}/replay/").json()
    assert {part["document"] for part in body["parts"]} == {"notes"}
    assert all(m["private"]["step-1"] == "" for m in moments)

    mine, _ = replayed(client_for(interviewer), interview.pk)
    assert [m["notes"] for m in mine] == [m["notes"] for m in moments]
    assert [m["private"]["step-1"] for m in mine] == [
        "",
        "",
        "never asked about scale",
        "never asked about scale",
        "never asked about scale",
    ]


def test_the_replay_sends_each_text_once_however_many_step_changes(
    client_for, interviewer, candidate
) -> None:
    interview = live_interview(interviewer, candidate)
    start = interview.starts_at
    with time_machine.travel(start, tick=False):
        session.session_start(interview_id=interview.pk, user_id=interviewer.pk)
        doc = write(interview, DocumentKind.NOTES, "step-1", "x" * 200_000)
    for n in range(30):
        with time_machine.travel(start + timedelta(minutes=n + 1), tick=False):
            session.session_goto_step(
                interview_id=interview.pk, user_id=interviewer.pk, step=2 + n % 2
            )
            write(interview, DocumentKind.NOTES, "step-2", "y", doc)
    moments, sizes = replayed(client_for(candidate), interview.pk)
    assert len(moments) == 33
    assert moments[-1]["notes"]["step-2"] == "y" * 30
    # The 200 kB text travels once (as base64), not once per moment.
    assert sum(sizes) < 400_000, sizes


@override_settings(LIVE_REPLAY_PAGE_BYTES=1000)
def test_the_replay_comes_in_pages_of_bounded_size(client_for, interviewer, candidate) -> None:
    interview = live_interview(interviewer, candidate)
    start = interview.starts_at
    with time_machine.travel(start, tick=False):
        session.session_start(interview_id=interview.pk, user_id=interviewer.pk)
    doc = None
    for n in range(6):
        with time_machine.travel(start + timedelta(minutes=n + 1), tick=False):
            doc = write(interview, DocumentKind.NOTES, f"step-{n % 3 + 1}", f"{n}" * 700, doc)
            session.session_goto_step(interview_id=interview.pk, user_id=interviewer.pk, step=n + 2)
    moments, sizes = replayed(client_for(candidate), interview.pk)
    assert len(sizes) > 3
    # One part of at most 700 characters or parts under the budget, as base64, per page.
    assert max(sizes) < 1000 * 4 // 3 + 1500, sizes
    assert [m["notes"]["step-1"] for m in moments][-1] == "0" * 700 + "3" * 700
    assert [len(m["notes"]["step-2"]) for m in moments] == [
        0,
        0,
        0,
        700,
        700,
        700,
        1400,
        1400,
        1400,
    ]


def test_a_replay_start_that_is_not_a_part_number_is_a_400(
    client_for, interview, candidate
) -> None:
    url = f"/api/interviews/{interview.pk}/replay/"
    for start in ("-1", "x", "1e9999"):
        response = client_for(candidate).get(url, {"start": start})
        assert response.status_code == 400
        assert response.json()["error"]["fields"].keys() == {"start"}
    assert client_for(candidate).get(url, {"page": "2"}).status_code == 400
    past = client_for(candidate).get(url, {"start": 50}).json()
    assert (past["parts"], past["next"]) == ([], None)


def test_the_endpoints_are_in_the_schema(api) -> None:
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "/api/interviews/{interview_id}/notes/" in schema["paths"]
    assert "/api/interviews/{interview_id}/replay/" in schema["paths"]
