"""Every JSON websocket bounds what a client can make it decode: size first, then depth."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from accounts.services import ws_ticket_issue
from config.asgi import application
from sevenstep import jsonbounds
from tests.support.yjs import live_interview, ws_path

pytestmark = pytest.mark.django_db(transaction=True)

DEEP = "[" * 5000 + "]" * 5000  # under the size limit of the control socket once trimmed
HUGE = '{"type": "ping", "pad": "' + "x" * 5000 + '"}'


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ('{"type": "ping"}', None),
        ('"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["', None),  # brackets inside a string nest nothing
        (r'{"a": "\"[[[[[[[[[[[[[[[[[[[[[[[[[["}', None),
        ("[" * 17 + "]" * 17, jsonbounds.JsonMalformed),
        ("[" * 100_000, jsonbounds.JsonTooLarge),
        ("[" * 3000, jsonbounds.JsonMalformed),
        ("x" * 4097, jsonbounds.JsonTooLarge),
        ("é" * 3000, jsonbounds.JsonTooLarge),  # 3000 characters, 6000 bytes
        ("{", jsonbounds.JsonMalformed),
        ('"\\ud800"', None),  # a lone surrogate decodes; what a field accepts is the field's say
    ],
)
def test_the_decoder_bounds_size_then_depth(text, refused) -> None:
    if refused is None:
        jsonbounds.loads(text, max_bytes=4096, max_depth=16)
    else:
        with pytest.raises(refused):
            jsonbounds.loads(text, max_bytes=4096, max_depth=16)


def test_the_depth_scan_does_not_recurse() -> None:
    assert jsonbounds.depth("[" * 1_000_000) == 1_000_000


def _path(kind: str, interviewer, candidate) -> str:
    if kind == "control":
        return ws_path(live_interview(interviewer, candidate).pk, "control", interviewer)
    route = {"ping": "/ws/ping/", "instant": "/ws/match/instant/"}[kind]
    return f"{route}?ticket={ws_ticket_issue(user=interviewer)}"


async def _close_code(communicator: WebsocketCommunicator) -> int:
    while True:
        output = await communicator.receive_output(5)
        if output["type"] == "websocket.close":
            return int(output["code"])


@pytest.mark.parametrize("kind", ["ping", "instant", "control"])
@pytest.mark.parametrize(
    ("text", "code"),
    [
        pytest.param("[" * 3000, 1007, id="deep"),
        pytest.param('{"a":' * 600 + "1" + "}" * 600, 1007, id="deep-object"),
        pytest.param(HUGE, 1009, id="oversized"),
        pytest.param("[" * 1_000_000, 1009, id="huge-and-deep"),
        pytest.param("{not json", 1007, id="malformed"),
    ],
)
async def test_hostile_json_closes_the_socket_with_a_code_not_a_crash(
    interviewer, candidate, kind, text, code
) -> None:
    path = await sync_to_async(_path)(kind, interviewer, candidate)
    communicator = WebsocketCommunicator(application, path)
    connected, _ = await communicator.connect()
    assert connected
    await communicator.receive_output(3)  # hello, listening or the room's state
    await communicator.send_to(text_data=text)
    assert await _close_code(communicator) == code
    await communicator.disconnect()


async def test_a_binary_frame_on_the_instant_socket_is_refused_with_1003(interviewer) -> None:
    ticket = await sync_to_async(ws_ticket_issue)(user=interviewer)
    communicator = WebsocketCommunicator(application, f"/ws/match/instant/?ticket={ticket}")
    await communicator.connect()
    await communicator.receive_output(3)
    await communicator.send_to(bytes_data=b"\x00")
    assert await _close_code(communicator) == 1003
    await communicator.disconnect()
