"""The live room's metrics move with real sockets: commits, rooms, awareness, closes, fan-out."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import time
from typing import Any

import pytest

from interviews.live import metrics as live_metrics
from interviews.live import rooms, selectors
from sevenstep import metrics
from sevenstep.logs import InterviewFilter, JsonFormatter
from tests.support.metrics import sample
from tests.support.yjs import YClient, awareness_frame, joined, live_interview, ws_path

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("disconnect_everyone"),
]


def value(name: str, **labels: str) -> float:
    """Sum the samples with these labels in the scrape every process adds up (0 when absent)."""
    return sample(metrics.scrape().decode(), name, **labels)


@pytest.fixture
def interview(interviewer, candidate):
    return live_interview(interviewer, candidate)


async def test_an_edit_through_a_real_socket_shows_in_the_commit_metrics(
    interview, interviewer, candidate
) -> None:
    names = (
        "sevenstep_live_updates_committed_total",
        "sevenstep_live_commit_duration_seconds_count",
        "sevenstep_live_commit_batch_size_count",
    )
    before = {name: value(name) for name in names}
    ivy = await joined(interview, interviewer)
    carl = await joined(interview, candidate)
    await ivy.type("step-1", "two towers")
    carl.apply(await carl.message())  # committed, then broadcast
    after = {name: value(name) for name in names}
    assert after["sevenstep_live_updates_committed_total"] >= before[names[0]] + 1
    assert after["sevenstep_live_commit_duration_seconds_count"] >= before[names[1]] + 1
    assert after["sevenstep_live_commit_batch_size_count"] >= before[names[2]] + 1
    assert value("sevenstep_live_commit_duration_seconds_sum") > 0


async def test_this_process_reports_its_open_rooms_sockets_and_loop_lag(
    interview, interviewer, candidate
) -> None:
    me = str(os.getpid())
    lag_before = value("sevenstep_event_loop_lag_seconds_count")
    await joined(interview, interviewer)
    await joined(interview, candidate)
    await joined(interview, interviewer, "private")
    await asyncio.sleep(live_metrics.WATCH_SECONDS * 2.5)  # a sample or two
    assert value("sevenstep_live_rooms_open", pid=me) == 2
    assert value("sevenstep_live_sockets_open", pid=me) == 3
    assert value("sevenstep_websockets_open", pid=me) >= 3
    assert value("sevenstep_event_loop_lag_seconds_count") >= lag_before + 1
    await YClient.disconnect_all()
    for _ in range(50):  # the registry stops with its last room
        if value("sevenstep_live_rooms_open", pid=me) == 0:
            break
        await asyncio.sleep(0.1)
    assert value("sevenstep_live_rooms_open", pid=me) == 0
    assert value("sevenstep_live_sockets_open", pid=me) == 0


async def test_awareness_frames_are_counted(interview, interviewer) -> None:
    before = value("sevenstep_live_awareness_messages_total")
    ivy = await joined(interview, interviewer)
    await ivy.send(awareness_frame(7, 1, {"user": {"name": "Ivy", "color": "#112233"}}))
    await ivy.sync()
    assert value("sevenstep_live_awareness_messages_total") == before + 1


async def test_close_codes_are_counted_by_reason_and_by_who_closed(
    interview, interviewer, outsider
) -> None:
    refused = {"code": "4404", "reason": "not_found", "by": "server"}
    left = {"code": "1000", "reason": "normal", "by": "client"}
    before = value("sevenstep_websocket_closes_total", **refused)
    before_left = value("sevenstep_websocket_closes_total", **left)
    olga = YClient(ws_path(interview.pk, "notes", outsider))
    await olga.connect()
    assert await olga.close_code() == 4404
    ivy = await joined(interview, interviewer)
    await ivy.disconnect()
    await asyncio.sleep(0.1)
    assert value("sevenstep_websocket_closes_total", **refused) == before + 1
    assert value("sevenstep_websocket_closes_total", **left) == before_left + 1


class CapturingLayer:
    """A fan-out layer that keeps what is sent and hands out what the test scripts."""

    def __init__(self, incoming: list[dict[str, Any]]) -> None:
        self.sent: list[dict[str, Any]] = []
        self.incoming = incoming

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        self.sent.append(message)

    async def receive(self, channel: str) -> dict[str, Any]:
        if not self.incoming:
            await asyncio.Event().wait()
        return self.incoming.pop(0)


async def test_fan_out_batches_carry_their_send_time_and_the_receiver_measures_the_lag() -> None:
    registry = rooms.Registry()
    other_process = {"type": "live.batch", "sender": "other", "items": [], "sent": 0.0}
    other_process["sent"] = time.time() - 0.2  # sent 200 ms ago by another process
    layer = CapturingLayer([other_process])
    registry.layer, registry.channel = layer, "me"
    count, total = (
        value("sevenstep_live_fanout_lag_seconds_count"),
        value("sevenstep_live_fanout_lag_seconds_sum"),
    )
    tasks = [
        asyncio.create_task(registry._send_loop()),
        asyncio.create_task(registry._receive_loop()),
    ]
    registry.outbox[None] = [{"type": "ended", "interview": 1, "kind": "notes"}]
    registry.outbox_ready.set()
    try:
        for _ in range(50):
            if layer.sent and not layer.incoming:
                break
            await asyncio.sleep(0.02)
    finally:
        for task in tasks:
            task.cancel()
    assert abs(layer.sent[0]["sent"] - time.time()) < 5
    assert value("sevenstep_live_fanout_lag_seconds_count") == count + 1
    assert 0.2 <= value("sevenstep_live_fanout_lag_seconds_sum") - total < 5


async def test_a_live_sockets_log_lines_carry_its_interview_id_as_json(
    interview, interviewer, monkeypatch, settings
) -> None:
    """A line written by the socket's own database work, in the JSON format of LOG_FORMAT=json."""
    assert settings.LOGGING["formatters"]["json"] == {"()": "sevenstep.logs.JsonFormatter"}
    assert settings.LOGGING["handlers"]["console"]["filters"] == ["interview"]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(InterviewFilter())
    real_access = selectors.room_access

    def logged_access(**kwargs: Any) -> Any:
        logging.getLogger("interviews.live.selectors").warning("checking room access")
        return real_access(**kwargs)

    monkeypatch.setattr(selectors, "room_access", logged_access)
    logging.getLogger().addHandler(handler)
    try:
        await joined(interview, interviewer)
    finally:
        logging.getLogger().removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    access = [line for line in lines if line["message"] == "checking room access"]
    assert len(access) == 1, lines
    assert access[0]["interview_id"] == interview.pk
    assert access[0]["level"] == "WARNING"
    assert access[0]["logger"] == "interviews.live.selectors"
    assert "time" in access[0]


async def test_the_registrys_own_tasks_carry_no_socket_s_interview(
    interview, interviewer, monkeypatch
) -> None:
    """The commit loop serves every room: its lines must not name whichever socket started it."""
    seen: list[object] = []
    real_committed = live_metrics.committed

    def committed(seqs: Any, *, seconds: float) -> None:
        record = logging.LogRecord("x", logging.INFO, __file__, 0, "commit", None, None)
        InterviewFilter().filter(record)
        seen.append(getattr(record, "interview_id", None))
        real_committed(seqs, seconds=seconds)

    monkeypatch.setattr(live_metrics, "committed", committed)
    ivy = await joined(interview, interviewer)
    await ivy.type("step-1", "features")
    await ivy.sync()
    assert seen and seen[0] is None
