"""The y-websocket protocol of the notes and private documents, socket by socket."""

from __future__ import annotations

import asyncio
import threading

import pytest
from channels.db import database_sync_to_async
from django.db import connection, transaction
from pycrdt import Doc, Text

from interviews.live import protocol, selectors
from interviews.live.layout import DocumentKind
from interviews.live.models import DocumentUpdate, LiveDocument
from interviews.live.protocol import Kind
from interviews.models import InterviewStatus
from tests.support.yjs import YClient, awareness_frame, joined, live_interview, ws_path

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("disconnect_everyone"),
]


UNAPPLIABLE = bytes.fromhex(
    "0103beaaebc2b9b2f905002801016d016b017c3f8000002701016d0161000800beaaebc2b9b2f90500027c3f"
    "80000077017800"
)


@pytest.fixture
def interview(interviewer, candidate):
    return live_interview(interviewer, candidate)


def stored_text(interview_id: int, name: str, kind: DocumentKind = DocumentKind.NOTES) -> str:
    return selectors.stored_texts(interview_id=interview_id, kind=kind)[name]


async def test_the_server_opens_with_its_step_1_then_the_awareness_states(
    interview, interviewer, candidate
) -> None:
    ivy = await joined(interview, interviewer)
    assert await ivy.nothing()  # nobody is aware of anything yet: no awareness frame
    await ivy.send(awareness_frame(4242, 1, {"user": {"name": "Ivy"}}))

    carl = YClient(ws_path(interview.pk, "notes", candidate))
    await carl.connect()
    assert (await carl.message()).kind == Kind.SYNC_STEP1
    awareness = await carl.message()
    assert awareness.kind == Kind.AWARENESS
    assert b"Ivy" in awareness.payload
    await ivy.disconnect()
    await carl.disconnect()


async def test_step_2_goes_only_to_the_client_that_asked(interview, interviewer, candidate) -> None:
    ivy = await joined(interview, interviewer)
    carl = await joined(interview, candidate)
    await ivy.type("step-1", "Who are the users?")
    carl.apply(await carl.message())

    late = YClient(ws_path(interview.pk, "notes", candidate))
    await late.connect()
    await late.message()
    await late.sync()
    assert str(late.text("step-1")) == "Who are the users?"
    assert await ivy.nothing()
    assert await carl.nothing()
    for client in (ivy, carl, late):
        await client.disconnect()


async def test_an_update_is_committed_before_anyone_sees_it(
    interview, interviewer, candidate
) -> None:
    ivy = await joined(interview, interviewer)
    carl = await joined(interview, candidate)
    document = await database_sync_to_async(LiveDocument.objects.get)(interview=interview)

    # Hold the document's row lock from another connection: the commit has to wait for it.
    locked, release = threading.Event(), threading.Event()

    def hold_lock() -> None:
        try:
            with transaction.atomic():
                LiveDocument.objects.select_for_update().get(pk=document.pk)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    assert locked.wait(5)
    await ivy.type("step-2", "ranking problem")
    assert await carl.nothing(0.5), "broadcast before the update was committed"
    release.set()
    message = await carl.message()
    holder.join()
    stored = await database_sync_to_async(list)(
        DocumentUpdate.objects.filter(document=document).values_list("data", flat=True)
    )
    assert [bytes(data) for data in stored] == [message.payload]
    await ivy.disconnect()
    await carl.disconnect()


async def test_edits_made_offline_arrive_in_step_2_and_are_stored(
    interview, interviewer, candidate
) -> None:
    carl = await joined(interview, candidate)
    offline: Doc = Doc()
    offline.get("step-3", type=Text).insert(0, "labels from clicks")
    ivy = YClient(ws_path(interview.pk, "notes", interviewer))
    ivy.doc = offline
    await ivy.connect()
    step1 = await ivy.message()
    assert step1.kind == Kind.SYNC_STEP1
    await ivy.send(protocol.sync_step2(offline, step1.payload))
    carl.apply(await carl.message())
    assert str(carl.text("step-3")) == "labels from clicks"
    assert await database_sync_to_async(stored_text)(interview.pk, "step-3") == "labels from clicks"
    await ivy.disconnect()
    await carl.disconnect()


async def test_a_closed_socket_leaves_no_ghost_cursor(interview, interviewer, candidate) -> None:
    ivy = await joined(interview, interviewer)
    carl = await joined(interview, candidate)
    await ivy.send(awareness_frame(777, 3, {"cursor": None}))
    seen = await carl.message()
    assert seen.kind == Kind.AWARENESS and b"cursor" in seen.payload
    await ivy.disconnect()
    removal = await carl.message()
    assert removal.kind == Kind.AWARENESS
    # one client, id 777, clock 3, state "null"
    assert removal.payload == bytes([1]) + bytes([0x89, 0x06]) + bytes([3, 4]) + b"null"
    await carl.disconnect()


async def test_the_candidate_is_refused_the_private_notes(
    interview, interviewer, candidate
) -> None:
    carl = YClient(ws_path(interview.pk, "private", candidate))
    await carl.connect()
    assert await carl.close_code() == 4403
    ivy = await joined(interview, interviewer, "private")
    await ivy.disconnect()


@pytest.mark.parametrize(
    ("who", "room", "code"),
    [("anonymous", "notes", 4401), ("outsider", "notes", 4404), ("outsider", "private", 4404)],
)
async def test_only_participants_join(interview, outsider, who, room, code) -> None:
    client = YClient(ws_path(interview.pk, room, outsider if who == "outsider" else None))
    await client.connect()
    assert await client.close_code() == code


async def test_an_unknown_interview_is_closed_with_4404(interviewer) -> None:
    client = YClient(ws_path(999_999, "notes", interviewer))
    await client.connect()
    assert await client.close_code() == 4404


async def test_the_room_opens_a_few_minutes_before_the_start(interviewer, candidate) -> None:
    from datetime import timedelta

    from django.utils import timezone

    later = await database_sync_to_async(live_interview)(
        interviewer, candidate, starts_at=timezone.now() + timedelta(minutes=30)
    )
    client = YClient(ws_path(later.pk, "notes", candidate))
    await client.connect()
    assert await client.close_code() == 4425


async def test_after_the_end_the_room_is_read_only_but_still_syncs(
    interview, interviewer, candidate
) -> None:
    ivy = await joined(interview, interviewer)
    await ivy.type("scratch", "final words")
    await ivy.disconnect()
    interview.status = InterviewStatus.COMPLETED
    await database_sync_to_async(interview.save)()

    carl = await joined(interview, candidate)
    await carl.sync()
    assert str(carl.text("scratch")) == "final words"
    await carl.type("scratch", " - and an edit after the end")
    denied = await carl.message()
    assert denied.kind == Kind.AUTH
    assert await database_sync_to_async(stored_text)(interview.pk, "scratch") == "final words"
    await carl.disconnect()


def raw_awareness(*entries: tuple[int, int, bytes]) -> bytes:
    """An awareness frame from raw (client id, clock, state bytes) entries."""
    from pycrdt import write_var_uint

    inner = write_var_uint(len(entries))
    for client_id, clock, state in entries:
        inner += write_var_uint(client_id) + write_var_uint(clock)
        inner += write_var_uint(len(state)) + state
    return protocol.awareness_frame(inner)


# The hostile awareness classes of issue 18: each closes the sender and no one else.
HOSTILE_AWARENESS = [
    pytest.param(
        raw_awareness(*((10_000 + n, 1, b"{}") for n in range(1000))),
        4422,
        id="awareness-1000-clients",
    ),
    pytest.param(
        awareness_frame(9, 1, {"user": {"color": "red;position:fixed;inset:0;z-index:99999"}}),
        4422,
        id="awareness-css-colour",
    ),
    pytest.param(awareness_frame(9, 1, {"overlay": "<div>"}), 4422, id="awareness-unknown-key"),
    pytest.param(awareness_frame(9, 1, {"user": {"name": "y" * 3000}}), 1009, id="awareness-state"),
    pytest.param(awareness_frame(9, 1, {"user": {"name": "y" * 9000}}), 1009, id="awareness-frame"),
    pytest.param(awareness_frame(2**60, 1, {}), 1007, id="awareness-client-id-beyond-js"),
    pytest.param(raw_awareness((9, 1, b"{")), 1007, id="awareness-state-not-json"),
    pytest.param(raw_awareness((9, 1, b"[" * 1500)), 1007, id="awareness-state-deep"),
    pytest.param(
        protocol.awareness_frame(b"\x01\x09\x01\x20{}"), 1007, id="awareness-state-truncated"
    ),
]


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        *HOSTILE_AWARENESS,
        (b"\x00\x05\x01", 1007),  # unknown sync message type
        (b"\x00\x02\x09abc", 1007),  # update shorter than its length
        (b"\x00\x02\x03\x01\x02\x03", 1007),  # not a Yjs update
        (b"\x01\x05\x01\x02", 1007),  # awareness that does not decode
        (b"\x07", 1007),  # unknown message type
        # Decodes as an update, but no document can take it (found by mutating real ones):
        # stored, it would make the whole document unloadable.
        pytest.param(
            b"\x00\x02" + bytes([len(UNAPPLIABLE)]) + UNAPPLIABLE, 1007, id="unappliable-update"
        ),
    ],
)
async def test_a_malformed_frame_closes_only_that_socket(
    interview, interviewer, candidate, frame, code
) -> None:
    ivy = await joined(interview, interviewer)
    carl = await joined(interview, candidate)
    await carl.send(frame)
    assert await carl.close_code() == code
    await ivy.sync()
    other = await joined(interview, candidate)
    await ivy.type("step-4", "baseline first")
    other.apply(await other.message())
    assert str(other.text("step-4")) == "baseline first"
    await ivy.disconnect()
    await other.disconnect()
    assert await database_sync_to_async(stored_text)(interview.pk, "step-4") == "baseline first"


async def test_a_text_frame_is_refused_with_1003(interview, interviewer) -> None:
    ivy = await joined(interview, interviewer)
    await ivy.communicator.send_to(text_data="hello")
    assert await ivy.close_code() == 1003


async def test_an_oversized_message_is_refused_with_1009(interview, interviewer, settings) -> None:
    settings.LIVE_MAX_MESSAGE_BYTES = 64
    ivy = await joined(interview, interviewer)
    await ivy.type("step-1", "x" * 100)
    assert await ivy.close_code() == 1009


async def test_the_size_limit_counts_the_document_not_the_traffic(
    interview, interviewer, settings
) -> None:
    settings.LIVE_MAX_DOCUMENT_BYTES = 400
    settings.LIVE_RESYNC_SECONDS = 0.1
    ivy = await joined(interview, interviewer)
    doc: Doc = Doc()
    doc.get("step-1", type=Text).insert(0, "x" * 100)
    update = doc.get_update()
    # A client resends what the room already holds (a reconnect, a step 2 per resync round):
    # the document stays ~100 bytes however often it arrives.
    closes = []
    for _ in range(8):
        await ivy.send(protocol.update_message(update))
        await asyncio.sleep(0.25)
        while not await ivy.nothing(0.01):
            output = await ivy.communicator.receive_output(1)
            if output["type"] == "websocket.close":
                closes.append(output.get("code"))
    assert closes == []  # never closed with 4413
    assert await database_sync_to_async(stored_text)(interview.pk, "step-1") == "x" * 100


async def test_a_document_past_its_size_limit_refuses_more(
    interview, interviewer, settings
) -> None:
    settings.LIVE_MAX_DOCUMENT_BYTES = 200
    ivy = await joined(interview, interviewer)
    await ivy.type("step-1", "x" * 100)
    await ivy.type("step-1", "y" * 100)
    assert await ivy.close_code() == 4413
    assert await database_sync_to_async(stored_text)(interview.pk, "step-1") == "x" * 100


async def test_a_socket_flooding_messages_is_closed_with_4429(
    interview, interviewer, settings
) -> None:
    settings.LIVE_RATE_PER_SECOND = 1
    settings.LIVE_RATE_BURST = 5
    ivy = await joined(interview, interviewer)
    for _ in range(6):
        await ivy.send(awareness_frame(5, 1, {}))
    assert await ivy.close_code() == 4429
