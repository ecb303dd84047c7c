"""Helpers for consumer tests on Channels' WebsocketCommunicator."""

from __future__ import annotations

from channels.testing import WebsocketCommunicator


async def close_code(communicator: WebsocketCommunicator, timeout: float = 3) -> int:
    """Return the code the server closed the socket with, then let the consumer go.

    Frames before the close are skipped. The client's disconnect ends the consumer the way a
    real client's does: a consumer left running would be cancelled by the event loop's
    teardown instead, with its channel layer's receive in flight on Redis.
    """
    while True:
        output = await communicator.receive_output(timeout)
        if output["type"] == "websocket.close":
            break
    await communicator.disconnect()
    return int(output["code"])
