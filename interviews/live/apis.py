"""HTTP endpoints of the live room: the notes as Markdown, the replay, the call, its recording."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from interviews.live import selectors, services
from interviews.live.models import recording_storage
from interviews.live.serializers import (
    CallOutput,
    NotesOutput,
    RecordingChunkInput,
    RecordingChunkOutput,
    RecordingConsentInput,
    RecordingOutput,
    RecordingStateOutput,
    ReplayOutput,
    ReplayQuery,
)
from sevenstep.apitools import SignedInRequest, body
from sevenstep.downloads import DownloadApiView, FileRenderer, streamed_file
from sevenstep.parsers import JSONRenderer
from sevenstep.serializers import query


class NotesApi(APIView):
    @extend_schema(
        responses=NotesOutput,
        summary="The interview's notes as Markdown per framework step",
        description="For both participants; the interviewer also gets the private notes. "
        "Read from the stored document, so it is exactly what the room committed.",
    )
    def get(self, request: SignedInRequest, interview_id: int) -> Response:
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
    def get(self, request: SignedInRequest, interview_id: int) -> Response:
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
    def get(self, request: SignedInRequest, interview_id: int) -> Response:
        config = selectors.call_config(interview_id=interview_id, user_id=request.user.pk)
        return Response(CallOutput(config).data)


class RecordingConsentApi(APIView):
    @extend_schema(
        request=RecordingConsentInput,
        responses=RecordingStateOutput,
        summary="Turn your consent to recording this interview on or off",
        description="Participants only, while the room is open. Recording runs only while both "
        "have consented; each change is a timeline event and reaches both screens on the "
        "control channel. Withdrawing is always possible; agreeing is capped at "
        "RECORDING_MAX_CONSENT_CHANGES per participant.",
    )
    def put(self, request: SignedInRequest, interview_id: int) -> Response:
        consent = body(request, RecordingConsentInput)["consent"]
        state = services.recording_consent_set(
            interview_id=interview_id, user_id=request.user.pk, consent=consent
        )
        return Response(RecordingStateOutput(state).data)


class RecordingChunksApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": RecordingChunkInput},
        responses={201: RecordingChunkOutput, 200: RecordingChunkOutput},
        summary="Upload a chunk of your own microphone",
        description="Multipart: `seq`, optional `offset_ms`, and `audio` (audio/webm or "
        "audio/ogg). 201 when stored, 200 when this seq was stored before (a retry); chunks "
        "may come in any order. 409 unless both consent and the room takes chunks (it does "
        "until RECORDING_GRACE_SECONDS after the end); 413 past RECORDING_MAX_CHUNK_BYTES, "
        "RECORDING_MAX_BYTES or RECORDING_MAX_SECONDS.",
    )
    def post(self, request: SignedInRequest, interview_id: int) -> Response:
        # Whether the caller may see the interview comes before reading what they sent.
        selectors.interview_for_reader(interview_id=interview_id, user_id=request.user.pk)
        data = body(request, RecordingChunkInput)
        audio = data["audio"]
        stored = services.recording_chunk_store(
            interview_id=interview_id,
            user_id=request.user.pk,
            seq=data["seq"],
            offset_ms=data.get("offset_ms"),
            content_type=audio.content_type or "",
            data=audio.read(),
        )
        chunk = stored.chunk
        output = {"seq": chunk.seq, "size": chunk.size, "at": chunk.at, "created": stored.created}
        return Response(
            RecordingChunkOutput(output).data,
            status=status.HTTP_201_CREATED if stored.created else status.HTTP_200_OK,
        )


class RecordingApi(APIView):
    @extend_schema(
        responses=RecordingOutput,
        summary="The interview's recording: one track per speaker, on the interview clock",
        description="Participants only. Each track's `url` serves its bytes.",
    )
    def get(self, request: SignedInRequest, interview_id: int) -> Response:
        interview, _ = selectors.interview_for_reader(
            interview_id=interview_id, user_id=request.user.pk
        )
        return Response(RecordingOutput(selectors.recording_tracks(interview=interview)).data)

    @extend_schema(
        responses={204: None},
        summary="Delete the interview's recording, both tracks, for good",
        description="Either participant; the caller's consent is withdrawn with it.",
    )
    def delete(self, request: SignedInRequest, interview_id: int) -> Response:
        services.recording_delete(interview_id=interview_id, user_id=request.user.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AudioRenderer(FileRenderer):
    """Lets players ask for audio; errors still go out as JSON."""

    media_type = "audio/*"
    format = "audio"


class RecordingTrackApi(DownloadApiView):
    renderer_classes = [JSONRenderer, AudioRenderer]

    @extend_schema(
        responses={
            (200, "audio/webm"): OpenApiResponse(OpenApiTypes.BINARY),
            (206, "audio/webm"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The one byte range asked for."
            ),
            416: OpenApiResponse(description="The range starts past the end of the track."),
        },
        summary="One speaker's track: the chunks joined in seq order",
        description="Participants only; `role` is interviewer or candidate. Takes one byte "
        "range (`Range: bytes=a-b`, `a-`, `-n`), so a player can seek: 206 with Content-Range; "
        "several ranges or an unreadable header get the whole track (200).",
    )
    def get(self, request: SignedInRequest, interview_id: int, role: str) -> StreamingHttpResponse:
        interview, _ = selectors.interview_for_reader(
            interview_id=interview_id, user_id=request.user.pk
        )
        content_type, chunks = selectors.recording_track_chunks(interview=interview, role=role)

        async def read(index: int, start: int, stop: int) -> bytes:
            return await sync_to_async(_read)(chunks[index][0], start, stop)

        response = streamed_file(request, [size for _, size in chunks], read, content_type)
        response["Cache-Control"] = "private, no-store"
        return response


def _read(name: str, start: int, stop: int) -> bytes:
    # A chunk is at most RECORDING_MAX_CHUNK_BYTES: read whole, cut here.
    with recording_storage().open(name, "rb") as chunk:
        return chunk.read()[start:stop]
