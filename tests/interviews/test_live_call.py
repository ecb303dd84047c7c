"""The call: signalling between the two participants only, and the browser's connection data."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from datetime import timedelta

import pytest
import time_machine
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from config.asgi import application
from interviews.live import services
from interviews.models import InterviewStatus, TimelineEvent, TimelineKind
from interviews.models.sessions import CALL_KINDS
from scoring.services.timings import seconds_per_step
from sevenstep.consumers import (
    CLOSE_BAD_MESSAGE,
    CLOSE_INVALID_PAYLOAD,
    CLOSE_MESSAGE_TOO_BIG,
    CLOSE_NOT_FOUND,
    CLOSE_REPLACED,
    CLOSE_ROOM_CLOSED,
    CLOSE_TOO_EARLY,
    CLOSE_UNSUPPORTED_DATA,
)
from tests.factories import UserFactory
from tests.support.yjs import live_interview, ws_path

pytestmark = pytest.mark.django_db(transaction=True)

OFFER_SDP = (
    "v=0\r\no=- 4611 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
)


@pytest.fixture
def interview(interviewer, candidate):
    return live_interview(interviewer, candidate)


class Call:
    """One participant's signalling socket."""

    opened: list[Call] = []

    def __init__(self, interview_id: int, user) -> None:
        self.communicator = WebsocketCommunicator(application, ws_path(interview_id, "call", user))
        self.id = ""
        Call.opened.append(self)

    async def open(self) -> dict:
        connected, _ = await self.communicator.connect()
        assert connected
        welcome = await self.next()
        self.id = welcome.get("id", "")
        return welcome

    async def next(self, timeout: float = 3) -> dict:
        return await self.communicator.receive_json_from(timeout=timeout)

    async def next_of(self, kind: str) -> dict:
        while True:
            message = await self.next()
            if message["type"] == kind:
                return message

    async def send(self, **message: object) -> None:
        await self.communicator.send_json_to(message)

    async def close_code(self) -> int:
        while True:
            output = await self.communicator.receive_output(3)
            if output["type"] == "websocket.close":
                return int(output.get("code", 1000))

    async def nothing(self) -> bool:
        return await self.communicator.receive_nothing(0.3)

    async def close(self) -> None:
        await self.communicator.disconnect()


@pytest.fixture(autouse=True)
async def _hang_up_every_socket():
    """Finish every consumer a test started, closed by the server or not, before the loop ends.

    A consumer left running holds the Redis channel layer's receive lock on a dead loop.
    """
    yield
    while Call.opened:
        await Call.opened.pop().communicator.disconnect()


async def pair(interview, interviewer, candidate) -> tuple[Call, Call]:
    ivy, carl = Call(interview.pk, interviewer), Call(interview.pk, candidate)
    await ivy.open()
    await carl.open()
    assert await ivy.next_of("peer") == {"type": "peer", "present": True, "id": carl.id}
    assert await carl.next_of("peer") == {"type": "peer", "present": True, "id": ivy.id}
    return ivy, carl


async def test_each_participant_learns_its_negotiation_role_and_peer_id(
    interview, interviewer, candidate
) -> None:
    ivy, carl = Call(interview.pk, interviewer), Call(interview.pk, candidate)
    ivy_welcome, carl_welcome = await ivy.open(), await carl.open()
    assert ivy_welcome == {"type": "welcome", "role": "interviewer", "polite": False, "id": ivy.id}
    assert carl_welcome == {"type": "welcome", "role": "candidate", "polite": True, "id": carl.id}
    assert len(ivy.id) == 16 and ivy.id != carl.id
    await ivy.close()
    await carl.close()


async def test_each_side_hears_of_its_partner_once_however_the_news_crosses(
    interview, interviewer, candidate
) -> None:
    """A second "peer present" for the same socket would make a browser start over mid-offer."""
    for _ in range(5):
        ivy, carl = Call(interview.pk, interviewer), Call(interview.pk, candidate)
        await asyncio.gather(ivy.open(), carl.open())
        assert (await ivy.next_of("peer"))["id"] == carl.id
        assert (await carl.next_of("peer"))["id"] == ivy.id
        assert await ivy.nothing()
        assert await carl.nothing()
        await ivy.close()
        await carl.close()


async def test_a_reload_is_a_new_peer_to_the_partner(interview, interviewer, candidate) -> None:
    ivy, carl = await pair(interview, interviewer, candidate)
    again = Call(interview.pk, candidate)
    await again.open()
    assert await ivy.next_of("peer") == {"type": "peer", "present": True, "id": again.id}
    # The replaced socket's leaving names that socket, so the browser keeps the new partner.
    assert await ivy.next_of("peer") == {"type": "peer", "present": False, "id": carl.id}
    # As a browser does, the new socket offers once it has heard of its partner.
    assert await again.next_of("peer") == {"type": "peer", "present": True, "id": ivy.id}
    await again.send(type="offer", sdp=OFFER_SDP)
    assert await ivy.next() == {"type": "offer", "sdp": OFFER_SDP, "from": again.id}


async def test_an_offer_reaches_the_partner_and_never_echoes_back(
    interview, interviewer, candidate
) -> None:
    ivy, carl = await pair(interview, interviewer, candidate)
    await ivy.send(type="offer", sdp=OFFER_SDP)
    assert await carl.next() == {"type": "offer", "sdp": OFFER_SDP, "from": ivy.id}
    await carl.send(type="answer", sdp="v=0\r\n")
    assert await ivy.next() == {"type": "answer", "sdp": "v=0\r\n", "from": carl.id}
    candidate_line = "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host"
    await carl.send(
        type="candidate", candidate={"candidate": candidate_line, "sdpMid": "0", "sdpMLineIndex": 0}
    )
    relayed = await ivy.next()
    assert relayed["candidate"]["candidate"] == candidate_line
    await ivy.send(type="media", audio=False, video=True)
    assert await carl.next() == {"type": "media", "audio": False, "video": True, "from": ivy.id}
    assert await ivy.nothing()
    await ivy.close()
    await carl.close()


async def test_the_partner_hears_when_the_other_side_leaves(
    interview, interviewer, candidate
) -> None:
    ivy, carl = await pair(interview, interviewer, candidate)
    await carl.close()
    assert await ivy.next() == {"type": "peer", "present": False, "id": carl.id}
    await ivy.close()


async def test_a_second_tab_of_the_same_person_takes_the_call_over(
    interview, interviewer, candidate
) -> None:
    ivy, carl = await pair(interview, interviewer, candidate)
    again = Call(interview.pk, interviewer)
    await again.open()
    assert await ivy.close_code() == CLOSE_REPLACED
    await carl.send(type="hangup")
    assert await again.next_of("hangup") == {"type": "hangup", "from": carl.id}
    await again.close()
    await carl.close()


@pytest.fixture
def other():
    return live_interview(UserFactory(), UserFactory())


async def test_nobody_but_the_two_participants_joins_or_hears_the_call(
    interview, interviewer, candidate, outsider, other
) -> None:
    ivy, carl = await pair(interview, interviewer, candidate)
    stranger = Call(interview.pk, outsider)
    connected, _ = await stranger.communicator.connect()
    assert connected
    assert await stranger.close_code() in (4403, CLOSE_NOT_FOUND)
    # The participants of another interview run their own call: nothing crosses over.
    elsewhere = Call(other.pk, other.interviewer)
    await elsewhere.open()
    await elsewhere.send(type="offer", sdp=OFFER_SDP)
    assert await ivy.nothing()
    assert await carl.nothing()
    anonymous = WebsocketCommunicator(application, f"/ws/interviews/{interview.pk}/call")
    await anonymous.connect()
    assert (await anonymous.receive_output(3))["code"] == 4401
    for call in (ivy, carl, elsewhere):
        await call.close()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"type": "offer"}, CLOSE_BAD_MESSAGE),
        ({"type": "offer", "sdp": 42}, CLOSE_BAD_MESSAGE),
        ({"type": "candidate", "candidate": {"candidate": "x", "evil": 1}}, CLOSE_BAD_MESSAGE),
        ({"type": "candidate", "candidate": {"candidate": "x", "sdpMLineIndex": True}}, 4400),
        ({"type": "media", "audio": "yes", "video": False}, CLOSE_BAD_MESSAGE),
        ({"type": "record_everything"}, CLOSE_BAD_MESSAGE),
        (["offer"], CLOSE_BAD_MESSAGE),
        ("[" * 5000 + "]" * 5000, CLOSE_INVALID_PAYLOAD),
        ("{not json", CLOSE_INVALID_PAYLOAD),
        ({"type": "offer", "sdp": "x" * 70_000}, CLOSE_MESSAGE_TOO_BIG),
        (b"\x00\x01", CLOSE_UNSUPPORTED_DATA),
    ],
    ids=[
        "no-sdp",
        "sdp-not-text",
        "unknown-candidate-field",
        "boolean-index",
        "media-not-boolean",
        "unknown-type",
        "array",
        "deep-json",
        "malformed-json",
        "oversized",
        "binary",
    ],
)
async def test_a_malformed_signal_closes_only_its_own_socket_and_relays_nothing(
    interview, interviewer, candidate, frame, code
) -> None:
    ivy, carl = await pair(interview, interviewer, candidate)
    if isinstance(frame, bytes):
        await carl.communicator.send_to(bytes_data=frame)
    elif isinstance(frame, str):
        await carl.communicator.send_to(text_data=frame)
    else:
        await carl.communicator.send_to(text_data=json.dumps(frame))
    assert await carl.close_code() == code
    assert (await ivy.next()) == {"type": "peer", "present": False, "id": carl.id}
    # The room goes on: the interviewer's socket still relays to a fresh one.
    again = Call(interview.pk, candidate)
    await again.open()
    await ivy.next_of("peer")
    await ivy.send(type="hangup")
    assert await again.next_of("hangup") == {"type": "hangup", "from": ivy.id}
    await ivy.close()
    await again.close()


async def test_a_flood_of_signals_is_cut_off(interview, interviewer, candidate, settings) -> None:
    settings.CALL_RATE_PER_SECOND = 1
    settings.CALL_RATE_BURST = 5
    ivy, carl = await pair(interview, interviewer, candidate)
    for _ in range(10):
        await carl.send(type="media", audio=True, video=False)
    assert await carl.close_code() == 4429
    await ivy.close()


# --- the call on the timeline ------------------------------------------------------------


@database_sync_to_async
def _call_events(interview) -> list[tuple[str, int]]:
    return list(
        TimelineEvent.objects.filter(interview=interview, kind__in=CALL_KINDS)
        .order_by("at", "pk")
        .values_list("kind", "actor_id")
    )


async def _events_of(interview, user, count: int) -> list[str]:
    """The call events of one participant, once `count` of them are in (they follow the relay)."""
    for _ in range(60):
        kinds = [kind for kind, actor in await _call_events(interview) if actor == user.pk]
        if len(kinds) >= count:
            return kinds
        await asyncio.sleep(0.05)
    return kinds


async def test_joining_muting_and_leaving_are_timeline_events_both_screens_hear_of(
    interview, interviewer, candidate
) -> None:
    control = WebsocketCommunicator(application, ws_path(interview.pk, "control", interviewer))
    connected, _ = await control.connect()
    assert connected
    ivy, carl = await pair(interview, interviewer, candidate)
    for audio, video in [(False, False), (False, True), (False, False), (True, False)]:
        await carl.send(type="media", audio=audio, video=video)
        assert (await ivy.next_of("media"))["audio"] is audio
    await carl.close()
    # Only changes of the microphone count: the camera and repeated states are not moments.
    assert await _events_of(interview, candidate, 4) == [
        "call_joined",
        "call_muted",
        "call_unmuted",
        "call_left",
    ]
    assert await _events_of(interview, interviewer, 1) == ["call_joined"]
    seen: list[str] = []
    while "call_left" not in seen:
        message = await control.receive_json_from(timeout=3)
        if message["type"] == "state":
            seen = [event["kind"] for event in message["state"]["timeline"]]
    assert seen.count("call_joined") == 2
    await ivy.close()
    await control.disconnect()


async def test_a_flapping_microphone_cannot_grow_the_timeline_but_the_call_goes_on(
    interview, interviewer, candidate, settings
) -> None:
    settings.CALL_MAX_TIMELINE_EVENTS = 3
    ivy, carl = await pair(interview, interviewer, candidate)
    for flip in range(8):
        await carl.send(type="media", audio=flip % 2 == 1, video=False)
        assert (await ivy.next_of("media"))["audio"] is (flip % 2 == 1)
    await asyncio.sleep(0.3)
    assert await _events_of(interview, candidate, 3) == [
        "call_joined",
        "call_muted",
        "call_unmuted",
    ]
    await ivy.close()
    await carl.close()


def test_nothing_of_the_call_is_recorded_once_the_interview_is_over(interview, candidate) -> None:
    interview.status = InterviewStatus.COMPLETED
    interview.save(update_fields=["status"])
    assert not services.call_event_record(
        interview_id=interview.pk, user_id=candidate.pk, kind=TimelineKind.CALL_LEFT
    )
    assert not TimelineEvent.objects.filter(interview=interview).exists()


def test_call_events_do_not_cut_a_steps_time() -> None:
    start = timezone.now()
    events = [
        ("step_entered", 1, start),
        ("call_joined", None, start + timedelta(seconds=5)),
        ("call_muted", None, start + timedelta(seconds=50)),
        ("step_entered", 2, start + timedelta(seconds=100)),
        ("call_left", None, start + timedelta(seconds=120)),
    ]
    assert seconds_per_step(events, start + timedelta(seconds=160))[:2] == [100, 60]


@pytest.fixture
def later(interviewer, candidate):
    return live_interview(interviewer, candidate, starts_at=timezone.now() + timedelta(hours=3))


@pytest.fixture
def done(interviewer, candidate):
    return live_interview(
        interviewer,
        candidate,
        starts_at=timezone.now() - timedelta(hours=2),
        status=InterviewStatus.COMPLETED,
    )


async def test_the_call_opens_with_the_room_and_closes_with_the_interview(
    interviewer, candidate, later, done
) -> None:
    early = Call(later.pk, interviewer)
    await early.communicator.connect()
    assert await early.close_code() == CLOSE_TOO_EARLY
    over = Call(done.pk, candidate)
    await over.communicator.connect()
    assert await over.close_code() == CLOSE_ROOM_CLOSED


# --- GET /api/interviews/{id}/call/ ----------------------------------------------------------


def test_participants_get_stun_and_turn_servers_with_coturn_credentials(
    interview, interviewer, client_for, settings
) -> None:
    settings.CALL_STUN_URLS = ["stun:turn.example.com:3478"]
    settings.CALL_TURN_URLS = ["turn:turn.example.com:3478?transport=udp"]
    settings.CALL_TURN_SECRET = "north-wind"
    settings.CALL_TURN_TTL_SECONDS = 600
    with time_machine.travel(timezone.now(), tick=False):
        body = client_for(interviewer).get(f"/api/interviews/{interview.pk}/call/").json()
        expected_expiry = int(timezone.now().timestamp()) + 600
    assert body["role"] == "interviewer" and body["polite"] is False
    stun, turn = body["ice_servers"]
    assert stun == {"urls": ["stun:turn.example.com:3478"]}
    assert turn["urls"] == ["turn:turn.example.com:3478?transport=udp"]
    expiry, user_id = turn["username"].split(":")
    assert (int(expiry), int(user_id)) == (expected_expiry, interviewer.pk)
    # What coturn computes from its static-auth-secret for this username.
    mac = hmac.new(b"north-wind", turn["username"].encode(), hashlib.sha1).digest()
    assert base64.b64decode(turn["credential"]) == mac
    assert body["signalling_path"] == f"/ws/interviews/{interview.pk}/call"


def test_without_turn_the_browser_gets_only_what_is_configured(
    interview, candidate, client_for, settings
) -> None:
    settings.CALL_STUN_URLS = []
    settings.CALL_TURN_URLS = ["turn:turn.example.com:3478"]
    settings.CALL_TURN_SECRET = ""  # a URL without its secret could never authenticate
    body = client_for(candidate).get(f"/api/interviews/{interview.pk}/call/").json()
    assert body["ice_servers"] == []
    assert body["credentials_expire_at"] is None
    assert body["polite"] is True


def test_the_call_data_is_for_participants_of_an_open_room_only(
    interview, outsider, candidate, client_for, later
) -> None:
    assert client_for(outsider).get(f"/api/interviews/{interview.pk}/call/").status_code == 404
    assert client_for(outsider).get("/api/interviews/999999/call/").status_code == 404
    assert client_for(None).get(f"/api/interviews/{interview.pk}/call/").status_code in (401, 403)
    response = client_for(candidate).get(f"/api/interviews/{later.pk}/call/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "room_not_open"
    interview.status = InterviewStatus.COMPLETED
    interview.save(update_fields=["status"])
    response = client_for(candidate).get(f"/api/interviews/{interview.pk}/call/")
    assert response.json()["error"]["code"] == "room_closed"


@pytest.mark.redis
async def test_signals_cross_processes_through_the_channel_layer(
    interview, interviewer, candidate
) -> None:
    """Two real server processes on Redis: each participant on its own process."""
    import websockets
    from channels.db import database_sync_to_async

    from accounts.services import ws_ticket_issue
    from tests.support.servers import asgi_server

    ivy_ticket = await database_sync_to_async(ws_ticket_issue)(user=interviewer)
    carl_ticket = await database_sync_to_async(ws_ticket_issue)(user=candidate)
    path = f"/ws/interviews/{interview.pk}/call?ticket="
    with asgi_server() as one, asgi_server() as two:
        async with (
            websockets.connect(one.ws_url + path + ivy_ticket) as ivy,
            websockets.connect(two.ws_url + path + carl_ticket) as carl,
        ):

            async def until(socket, kind: str) -> dict:
                while True:
                    message = json.loads(await asyncio.wait_for(socket.recv(), 10))
                    if message["type"] == kind:
                        return message

            assert (await until(ivy, "peer"))["present"] is True
            await until(carl, "peer")
            await ivy.send(json.dumps({"type": "offer", "sdp": OFFER_SDP}))
            assert (await until(carl, "offer"))["sdp"] == OFFER_SDP
            await carl.send(json.dumps({"type": "answer", "sdp": "v=0\r\n"}))
            assert (await until(ivy, "answer"))["sdp"] == "v=0\r\n"


def test_pages_may_use_the_microphone_and_camera_of_our_own_origin_only(api) -> None:
    policy = api.get("/healthz").headers["Permissions-Policy"]
    features = dict(item.strip().split("=", 1) for item in policy.split(","))
    assert features["microphone"] == "(self)"
    assert features["camera"] == "(self)"
    assert features["geolocation"] == "()"


@pytest.mark.redis
async def test_an_idle_call_outlives_the_channel_layers_blocking_reads(
    interview, interviewer, candidate
) -> None:
    """Consumers wait on Redis with 5 s blocking pops; a quiet call must not die of them."""
    ivy, carl = await pair(interview, interviewer, candidate)
    await asyncio.sleep(16)  # three empty pops on each side
    await ivy.send(type="offer", sdp=OFFER_SDP)
    assert await carl.next() == {"type": "offer", "sdp": OFFER_SDP, "from": ivy.id}
