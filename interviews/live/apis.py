"""HTTP endpoints of the live room: the notes as Markdown, the replay, the call's connection."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from interviews.live import selectors
from interviews.live.serializers import CallOutput, NotesOutput, ReplayOutput, ReplayQuery
from sevenstep.serializers import query


class NotesApi(APIView):
    @extend_schema(
        responses=NotesOutput,
        summary="The interview's notes as Markdown per framework step",
        description="For both participants; the interviewer also gets the private notes. "
        "Read from the stored document, so it is exactly what the room committed.",
    )
    def get(self, request: Request, interview_id: int) -> Response:
        interview, role = selectors.interview_for_reader(
            interview_id=interview_id, user_id=request.user.pk
        )
        return Response(NotesOutput(selectors.notes_export(interview=interview, role=role)).data)


class ReplayApi(APIView):
    @extend_schema(
        parameters=[ReplayQuery],
        responses=ReplayOutput,
        summary="The session timeline, and the notes' changes between its events, page by page",
        description="For both participants; the interviewer's replay also holds the private "
        "notes. Each part is a Yjs update: applied in order, the parts up to moment i give the "
        "notes as they stood at event i. A page holds at most LIVE_REPLAY_PAGE_BYTES of "
        "updates (and at least one); fetch again with `start` set to `next` until it is null.",
    )
    def get(self, request: Request, interview_id: int) -> Response:
        interview, role = selectors.interview_for_reader(
            interview_id=interview_id, user_id=request.user.pk
        )
        start = query(request, ReplayQuery)["start"]
        replay = selectors.interview_replay(interview=interview, role=role, start=start)
        return Response(ReplayOutput(replay).data)


class CallApi(APIView):
    @extend_schema(
        responses=CallOutput,
        summary="What a participant's browser needs to place the interview's call",
        description="ICE servers (STUN, and TURN with short-lived coturn REST-API credentials) "
        "and the peer's negotiation role. Participants only, while the room is open.",
    )
    def get(self, request: Request, interview_id: int) -> Response:
        config = selectors.call_config(interview_id=interview_id, user_id=request.user.pk)
        return Response(CallOutput(config).data)
