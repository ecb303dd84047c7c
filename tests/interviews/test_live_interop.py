"""The stock Yjs client (yjs@13 + y-websocket@3) against the real ASGI server."""

from __future__ import annotations

import pytest

from interviews.live import selectors
from interviews.live.layout import DocumentKind
from tests.support.servers import asgi_server
from tests.support.yjs import Unmet, live_interview, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def stored(interview_id: int, kind: DocumentKind = DocumentKind.NOTES) -> dict[str, str]:
    return selectors.stored_texts(interview_id=interview_id, kind=kind)


def test_two_yjs_clients_edit_one_step_concurrently_and_converge_with_the_database(
    harness, interviewer, candidate
) -> None:
    interview = live_interview(interviewer, candidate)
    with asgi_server() as server:
        harness.open("A", server.ws_url, interview.pk, interviewer)
        harness.open("B", server.ws_url, interview.pk, candidate)
        edits = [
            harness.send("edit", id=client, field="step-1", ops=300, seed=seed, interval_ms=2)
            for client, seed in (("A", 11), ("B", 29))
        ]
        for seq in edits:
            harness.wait(seq, timeout=60)

        def converged() -> bool | Unmet:
            a, b = harness.texts("A").get("step-1"), harness.texts("B").get("step-1")
            db = stored(interview.pk)["step-1"]
            return (a == b == db and bool(a)) or Unmet((a, b, db))

        wait_until(converged)
        final = harness.texts("A")["step-1"]
        assert len(final) > 100  # both typed, some deletes: plenty left


def test_the_interviewer_edits_private_notes_with_the_stock_client(
    harness, interviewer, candidate
) -> None:
    interview = live_interview(interviewer, candidate)
    with asgi_server() as server:
        harness.open("A", server.ws_url, interview.pk, interviewer, room="private")
        harness.call("edit", id="A", field="scratch", ops=50, seed=3, insert_only=True)
        private = DocumentKind.PRIVATE
        wait_until(
            lambda: harness.texts("A")["scratch"] == stored(interview.pk, private)["scratch"] != ""
        )
        assert stored(interview.pk)["scratch"] == ""  # the shared notes are untouched
