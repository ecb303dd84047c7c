"""The instant match is pushed to a waiting user's socket as soon as it is made."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework.test import APIClient

from accounts.models import User
from config.asgi import application
from interviews.services import instant
from tests.factories import QuestionFactory
from tests.support.sockets import close_code

pytestmark = pytest.mark.django_db(transaction=True)


def ticket_for(user: User) -> str:
    client = APIClient()
    client.force_authenticate(user)
    return str(client.post("/api/auth/ws-ticket/").json()["ticket"])


async def test_both_people_hear_about_their_match_on_the_socket(
    interviewer: User, candidate: User
) -> None:
    # Transactional tests run on an emptied database: the shipped bank may be gone.
    await sync_to_async(QuestionFactory.create_batch)(3)
    sockets = []
    for user in (candidate, interviewer):
        ticket = await sync_to_async(ticket_for)(user)
        socket = WebsocketCommunicator(application, f"/ws/match/instant/?ticket={ticket}")
        connected, _ = await socket.connect()
        assert connected
        assert await socket.receive_json_from() == {"type": "listening"}
        sockets.append(socket)
    await sync_to_async(instant.instant_join)(user=candidate, role="candidate")
    entry = await sync_to_async(instant.instant_join)(user=interviewer, role="interviewer")
    assert entry.interview_id is not None
    for socket in sockets:
        message = await socket.receive_json_from(timeout=5)
        assert message["type"] == "matched"
        assert message["interview_id"] == entry.interview_id
        assert message["join_url"].endswith(f"/interviews/{entry.interview_id}/room")
        await socket.disconnect()


async def test_an_anonymous_socket_is_closed_with_4401() -> None:
    socket = WebsocketCommunicator(application, "/ws/match/instant/")
    await socket.connect()
    assert await close_code(socket) == 4401
