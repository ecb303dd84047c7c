"""Awareness with the stock Yjs client on real servers, and ownership across processes."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from pycrdt import Awareness, Doc
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from accounts.services import ws_ticket_issue
from interviews.live import protocol
from interviews.live.protocol import Kind
from tests.support.servers import asgi_server
from tests.support.yjs import Unmet, YjsHarness, awareness_frame, live_interview, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

IVY = {"name": "Ivy", "role": "interviewer", "color": "#1f4fbf", "colorLight": "#1f4fbf33"}
CARL = {"name": "Carl", "role": "candidate", "color": "#b3261e", "colorLight": "#b3261e33"}


def states(harness: YjsHarness, client: str) -> dict[int, Any]:
    answer = harness.call("awareness", id=client)
    return {int(k): v for k, v in answer["states"].items() if int(k) != answer["client_id"]}


def test_stock_clients_share_names_cursors_and_leave_cleanly(
    harness, interviewer, candidate
) -> None:
    interview = live_interview(interviewer, candidate)
    with asgi_server() as server:
        a = harness.open("A", server.ws_url, interview.pk, interviewer)
        harness.open("B", server.ws_url, interview.pk, candidate)
        harness.call("aware", id="A", field="user", value=IVY)
        harness.call("aware", id="B", field="user", value=CARL)
        harness.call("edit", id="A", field="step-1", ops=20, seed=3)
        # What y-codemirror.next sends: relative positions, as the stock client encodes them.
        cursor = {
            "anchor": {"type": None, "tname": "step-1", "item": None, "assoc": 0},
            "head": {
                "type": None,
                "tname": "step-1",
                "item": {"client": a["client_id"], "clock": 3},
                "assoc": -1,
            },
        }
        harness.call("aware", id="A", field="cursor", value=cursor)
        harness.call(
            "aware", id="A", field="pointer", value={"x": 12.5, "y": 40, "tool": "pointer"}
        )

        def b_sees_a() -> bool | Unmet:
            seen = states(harness, "B").get(a["client_id"])
            want = {
                "user": IVY,
                "cursor": cursor,
                "pointer": {"x": 12.5, "y": 40, "tool": "pointer"},
            }
            return seen == want or Unmet(seen)

        wait_until(b_sees_a)
        wait_until(
            lambda: (
                CARL in [s.get("user") for s in states(harness, "A").values()]
                or Unmet(states(harness, "A"))
            )
        )
        harness.call("close", id="A")  # sends the removal of its own state
        wait_until(
            lambda: a["client_id"] not in states(harness, "B") or Unmet(states(harness, "B"))
        )
        assert harness.call("state", id="B")["closes"] == []


def _recv_awareness(socket: ClientConnection, client_id: int) -> dict[str, Any]:
    """Read frames until one carries `client_id`'s state; return it."""
    while True:
        message = protocol.parse(socket.recv(timeout=10))  # type: ignore[arg-type]
        if message.kind != Kind.AWARENESS:
            continue
        awareness = Awareness(Doc())
        awareness.apply_awareness_update(message.payload, "peer")
        if client_id in awareness.states:
            return awareness.states[client_id]


def _close_code(socket: ClientConnection) -> int | None:
    with contextlib.suppress(ConnectionClosed, TimeoutError):
        while True:
            socket.recv(timeout=10)
    return None if socket.close_code is None else int(socket.close_code)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.parametrize("state", [{"user": {"name": "Ivy", "color": "#000000"}}, None])
def test_a_socket_on_another_process_cannot_overwrite_or_remove_a_peers_state(
    harness, interviewer, candidate, state
) -> None:
    interview = live_interview(interviewer, candidate)
    with asgi_server() as one, asgi_server() as two:
        a = harness.open("A", one.ws_url, interview.pk, interviewer)
        harness.open("B", two.ws_url, interview.pk, candidate)
        harness.call("aware", id="A", field="user", value=IVY)
        wait_until(
            lambda: (
                states(harness, "B").get(a["client_id"]) == {"user": IVY}
                or Unmet(states(harness, "B"))
            )
        )
        url = f"{two.ws_url}/ws/interviews/{interview.pk}/notes"
        with connect(f"{url}?ticket={ws_ticket_issue(user=candidate)}") as hostile:
            # Process two holds Ivy's state from the fan-out and sends it to a new socket.
            assert _recv_awareness(hostile, a["client_id"]) == {"user": IVY}
            hostile.send(awareness_frame(a["client_id"], 1000, state))
            assert _close_code(hostile) == 4422
        harness.call("aware", id="B", field="user", value=CARL)  # a round trip through both
        wait_until(
            lambda: (
                CARL in [s.get("user") for s in states(harness, "A").values()]
                or Unmet(states(harness, "A"))
            )
        )
        assert states(harness, "B").get(a["client_id"]) == {"user": IVY}
        assert harness.call("state", id="A")["closes"] == []
        assert harness.call("state", id="B")["closes"] == []
