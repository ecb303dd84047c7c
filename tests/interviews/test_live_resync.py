"""Self-healing: a room catches up from the log when a fan-out message never arrives."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from pycrdt import Doc, Text

from interviews.live import protocol, selectors, services
from interviews.live.layout import DocumentKind
from interviews.live.models import LiveDocument
from interviews.live.protocol import Kind
from interviews.live.rooms import RoomKey, registry
from tests.support.yjs import YClient, live_interview, ws_path

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("disconnect_everyone"),
]


def edit(text: str) -> bytes:
    doc: Doc = Doc()
    doc.get("step-6", type=Text).insert(0, text)
    return doc.get_update()


def commit_elsewhere(interview, update: bytes) -> int:
    """Commit an update as another process would, without telling this one."""
    document = LiveDocument.objects.get(interview=interview, kind="notes")
    pending = services.PendingUpdate(
        document_id=document.pk, interview_id=interview.pk, data=update, author_id=None
    )
    [seq] = services.updates_append(pending=[pending])
    return seq  # type: ignore[return-value]


async def test_an_update_whose_broadcast_was_dropped_arrives_at_the_next_check(
    interviewer, candidate, settings
) -> None:
    settings.LIVE_RESYNC_SECONDS = 0.2
    interview = await database_sync_to_async(live_interview)(interviewer, candidate)
    carl = YClient(ws_path(interview.pk, "notes", candidate))
    await carl.connect()
    await carl.message()
    await database_sync_to_async(commit_elsewhere)(interview, edit("canary rollout"))
    while True:
        message = await carl.message(timeout=3)
        if message.kind == Kind.UPDATE:
            carl.apply(message)
            break
    assert str(carl.text("step-6")) == "canary rollout"


async def test_a_gap_in_the_sequence_is_filled_from_the_log(interviewer, candidate) -> None:
    interview = await database_sync_to_async(live_interview)(interviewer, candidate)
    carl = YClient(ws_path(interview.pk, "notes", candidate))
    await carl.connect()
    await carl.message()
    first, second = edit("shadow "), edit("deploy")
    lost = await database_sync_to_async(commit_elsewhere)(interview, first)
    delivered = await database_sync_to_async(commit_elsewhere)(interview, second)
    room = registry().rooms[RoomKey(interview.pk, DocumentKind.NOTES)]
    # Only the second message reaches this process; the first was dropped on the way.
    registry()._on_remote(
        {
            "type": "updates",
            "interview": interview.pk,
            "kind": "notes",
            "seqs": [delivered],
            "updates": [second],
        }
    )
    assert room.ahead == {delivered}
    received: Doc = Doc()
    for _ in range(2):
        message = await carl.message(timeout=3)
        received.apply_update(message.payload)
    assert room.applied == delivered and lost < delivered and not room.ahead
    assert str(received.get("step-6", type=Text)) in {"shadow deploy", "deployshadow "}


async def test_the_server_asks_each_client_for_what_it_lacks(
    interviewer, candidate, settings
) -> None:
    settings.LIVE_RESYNC_SECONDS = 0.2
    interview = await database_sync_to_async(live_interview)(interviewer, candidate)
    carl = YClient(ws_path(interview.pk, "notes", candidate))
    await carl.connect()
    await carl.message()
    carl.text("step-5").insert(0, "precision at k")  # made locally, never sent
    asked = await carl.message(timeout=3)
    assert asked.kind == Kind.SYNC_STEP1
    await carl.send(protocol.sync_step2(carl.doc, asked.payload))

    def stored() -> str:
        return selectors.stored_texts(interview_id=interview.pk, kind=DocumentKind.NOTES)["step-5"]

    for _ in range(50):
        if await database_sync_to_async(stored)() == "precision at k":
            break
        await carl.nothing(0.05)
    assert await database_sync_to_async(stored)() == "precision at k"


async def test_a_database_error_while_catching_up_does_not_stop_the_resync(
    interviewer, candidate, settings, monkeypatch
) -> None:
    from django.db import OperationalError

    settings.LIVE_RESYNC_SECONDS = 0.2
    interview = await database_sync_to_async(live_interview)(interviewer, candidate)
    carl = YClient(ws_path(interview.pk, "notes", candidate))
    await carl.connect()
    await carl.message()
    real = selectors.updates_after
    failures: list[dict[str, object]] = []

    def fails_once(**kwargs):
        if not failures:
            failures.append(kwargs)
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(selectors, "updates_after", fails_once)
    await database_sync_to_async(commit_elsewhere)(interview, edit("blue-green "))
    await carl.nothing(0.6)  # a check found the log ahead, and its read failed
    assert failures
    await database_sync_to_async(commit_elsewhere)(interview, edit("deploy"))
    seen: list[str] = []
    for _ in range(30):
        message = await carl.message(timeout=3)
        if message.kind == Kind.UPDATE:
            carl.apply(message)
            seen = [str(carl.text("step-6"))]
            if "blue-green" in seen[0] and "deploy" in seen[0]:
                break
    assert seen and "blue-green" in seen[0] and "deploy" in seen[0], seen


async def test_a_process_that_says_it_holds_more_of_the_log_makes_the_room_read_it_at_once(
    interviewer, candidate, settings
) -> None:
    # The other process committed before it knew this one held the room, so it sent nothing
    # here; its "hold" names the seq it has reached, and the room reads the rest from the log.
    settings.LIVE_RESYNC_SECONDS = 600  # the periodic check cannot be what heals it
    interview = await database_sync_to_async(live_interview)(interviewer, candidate)
    carl = YClient(ws_path(interview.pk, "notes", candidate))
    await carl.connect()
    await carl.message()
    seq = await database_sync_to_async(commit_elsewhere)(interview, edit("feature store"))
    room = registry().rooms[RoomKey(interview.pk, DocumentKind.NOTES)]
    registry()._on_remote(
        {"type": "hold", "interview": interview.pk, "kind": "notes", "channel": "p2", "seq": seq}
    )
    assert "p2" in room.peers  # its updates come here from now on
    while True:
        message = await carl.message(timeout=3)
        if message.kind == Kind.UPDATE:
            carl.apply(message)
            break
    assert room.applied == seq
    assert str(carl.text("step-6")) == "feature store"
