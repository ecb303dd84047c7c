"""A bare y-websocket relay on ASGI: the floor for a Python server on this machine.

Rooms by path, each a pycrdt document in memory; an update is applied and relayed to the
room's other sockets; awareness frames are relayed as they are. No Django, no Channels, no
database, no checks: what the ASGI server, pycrdt and the event loop cost per update, which
our server cannot go below. run.py serves it as `bare-granian` and `bare-uvicorn`.
"""

from __future__ import annotations

from typing import Any

from pycrdt import Doc

from interviews.live import protocol

rooms: dict[str, tuple[Doc, set[Any]]] = {}


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    if scope["type"] == "http":  # the health check run.py waits for
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})
        return
    path = scope["path"]
    doc, sockets = rooms.setdefault(path, (Doc(), set()))
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    sockets.add(send)
    try:
        await send({"type": "websocket.send", "bytes": protocol.sync_step1(doc)})
        while True:
            event = await receive()
            if event["type"] == "websocket.disconnect":
                return
            frame = event.get("bytes")
            if not frame:
                continue
            message = protocol.parse(frame)
            if message.kind == protocol.Kind.SYNC_STEP1:
                reply = protocol.sync_step2(doc, message.payload)
                await send({"type": "websocket.send", "bytes": reply})
                continue
            if message.kind in (protocol.Kind.SYNC_STEP2, protocol.Kind.UPDATE):
                doc.apply_update(message.payload)
                frame = protocol.update_message(message.payload)
            elif message.kind != protocol.Kind.AWARENESS:
                continue
            for other in list(sockets):
                if other is not send:
                    await other({"type": "websocket.send", "bytes": frame})
    finally:
        sockets.discard(send)
        if not sockets:
            rooms.pop(path, None)
