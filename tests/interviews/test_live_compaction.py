"""Compaction: checkpoints make loading fast, change nothing, and keep the raw log."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone
from pycrdt import Doc, Text

from interviews.live import selectors, services
from interviews.live.layout import DocumentKind
from interviews.live.models import Checkpoint, DocumentUpdate, LiveDocument
from tests.interviews.helpers import eager_tasks
from tests.support.locks import lock_held_elsewhere
from tests.support.yjs import YClient, live_interview, ws_path

pytestmark = pytest.mark.django_db(transaction=True)


def append(document_id: int, interview_id: int, doc: Doc, text: str) -> None:
    before = doc.get_state()
    section = doc.get("step-4", type=Text)
    section.insert(len(section), text)
    services.updates_append(
        pending=[
            services.PendingUpdate(
                document_id=document_id,
                interview_id=interview_id,
                data=doc.get_update(before),
                author_id=None,
            )
        ]
    )


@pytest.fixture
def document(interviewer, candidate):
    interview = live_interview(interviewer, candidate)
    return services.document_get_or_create(interview_id=interview.pk, kind=DocumentKind.NOTES)


def texts(document) -> dict[str, str]:
    update = selectors.document_state(document_id=document.pk).update
    return selectors.texts_of(selectors.doc_from_update(update))


def test_compaction_keeps_the_document_and_the_raw_log(document) -> None:
    doc: Doc = Doc()
    for word in ("two ", "towers ", "retrieval "):
        append(document.pk, document.interview_id, doc, word)
    checkpoint = services.document_compact(document_id=document.pk)
    assert checkpoint is not None and checkpoint.seq == 3
    assert DocumentUpdate.objects.filter(document=document).count() == 3
    append(document.pk, document.interview_id, doc, "then ranking")
    assert texts(document)["step-4"] == "two towers retrieval then ranking"
    # Loading reads the checkpoint and only the log after it: with the compacted part of the
    # log gone, the document is still whole.
    DocumentUpdate.objects.filter(document=document, seq__lte=3).delete()
    assert texts(document)["step-4"] == "two towers retrieval then ranking"
    assert selectors.document_state(document_id=document.pk).seq == 4


def test_compacting_twice_adds_nothing(document) -> None:
    append(document.pk, document.interview_id, Doc(), "baseline")
    assert services.document_compact(document_id=document.pk) is not None
    assert services.document_compact(document_id=document.pk) is None
    assert Checkpoint.objects.filter(document=document).count() == 1


def test_compaction_waits_for_the_lock(document) -> None:
    append(document.pk, document.interview_id, Doc(), "baseline")
    with lock_held_elsewhere(f"live:compact:{document.pk}"):
        assert services.document_compact(document_id=document.pk) is None
    assert services.document_compact(document_id=document.pk) is not None


async def test_a_room_is_compacted_when_its_last_socket_leaves(interviewer, candidate) -> None:
    interview = await database_sync_to_async(live_interview)(interviewer, candidate)
    ivy = YClient(ws_path(interview.pk, "notes", interviewer))
    await ivy.connect()
    await ivy.message()
    await ivy.type("step-6", "batch scoring nightly")
    await ivy.sync()  # the update is committed once the server has answered after it
    with eager_tasks():
        await ivy.disconnect()
        for _ in range(100):
            if await database_sync_to_async(
                Checkpoint.objects.filter(document__interview=interview).exists
            )():
                break
            await ivy.communicator.receive_nothing(0.02)
    checkpoint = await database_sync_to_async(Checkpoint.objects.get)(document__interview=interview)
    assert selectors.texts_of(selectors.doc_from_update(bytes(checkpoint.state)))["step-6"] == (
        "batch scoring nightly"
    )


async def test_a_long_session_is_compacted_while_the_room_stays_open(
    interviewer, candidate, settings
) -> None:
    settings.LIVE_RESYNC_SECONDS = 0.05
    settings.LIVE_COMPACT_EVERY = 4
    interview = await database_sync_to_async(live_interview)(interviewer, candidate)
    ivy = YClient(ws_path(interview.pk, "notes", interviewer))
    await ivy.connect()
    await ivy.message()
    with eager_tasks():
        for word in ("features ", "from ", "the ", "feature ", "store"):
            await ivy.type("step-4", word)
        await ivy.sync()
        checkpoints = Checkpoint.objects.filter(document__interview=interview)
        for _ in range(100):
            if await database_sync_to_async(checkpoints.exists)():
                break
            await ivy.communicator.receive_nothing(0.02)
        checkpoint = await database_sync_to_async(checkpoints.get)()
        await ivy.disconnect()
    assert checkpoint.seq >= 4
    stored = selectors.texts_of(selectors.doc_from_update(bytes(checkpoint.state)))
    assert stored["step-4"].startswith("features from the feature")


def test_a_stored_update_no_document_can_take_is_skipped_not_fatal(document) -> None:
    from tests.interviews.test_live_protocol import UNAPPLIABLE

    doc: Doc = Doc()
    append(document.pk, document.interview_id, doc, "offline ")
    # Stored by some earlier version that did not check (the room refuses such updates now).
    DocumentUpdate.objects.create(
        document=document, seq=2, data=UNAPPLIABLE, created_at=timezone.now()
    )
    LiveDocument.objects.filter(pk=document.pk).update(seq=2)
    append(document.pk, document.interview_id, doc, "evaluation")
    state = selectors.document_state(document_id=document.pk)
    assert state.seq == 3
    assert texts(document)["step-4"] == "offline evaluation"
