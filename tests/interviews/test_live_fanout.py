"""The cross-process fan-out keeps reading through a timed-out read, and backs off on an outage."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import Any

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeout

from interviews.live import rooms
from interviews.live.rooms import fanout


class ScriptedLayer:
    """A channel layer whose receive() raises or returns what the script says, in order."""

    def __init__(self, script: list[Any]) -> None:
        self.script = script
        self.done = asyncio.Event()

    async def receive(self, channel: str) -> dict[str, Any]:
        if not self.script:
            self.done.set()
            await asyncio.Event().wait()  # nothing more to read
        step = self.script.pop(0)
        if isinstance(step, BaseException):
            raise step
        return step


@pytest.fixture
def pauses(monkeypatch):
    """Record the receive loop's back-off sleeps (and still yield to the loop)."""
    recorded: list[float] = []
    real_sleep = asyncio.sleep

    async def sleep(delay: float, *args: Any) -> Any:
        recorded.append(delay)
        return await real_sleep(0)

    monkeypatch.setattr(fanout.asyncio, "sleep", sleep)
    return recorded


async def run_receive_loop(script: list[Any]) -> list[dict[str, Any]]:
    registry = rooms.Registry()
    layer = ScriptedLayer(script)
    registry.layer, registry.channel = layer, "me"
    seen: list[dict[str, Any]] = []

    def on_remote(item: dict[str, Any]) -> None:
        seen.append(item)

    registry._on_remote = on_remote  # type: ignore[method-assign]
    task = asyncio.create_task(registry._receive_loop())
    await asyncio.wait_for(layer.done.wait(), timeout=5)
    task.cancel()
    return seen


BATCH = {"type": "live.batch", "sender": "other", "items": [{"type": "updates"}]}


async def test_a_timed_out_read_is_retried_at_once(pauses) -> None:
    seen = await run_receive_loop([RedisTimeout("Timeout reading"), TimeoutError(), BATCH])
    assert seen == BATCH["items"]
    assert pauses == []


async def test_an_outage_backs_off_before_reading_again(pauses) -> None:
    seen = await run_receive_loop([RedisConnectionError("refused"), BATCH])
    assert seen == BATCH["items"]
    assert pauses.count(1) == 1


def _live_layer(redis_url: str) -> Any:
    from channels_redis.pubsub import RedisPubSubChannelLayer

    from config.settings import pubsub_prefix

    return RedisPubSubChannelLayer(hosts=[redis_url], prefix=pubsub_prefix(redis_url))


@pytest.mark.redis
async def test_a_deployment_on_another_redis_database_does_not_hear_our_fan_out(settings) -> None:
    from urllib.parse import urlsplit

    ours = settings.REDIS_URL
    assert settings.CHANNEL_LAYERS[rooms.LIVE_LAYER]["CONFIG"]["prefix"] == _live_layer(ours).prefix
    parts = urlsplit(ours)
    other_db = "15" if parts.path.strip("/") != "15" else "14"
    neighbour_url = parts._replace(path=f"/{other_db}").geturl()
    sender, peer, neighbour = _live_layer(ours), _live_layer(ours), _live_layer(neighbour_url)
    try:
        listening = {}
        for name, layer in (("peer", peer), ("neighbour", neighbour)):
            listening[name] = await layer.new_channel()
            await layer.group_add(rooms.FANOUT_GROUP, listening[name])
        # Ours alone: the neighbour's database may carry a parallel test worker's own fan-out.
        batch = {**BATCH, "sender": f"test-{uuid.uuid4().hex}"}
        await sender.group_send(rooms.FANOUT_GROUP, batch)
        # The same database hears the batch; the neighbour (same interview ids, other data)
        # must not, or it would apply our updates to its own rooms.
        assert await asyncio.wait_for(peer.receive(listening["peer"]), timeout=5) == batch
        heard = []
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(0.5):
                while True:
                    heard.append(await neighbour.receive(listening["neighbour"]))
        assert batch not in heard
    finally:
        for layer in (sender, peer, neighbour):
            await layer.flush()


async def test_a_process_is_answered_whenever_its_announcement_does_not_name_this_one() -> None:
    from interviews.live.layout import DocumentKind
    from interviews.live.rooms.room import Room

    registry = rooms.Registry()
    registry.layer, registry.channel = ScriptedLayer([]), "me"
    room = Room(registry, rooms.RoomKey(1, DocumentKind.NOTES))
    registry.rooms[room.key] = room
    hold = {"type": "hold", "interview": 1, "kind": "notes", "channel": "p2", "seq": 0}

    registry._on_remote(hold | {"peers": []})  # a process opened the room
    [answer] = registry.outbox.pop("p2")
    assert answer["type"] == "hold" and answer["peers"] == ["p2"] and room.peers.keys() == {"p2"}
    registry._on_remote(hold | {"peers": ["me"]})  # its periodic word: it knows this process
    assert registry.outbox == {}
    # Its room closed and opened again, and the release never came: it no longer sends here,
    # so it must hear of this process again.
    registry._on_remote(hold | {"peers": []})
    assert [item["type"] for item in registry.outbox["p2"]] == ["hold"]
