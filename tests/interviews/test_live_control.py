"""The control channel and the session service: only the interviewer drives the session."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import override_settings
from django.utils import timezone

from config.asgi import application
from interviews.live import selectors
from interviews.models import Interview, InterviewStatus, TimelineEvent
from interviews.services import session
from sevenstep.errors import ApplicationError, Conflict
from tests.support.sockets import close_code
from tests.support.yjs import YClient, live_interview, ws_path

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def interview(interviewer, candidate):
    return live_interview(interviewer, candidate)


async def start(interview, interviewer) -> None:
    await database_sync_to_async(session.session_start)(
        interview_id=interview.pk, user_id=interviewer.pk
    )


class Control:
    def __init__(self, interview_id: int, user) -> None:
        self.communicator = WebsocketCommunicator(
            application, ws_path(interview_id, "control", user)
        )

    async def open(self) -> dict:
        connected, _ = await self.communicator.connect()
        assert connected
        return await self.next("state")

    async def next(self, kind: str) -> dict:
        """Return the next message of a kind, skipping presence chatter."""
        while True:
            message = await self.communicator.receive_json_from(timeout=3)
            if message["type"] == kind:
                return message

    async def act(self, **action: object) -> None:
        await self.communicator.send_json_to(action)

    async def close(self) -> None:
        await self.communicator.disconnect()


async def test_a_client_gets_the_current_state_as_soon_as_it_connects(
    interview, interviewer
) -> None:
    await database_sync_to_async(session.session_start)(
        interview_id=interview.pk, user_id=interviewer.pk
    )
    ivy = Control(interview.pk, interviewer)
    state = (await ivy.open())["state"]
    assert state["status"] == "live"
    assert state["current_step"] == 1
    assert state["step_budget_seconds"] == 270
    assert state["step_started_at"] is not None
    await ivy.close()


async def test_the_interviewer_starts_moves_and_ends_and_both_see_it(
    interview, interviewer, candidate
) -> None:
    ivy, carl = Control(interview.pk, interviewer), Control(interview.pk, candidate)
    assert (await ivy.open())["state"]["status"] == "scheduled"
    await carl.open()
    await ivy.act(type="start")
    for control in (ivy, carl):
        assert (await control.next("state"))["state"]["current_step"] == 1
    await ivy.act(type="next_step")
    await ivy.act(type="goto_step", step=5)
    assert (await carl.next("state"))["state"]["current_step"] == 2
    assert (await carl.next("state"))["state"]["current_step"] == 5
    await ivy.act(type="end")
    ended = (await carl.next("state"))["state"]
    assert ended["status"] == "completed" and ended["ended_at"] is not None
    assert [(e["kind"], e["step"]) for e in ended["timeline"]][-2:] == [
        ("step_entered", 5),
        ("ended", None),
    ]
    kinds = await database_sync_to_async(list)(
        TimelineEvent.objects.filter(interview=interview).values_list("kind", "step")
    )
    assert kinds == [
        ("started", None),
        ("step_entered", 1),
        ("step_entered", 2),
        ("step_entered", 5),
        ("ended", None),
    ]
    await ivy.close()
    await carl.close()


async def test_candidate_cannot_change_the_step(interview, interviewer, candidate) -> None:
    await database_sync_to_async(session.session_start)(
        interview_id=interview.pk, user_id=interviewer.pk
    )
    carl = Control(interview.pk, candidate)
    await carl.open()
    for action in ({"type": "goto_step", "step": 4}, {"type": "next_step"}, {"type": "end"}):
        await carl.act(**action)
        error = await carl.next("error")
        assert error["code"] == "not_interviewer"
    fresh = await database_sync_to_async(Interview.objects.get)(pk=interview.pk)
    assert fresh.current_step == 1 and fresh.status == InterviewStatus.LIVE
    assert (
        await database_sync_to_async(TimelineEvent.objects.filter(interview=interview).count)() == 2
    )
    await carl.close()


async def test_presence_shows_who_is_here_by_role(interview, interviewer, candidate) -> None:
    ivy = Control(interview.pk, interviewer)
    await ivy.open()
    carl = Control(interview.pk, candidate)
    joined = (await carl.open())["state"]["presence"]
    roles = {entry["role"] for entry in joined}
    if roles != {"interviewer", "candidate"}:  # the interviewer's answer may come just after
        joined = (await carl.next("presence"))["presence"]
    assert {(p["role"], p["display_name"]) for p in joined} == {
        ("interviewer", "Ivy"),
        ("candidate", "Carl"),
    }
    await carl.close()
    left = (await ivy.next("presence"))["presence"]
    while len(left) != 1:
        left = (await ivy.next("presence"))["presence"]
    assert [p["role"] for p in left] == ["interviewer"]
    await ivy.close()


async def test_ending_makes_the_notes_read_only_at_once(interview, interviewer, candidate) -> None:
    from interviews.live.protocol import Kind

    notes = YClient(ws_path(interview.pk, "notes", candidate))
    await notes.connect()
    await notes.message()
    ivy = Control(interview.pk, interviewer)
    await ivy.open()
    await ivy.act(type="start")
    await ivy.next("state")
    await ivy.act(type="end")
    await ivy.next("state")
    await notes.type("step-7", "monitor drift")
    assert (await notes.message()).kind == Kind.AUTH
    await notes.disconnect()
    await ivy.close()


@pytest.mark.parametrize(
    ("frame", "code"), [("not json", 1007), ('{"type": "dance"}', 4400), ("[1, 2]", 4400)]
)
async def test_a_malformed_control_message_closes_that_socket(
    interview, interviewer, frame, code
) -> None:
    ivy = Control(interview.pk, interviewer)
    await ivy.open()
    await ivy.communicator.send_to(text_data=frame)
    assert await close_code(ivy.communicator) == code


async def test_outsiders_cannot_open_the_control_channel(interview, outsider) -> None:
    communicator = WebsocketCommunicator(application, ws_path(interview.pk, "control", outsider))
    await communicator.connect()
    # 4404, as for a missing interview: an outsider learns nothing from the id.
    assert await close_code(communicator) == 4404


def test_the_timeline_is_recorded_in_server_time(interview, interviewer) -> None:
    start = interview.starts_at
    with time_machine.travel(start, tick=False):
        session.session_start(interview_id=interview.pk, user_id=interviewer.pk)
    with time_machine.travel(start + timedelta(minutes=4, seconds=30), tick=False):
        session.session_next_step(interview_id=interview.pk, user_id=interviewer.pk)
    with time_machine.travel(start + timedelta(minutes=45), tick=False):
        session.session_end(interview_id=interview.pk, user_id=interviewer.pk)
    events = list(
        TimelineEvent.objects.filter(interview=interview).values_list("kind", "step", "at")
    )
    assert events == [
        ("started", None, start),
        ("step_entered", 1, start),
        ("step_entered", 2, start + timedelta(minutes=4, seconds=30)),
        ("ended", None, start + timedelta(minutes=45)),
    ]


def test_the_session_cannot_start_before_the_room_opens(interviewer, candidate) -> None:
    later = live_interview(interviewer, candidate, starts_at=timezone.now() + timedelta(hours=2))
    with pytest.raises(Conflict):
        session.session_start(interview_id=later.pk, user_id=interviewer.pk)
    assert not TimelineEvent.objects.filter(interview=later).exists()


def test_steps_outside_the_framework_are_rejected(interview, interviewer) -> None:
    session.session_start(interview_id=interview.pk, user_id=interviewer.pk)
    for step in (0, 8):
        with pytest.raises(ApplicationError):
            session.session_goto_step(interview_id=interview.pk, user_id=interviewer.pk, step=step)
    with pytest.raises(Conflict):
        for _ in range(7):
            session.session_next_step(interview_id=interview.pk, user_id=interviewer.pk)
    assert Interview.objects.get(pk=interview.pk).current_step == 7


@pytest.mark.postgres
def test_an_update_waiting_on_the_end_is_refused_once_the_end_commits(
    interviewer, candidate, monkeypatch
) -> None:
    import threading
    import time

    from django.db import connection
    from pycrdt import Doc, Text

    from interviews.live import services
    from interviews.live.layout import DocumentKind
    from interviews.live.models import DocumentUpdate

    interview = live_interview(interviewer, candidate)
    session.session_start(interview_id=interview.pk, user_id=interviewer.pk)
    document = services.document_get_or_create(interview_id=interview.pk, kind=DocumentKind.NOTES)
    doc: Doc = Doc()
    doc.get("step-1", type=Text).insert(0, "typed as the interviewer clicked End")
    pending = [services.PendingUpdate(document.pk, interview.pk, doc.get_update(), None)]

    end_holds_its_locks, release = threading.Event(), threading.Event()
    real_record = session._record

    def record(*args, **kwargs):
        real_record(*args, **kwargs)
        end_holds_its_locks.set()
        release.wait(5)

    monkeypatch.setattr(session, "_record", record)
    result: dict[str, object] = {}

    def run(name: str, call) -> None:
        try:
            result[name] = call()
        except BaseException as exc:  # reported by the assertions below
            result[name] = exc
        finally:
            connection.close()

    ender = threading.Thread(
        target=run,
        args=(
            "end",
            lambda: session.session_end(interview_id=interview.pk, user_id=interviewer.pk),
        ),
    )
    ender.start()
    assert end_holds_its_locks.wait(5)
    committer = threading.Thread(
        target=run, args=("seqs", lambda: services.updates_append(pending=pending))
    )
    committer.start()
    time.sleep(0.5)  # the commit now waits for the document lock the end holds
    release.set()
    ender.join(10)
    committer.join(10)
    assert Interview.objects.get(pk=interview.pk).status == InterviewStatus.COMPLETED
    assert result["seqs"] == [None]  # refused: the interview ended before it was stored
    assert not DocumentUpdate.objects.filter(document=document).exists()


async def test_a_socket_joining_the_room_is_recorded_as_presence_on_the_seat(
    interview, interviewer, candidate
) -> None:
    from interviews.models import Seat

    def seen(user) -> tuple[object, object]:
        seat = Seat.objects.get(interview=interview, user=user)
        return seat.first_seen_at, seat.last_seen_at

    assert await database_sync_to_async(seen)(candidate) == (None, None)
    carl = Control(interview.pk, candidate)
    await carl.open()
    first, last = await database_sync_to_async(seen)(candidate)
    assert first is not None and first == last
    await carl.close()
    notes = YClient(ws_path(interview.pk, "notes", candidate))
    await notes.connect()
    await notes.communicator.receive_output(3)  # the room answers once joined
    again_first, again_last = await database_sync_to_async(seen)(candidate)
    assert again_first == first and again_last > last
    await notes.disconnect()
    assert await database_sync_to_async(seen)(interviewer) == (None, None)


async def test_the_candidate_in_the_room_cannot_be_reported_absent(
    interview, interviewer, candidate
) -> None:
    from interviews.models import ReliabilityEvent
    from interviews.services import lifecycle

    carl = Control(interview.pk, candidate)
    await carl.open()
    await carl.close()
    later = interview.starts_at + timedelta(minutes=11)
    with time_machine.travel(later, tick=False), pytest.raises(Conflict) as refused:
        await database_sync_to_async(lifecycle.interview_report_no_show)(
            interview=interview, user=interviewer
        )
    assert refused.value.code == "partner_was_present"
    assert not await database_sync_to_async(ReliabilityEvent.objects.exists)()


async def test_a_socket_in_a_finished_interviews_room_is_no_presence(
    interview, interviewer, candidate
) -> None:
    from interviews.models import Seat

    await database_sync_to_async(Interview.objects.filter(pk=interview.pk).update)(
        status=InterviewStatus.CANCELLED
    )
    carl = Control(interview.pk, candidate)
    await carl.open()
    await carl.close()
    seat = await database_sync_to_async(Seat.objects.get)(interview=interview, user=candidate)
    assert seat.first_seen_at is None


def test_the_interviewer_can_change_step_only_so_many_times(interview, interviewer) -> None:
    start = interview.starts_at
    with override_settings(LIVE_MAX_STEP_CHANGES=3, LIVE_STEP_CHANGES_PER_MINUTE=100):
        with time_machine.travel(start, tick=False):
            session.session_start(interview_id=interview.pk, user_id=interviewer.pk)
        for n, step in enumerate((2, 1, 2)):
            with time_machine.travel(start + timedelta(minutes=n + 1), tick=False):
                session.session_goto_step(
                    interview_id=interview.pk, user_id=interviewer.pk, step=step
                )
        later = time_machine.travel(start + timedelta(minutes=9), tick=False)
        with later, pytest.raises(Conflict) as refused:
            session.session_next_step(interview_id=interview.pk, user_id=interviewer.pk)
    assert refused.value.code == "too_many_step_changes"
    assert TimelineEvent.objects.filter(interview=interview).count() == 5
    interview.refresh_from_db()
    assert interview.current_step == 2


async def test_a_burst_of_step_changes_is_refused_over_the_control_socket(
    interview, interviewer
) -> None:
    await start(interview, interviewer)
    ivy = Control(interview.pk, interviewer)
    await ivy.open()
    with override_settings(LIVE_STEP_CHANGES_PER_MINUTE=3):
        for step in (2, 3):
            await ivy.act(type="goto_step", step=step)
            assert (await ivy.next("state"))["state"]["current_step"] == step
        await ivy.act(type="goto_step", step=4)
        error = await ivy.next("error")
    assert error["code"] == "step_changes_too_fast"
    assert error["message"]
    # The socket stays open: back under the cap, the interviewer carries on.
    await ivy.act(type="goto_step", step=5)
    assert (await ivy.next("state"))["state"]["current_step"] == 5
    await ivy.close()
    count = await database_sync_to_async(
        TimelineEvent.objects.filter(interview=interview, kind="step_entered").count
    )()
    assert count == 4


def test_an_ended_interview_shows_the_step_and_clock_it_stopped_at(interview, interviewer) -> None:
    start = interview.starts_at
    with time_machine.travel(start, tick=False):
        session.session_start(interview_id=interview.pk, user_id=interviewer.pk)
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        session.session_goto_step(interview_id=interview.pk, user_id=interviewer.pk, step=3)
    with time_machine.travel(start + timedelta(minutes=9), tick=False):
        session.session_end(interview_id=interview.pk, user_id=interviewer.pk)
    # What a reload (a fresh control socket) sees, long after the end.
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        state = selectors.session_snapshot(interview_id=interview.pk)
    assert state["status"] == "completed"
    assert state["current_step"] == 3
    assert state["step_started_at"] == zulu(start + timedelta(minutes=5))
    assert state["ended_at"] == zulu(start + timedelta(minutes=9))


def zulu(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
