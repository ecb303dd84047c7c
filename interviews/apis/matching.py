"""Matching runs on demand (staff) and instant match."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from interviews.models import InstantQueueEntry, MatchRun, QueueStatus
from interviews.serializers import InstantInput, InstantOutput, MatchRunInput, MatchRunOutput
from interviews.services import instant, matching
from sevenstep.apitools import SignedInRequest, body, paginated
from sevenstep.pagination import Pagination
from sevenstep.serializers import PageQuery, query


class MatchRunListApi(APIView):
    permission_classes = [IsAdminUser]
    pagination_class = Pagination

    @extend_schema(
        parameters=[PageQuery],
        responses=MatchRunOutput(many=True),
        summary="Matching runs, newest first",
    )
    def get(self, request: Request) -> Response:
        query(request, PageQuery)
        return paginated(self, request, MatchRun.objects.order_by("-created_at"), MatchRunOutput)

    @extend_schema(
        request=MatchRunInput,
        responses={202: MatchRunOutput},
        summary="Start a matching run now (staff); the beat job runs one every few minutes",
    )
    def post(self, request: SignedInRequest) -> Response:
        body(request, MatchRunInput)
        run = matching.match_run_request(user=request.user)
        return Response(MatchRunOutput(run).data, status=status.HTTP_202_ACCEPTED)


class MatchRunDetailApi(APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(responses=MatchRunOutput, summary="One matching run and its figures")
    def get(self, request: Request, pk: int) -> Response:
        return Response(MatchRunOutput(get_object_or_404(MatchRun, pk=pk)).data)


class InstantMatchApi(APIView):
    @extend_schema(
        request=InstantInput,
        responses={200: InstantOutput, 201: InstantOutput},
        summary="Be paired now with someone else waiting for the same kind of interview",
        description="201 with status `waiting` or, when a partner was already waiting, "
        "`matched` with the interview that starts now. Poll GET to stay in the queue and to "
        "see the match (an entry not polled for a minute expires); criteria relax after a "
        "while. Joining again while waiting updates the wish (200).",
    )
    def post(self, request: SignedInRequest) -> Response:
        data = body(request, InstantInput)
        already = InstantQueueEntry.objects.filter(
            user=request.user, status=QueueStatus.WAITING
        ).exists()
        entry = instant.instant_join(user=request.user, **data)
        return Response(
            InstantOutput(instant.instant_described(entry)).data,
            status=status.HTTP_200_OK if already else 201,
        )

    @extend_schema(
        responses=InstantOutput, summary="My instant-match status (polling keeps me queued)"
    )
    def get(self, request: SignedInRequest) -> Response:
        entry = instant.instant_status(user=request.user)
        return Response(InstantOutput(instant.instant_described(entry)).data)

    @extend_schema(responses=InstantOutput, summary="Leave the instant-match queue")
    def delete(self, request: SignedInRequest) -> Response:
        entry = instant.instant_leave(user=request.user)
        return Response(InstantOutput(instant.instant_described(entry)).data)
