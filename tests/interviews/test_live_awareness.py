"""Awareness in the live room: each socket sets only its own small, well-formed states."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pycrdt import Awareness, Doc, Encoder, create_awareness_message

from interviews.live.protocol import Kind
from tests.support.yjs import YClient, awareness_frame, joined, live_interview

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("disconnect_everyone"),
]

IVY_CLIENT = 1111
CARL_CLIENT = 2222
IVY = {
    "user": {"name": "Ivy", "role": "interviewer", "color": "#1f4fbf", "colorLight": "#1f4fbf33"}
}
CARL = {
    "user": {"name": "Carl", "role": "candidate", "color": "#b3261e", "colorLight": "#b3261e33"}
}
# What y-codemirror.next puts in `cursor`: two Yjs relative positions.
CURSOR = {
    "anchor": {"type": None, "tname": "step-1", "item": {"client": 1111, "clock": 4}, "assoc": 0},
    "head": {"type": None, "tname": "step-1", "item": None, "assoc": -1},
}


@pytest.fixture
def interview(interviewer, candidate):
    return live_interview(interviewer, candidate)


def entries(*items: tuple[int, int, Any]) -> bytes:
    """An awareness frame with several (client id, clock, state) entries."""
    encoder = Encoder()
    encoder.write_var_uint(len(items))
    for client_id, clock, state in items:
        encoder.write_var_uint(client_id)
        encoder.write_var_uint(clock)
        encoder.write_var_string(json.dumps(state))
    return create_awareness_message(encoder.to_bytes())


async def states_seen_by(client: YClient) -> dict[int, Any]:
    """Ask the server for every awareness state it holds, as a client would on query."""
    await client.send(bytes([3]))  # y-protocols' query-awareness message
    while True:
        message = await client.message()
        if message.kind == Kind.AWARENESS:
            awareness = Awareness(Doc())
            awareness.apply_awareness_update(message.payload, "server")
            return {k: v for k, v in awareness.states.items() if k != awareness.client_id}


async def two_with_states(interview, interviewer, candidate) -> tuple[YClient, YClient]:
    ivy = await joined(interview, interviewer)
    carl = await joined(interview, candidate)
    await ivy.send(awareness_frame(IVY_CLIENT, 1, IVY))
    assert (await carl.message()).kind == Kind.AWARENESS
    await carl.send(awareness_frame(CARL_CLIENT, 1, CARL))
    assert (await ivy.message()).kind == Kind.AWARENESS
    return ivy, carl


async def test_a_stock_clients_awareness_life_is_never_refused(
    interview, interviewer, candidate
) -> None:
    ivy, carl = await two_with_states(interview, interviewer, candidate)
    # Cursor moves, board pointer, the 15 s renewal with the same state, then the removal a
    # y-websocket client sends when it closes.
    frames: list[tuple[int, dict[str, Any] | None]] = [
        (2, {**IVY, "cursor": CURSOR}),
        (3, {**IVY, "cursor": CURSOR, "pointer": {"x": 10.5, "y": -3, "tool": "pointer"}}),
        (4, {**IVY, "cursor": None, "pointer": {"x": 11, "y": -3, "tool": "pointer"}}),
        (5, {**IVY, "cursor": None, "pointer": {"x": 11, "y": -3, "tool": "pointer"}}),
        (6, None),
    ]
    for clock, state in frames:
        await ivy.send(awareness_frame(IVY_CLIENT, clock, state))
    for _ in range(5):
        assert (await carl.message()).kind == Kind.AWARENESS
    assert await states_seen_by(carl) == {CARL_CLIENT: CARL}
    assert await ivy.nothing()  # not closed


async def test_a_frame_announcing_a_thousand_clients_closes_the_socket(
    interview, interviewer, candidate
) -> None:
    ivy, carl = await two_with_states(interview, interviewer, candidate)
    flood = entries(*((10_000 + n, 1, {}) for n in range(1000)))
    await carl.send(flood)
    assert await carl.close_code() == 4422
    assert await ivy.nothing()  # none of it reached the peer
    assert set(await states_seen_by(ivy)) == {IVY_CLIENT, CARL_CLIENT}


async def test_a_socket_cannot_take_a_third_client_id(interview, interviewer) -> None:
    ivy = await joined(interview, interviewer)
    await ivy.send(awareness_frame(1, 1, {}))
    await ivy.send(awareness_frame(2, 1, {}))  # a second id is allowed (a page reload race)
    assert await ivy.nothing()
    await ivy.send(awareness_frame(3, 1, {}))
    assert await ivy.close_code() == 4422


@pytest.mark.parametrize("clock", [2, 99])
async def test_a_socket_cannot_overwrite_another_participants_state(
    interview, interviewer, candidate, clock
) -> None:
    ivy, carl = await two_with_states(interview, interviewer, candidate)
    await carl.send(awareness_frame(IVY_CLIENT, clock, {"user": {"name": "Ivy (fake)"}}))
    assert await carl.close_code() == 4422
    assert await ivy.nothing()
    assert (await states_seen_by(ivy))[IVY_CLIENT] == IVY


async def test_a_socket_cannot_remove_another_participants_state(
    interview, interviewer, candidate
) -> None:
    _, carl = await two_with_states(interview, interviewer, candidate)
    await carl.send(awareness_frame(IVY_CLIENT, 50, None))
    assert await carl.close_code() == 4422
    late = await joined(interview, candidate)
    assert (await states_seen_by(late))[IVY_CLIENT] == IVY


async def test_a_timed_out_client_id_still_belongs_to_its_user(
    interview, interviewer, candidate
) -> None:
    ivy, carl = await two_with_states(interview, interviewer, candidate)
    await ivy.send(awareness_frame(IVY_CLIENT, 2, None))  # Ivy's state is gone for now
    assert (await carl.message()).kind == Kind.AWARENESS
    await carl.send(awareness_frame(IVY_CLIENT, 3, CARL))
    assert await carl.close_code() == 4422


async def test_the_same_user_reconnecting_keeps_their_client_id(
    interview, interviewer, candidate
) -> None:
    ivy, carl = await two_with_states(interview, interviewer, candidate)
    # The tab reconnected before the server noticed its old socket closing.
    again = await joined(interview, interviewer)
    assert (await again.message()).kind == Kind.AWARENESS  # the states already there
    await again.send(awareness_frame(IVY_CLIENT, 2, {**IVY, "cursor": CURSOR}))
    assert (await carl.message()).kind == Kind.AWARENESS
    await ivy.disconnect()
    # The old socket's leaving does not remove the state the new one now holds.
    assert (await states_seen_by(carl))[IVY_CLIENT] == {**IVY, "cursor": CURSOR}
    assert await again.nothing()


@pytest.mark.parametrize(
    "state",
    [
        pytest.param({"user": {"color": "red;position:fixed;inset:0;z-index:9999"}}, id="css"),
        pytest.param({"user": {"colorLight": "#fff;background:url(x)"}}, id="css-light"),
        pytest.param({"user": {"color": "#12345"}}, id="short-colour"),
        pytest.param({"user": {"name": "x" * 81}}, id="long-name"),
        pytest.param({"user": {"name": "Ivy\u202eevil"}}, id="bidi-override"),
        pytest.param({"user": {"name": "Ivy\n"}}, id="control-char"),
        pytest.param({"user": {"name": 7}}, id="name-not-text"),
        pytest.param({"user": {"html": "<img src=x onerror=alert(1)>"}}, id="unknown-user-key"),
        pytest.param({"overlay": True}, id="unknown-key"),
        pytest.param({"user": "Ivy"}, id="user-not-object"),
        pytest.param({"cursor": 5}, id="cursor-not-object"),
        pytest.param({"cursor": {"anchor": {}, "head": {"item": {"client": -1, "clock": 0}}}}),
        pytest.param({"pointer": {"x": "1", "y": 0}}, id="pointer-text"),
        pytest.param({"pointer": {"x": 1, "y": 0, "tool": "laser;"}}, id="pointer-tool"),
        pytest.param([1, 2], id="array"),
        pytest.param("hello", id="string"),
    ],
)
async def test_a_state_outside_the_schema_is_refused(
    interview, interviewer, candidate, state
) -> None:
    ivy = await joined(interview, interviewer)
    carl = await joined(interview, candidate)
    await carl.send(awareness_frame(CARL_CLIENT, 1, state))
    assert await carl.close_code() == 4422
    assert await ivy.nothing()  # the peer never saw it


async def test_an_oversized_state_or_frame_is_refused_with_1009(
    interview, interviewer, settings
) -> None:
    ivy = await joined(interview, interviewer)
    await ivy.send(awareness_frame(IVY_CLIENT, 1, {"user": {"name": "x" * 3000}}))
    assert await ivy.close_code() == 1009
    settings.LIVE_AWARENESS_MAX_BYTES = 100
    again = await joined(interview, interviewer)
    await again.send(awareness_frame(IVY_CLIENT, 2, {"cursor": CURSOR}))
    assert await again.close_code() == 1009


async def test_awareness_past_its_rate_closes_the_socket_with_4429(
    interview, interviewer, settings
) -> None:
    settings.LIVE_AWARENESS_RATE_PER_SECOND = 1
    settings.LIVE_AWARENESS_RATE_BURST = 3
    ivy = await joined(interview, interviewer)
    for clock in range(1, 5):
        await ivy.send(awareness_frame(IVY_CLIENT, clock, IVY))
    assert await ivy.close_code() == 4429


async def test_deep_json_in_a_state_is_refused_not_a_crash(interview, interviewer) -> None:
    ivy = await joined(interview, interviewer)
    encoder = Encoder()
    for value in (1, IVY_CLIENT, 1):
        encoder.write_var_uint(value)
    encoder.write_var_string("[" * 2000)
    await ivy.send(create_awareness_message(encoder.to_bytes()))
    assert await ivy.close_code() == 1007


async def test_a_client_sending_back_the_states_it_got_is_not_closed(
    interview, interviewer, candidate
) -> None:
    # y-websocket sends every awareness update it applies back to the server, the others'
    # states included, at the clock the server already has: those entries change nothing.
    ivy, carl = await two_with_states(interview, interviewer, candidate)
    await carl.send(entries((IVY_CLIENT, 1, IVY), (CARL_CLIENT, 2, {**CARL, "cursor": CURSOR})))
    seen = await ivy.message()
    assert seen.kind == Kind.AWARENESS and b"Ivy" not in seen.payload  # only Carl's change
    await carl.send(awareness_frame(IVY_CLIENT, 1, IVY))
    assert await carl.nothing() and await ivy.nothing()
    assert (await states_seen_by(ivy))[CARL_CLIENT] == {**CARL, "cursor": CURSOR}


async def test_one_user_holds_a_bounded_number_of_states_in_a_room(
    interview, interviewer, settings
) -> None:
    settings.LIVE_AWARENESS_CLIENTS_PER_USER = 3
    tabs = [await joined(interview, interviewer) for _ in range(4)]
    for n, tab in enumerate(tabs[:3]):
        await tab.send(awareness_frame(100 + n, 1, {}))
    await tabs[3].send(awareness_frame(103, 1, {}))
    assert await tabs[3].close_code() == 4422
