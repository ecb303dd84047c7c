"""Several server processes on real Redis and PostgreSQL, and a process killed mid-typing."""

from __future__ import annotations

import time

import pytest
from pycrdt import Doc

from accounts.services import ws_ticket_issue
from interviews.live import selectors
from interviews.live.layout import DocumentKind
from interviews.live.models import LiveDocument
from tests.support.servers import asgi_server
from tests.support.yjs import (
    Unmet,
    decode_state_vector,
    live_interview,
    wait_until,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
]


def stored_doc(interview_id: int) -> Doc:
    document = LiveDocument.objects.get(interview_id=interview_id, kind=DocumentKind.NOTES)
    return selectors.doc_from_update(selectors.document_state(document_id=document.pk).update)


def stored_step(interview_id: int, name: str = "step-1") -> str:
    return selectors.texts_of(stored_doc(interview_id))[name]


def test_clients_on_two_processes_converge(harness, interviewer, candidate) -> None:
    interview = live_interview(interviewer, candidate)
    with asgi_server() as one, asgi_server() as two:
        harness.open("A", one.ws_url, interview.pk, interviewer)
        harness.open("B", two.ws_url, interview.pk, candidate)
        edits = [
            harness.send("edit", id=client, field="step-3", ops=300, seed=seed, interval_ms=2)
            for client, seed in (("A", 5), ("B", 17))
        ]
        for seq in edits:
            harness.wait(seq, timeout=60)

        def converged() -> bool | Unmet:
            a, b = harness.texts("A")["step-3"], harness.texts("B")["step-3"]
            db = stored_step(interview.pk, "step-3")
            return (a == b == db and len(a) > 100) or Unmet((a, b, db))

        wait_until(converged)


def test_killing_the_server_a_client_types_on_loses_nothing_the_peer_saw(
    harness, interviewer, candidate
) -> None:
    interview = live_interview(interviewer, candidate)
    with asgi_server() as doomed, asgi_server() as survivor:
        harness.open("A", doomed.ws_url, interview.pk, interviewer)
        harness.open("B", survivor.ws_url, interview.pk, candidate)
        harness.call("type_start", id="A", field="step-1", prefix="a", interval_ms=5)
        wait_until(lambda: len(harness.texts("B").get("step-1", "")) > 200)

        doomed.kill()  # SIGKILL: no chance to flush or say goodbye
        seen = harness.call("state", id="B")
        # Everything B was ever sent is in the database already, before anyone reconnects.
        in_db = decode_state_vector(stored_doc(interview.pk).get_state())
        for client_id, clock in seen["sv"].items():
            assert in_db.get(int(client_id), 0) >= clock, (client_id, clock, in_db)
        assert stored_step(interview.pk).startswith(seen["texts"]["step-1"])

        time.sleep(0.3)  # A keeps typing offline
        typed = harness.call("type_stop", id="A")["typed"]
        harness.call(
            "set_server",
            id="A",
            url=f"{survivor.ws_url}/ws/interviews/{interview.pk}",
            # a ticket opens one socket: reconnecting takes a new one
            params={"ticket": ws_ticket_issue(user=interviewer)},
        )
        harness.call("wait_synced", id="A")

        expected = "".join(f"a{n}." for n in range(typed))

        def converged() -> bool | Unmet:
            a, b = harness.texts("A")["step-1"], harness.texts("B")["step-1"]
            db = stored_step(interview.pk)
            return a == b == db == expected or Unmet((len(a), len(b), len(db), len(expected)))

        wait_until(converged)
