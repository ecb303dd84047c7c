"""GET /api/interviews/{id}/notes/ and /replay/: who may read them and what they hold."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from pycrdt import Doc, Text

from interviews.live import services
from interviews.live.layout import DocumentKind
from interviews.services import session
from tests.support.yjs import live_interview

pytestmark = pytest.mark.django_db


def write(interview, kind: DocumentKind, name: str, text: str, doc: Doc | None = None) -> Doc:  # type: ignore[no-untyped-def]
    """Append an edit to a stored document, as the room would."""
    doc = doc or Doc()
    before = doc.get_state()
    section = doc.get(name, type=Text)
    section.insert(len(section), text)
    document = services.document_get_or_create(interview_id=interview.pk, kind=kind)
    services.updates_append(
        pending=[
            services.PendingUpdate(
                document_id=document.pk,
                interview_id=interview.pk,
                data=doc.get_update(before),
                author_id=None,
            )
        ]
    )
    return doc


@pytest.fixture
def interview(interviewer, candidate):  # type: ignore[no-untyped-def]
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
) -> None:  # type: ignore[no-untyped-def]
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
def test_an_unknown_interview_is_404(client_for, interviewer, endpoint) -> None:  # type: ignore[no-untyped-def]
    response = client_for(interviewer).get(f"/api/interviews/999999/{endpoint}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_the_notes_come_as_markdown_per_step(client_for, interview, candidate) -> None:  # type: ignore[no-untyped-def]
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


def test_the_interviewer_also_gets_the_private_notes(client_for, interview, interviewer) -> None:  # type: ignore[no-untyped-def]
    body = client_for(interviewer).get(f"/api/interviews/{interview.pk}/notes/").json()
    assert body["private"]["sections"][0]["text"] == "asked good questions"
    assert "asked good questions" not in body["notes"]["markdown"]


def test_the_replay_shows_the_notes_at_each_step_change(client_for, interviewer, candidate) -> None:  # type: ignore[no-untyped-def]
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

    body = client_for(candidate).get(f"/api/interviews/{interview.pk}/replay/").json()
    frames = [
        (f["kind"], f["step"], f["notes"]["step-1"], f["notes"]["step-2"]) for f in body["timeline"]
    ]
    assert frames == [
        ("started", None, "", ""),
        ("step_entered", 1, "", ""),
        ("step_entered", 2, "objective: purchases", ""),
        ("ended", None, "objective: purchases", "ranking"),
    ]
    assert body["updates"] == 2
    assert body["final"]["step-2"] == "ranking"
    assert body["private_final"] is None
    assert "never asked about scale" not in json.dumps(body)

    mine = client_for(interviewer).get(f"/api/interviews/{interview.pk}/replay/").json()
    assert [f["notes"] for f in mine["timeline"]] == [f["notes"] for f in body["timeline"]]
    assert [f["private"]["step-1"] for f in mine["timeline"]] == [
        "",
        "",
        "never asked about scale",
        "never asked about scale",
    ]
    assert mine["private_final"]["step-1"] == "never asked about scale"
    assert mine["updates"] == 3


def test_the_endpoints_are_in_the_schema(api) -> None:  # type: ignore[no-untyped-def]
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "/api/interviews/{interview_id}/notes/" in schema["paths"]
    assert "/api/interviews/{interview_id}/replay/" in schema["paths"]
