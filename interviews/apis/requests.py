"""The standing request to be paired by the matching runs."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from interviews.models import InterviewRequest
from interviews.serializers import RequestInput, RequestOutput
from interviews.services import requests as request_services
from sevenstep.apitools import SignedInRequest, body, paginated
from sevenstep.pagination import Pagination
from sevenstep.serializers import PageQuery, query


class RequestListApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        parameters=[PageQuery],
        responses=RequestOutput(many=True),
        summary="My interview requests, newest first",
    )
    def get(self, request: SignedInRequest) -> Response:
        query(request, PageQuery)
        mine = (
            InterviewRequest.objects.filter(user=request.user)
            .select_related("question")
            .order_by("-created_at")
        )
        return paginated(self, request, mine, RequestOutput)

    @extend_schema(
        request=RequestInput,
        responses={201: RequestOutput},
        summary="Ask to be paired (one open request at a time; 409 if one is open)",
    )
    def post(self, request: SignedInRequest) -> Response:
        data = body(request, RequestInput)
        opened = request_services.request_open(user=request.user, **data)
        return Response(RequestOutput(opened).data, status=status.HTTP_201_CREATED)


class RequestDetailApi(APIView):
    @extend_schema(responses=RequestOutput, summary="One of my interview requests")
    def get(self, request: SignedInRequest, pk: int) -> Response:
        mine = get_object_or_404(InterviewRequest, pk=pk, user=request.user)
        return Response(RequestOutput(mine).data)

    @extend_schema(request=RequestInput, responses=RequestOutput, summary="Change my open request")
    def patch(self, request: SignedInRequest, pk: int) -> Response:
        mine = get_object_or_404(InterviewRequest, pk=pk, user=request.user)
        data = body(request, RequestInput, partial=True)
        return Response(RequestOutput(request_services.request_update(request=mine, **data)).data)

    @extend_schema(
        request=None, responses=RequestOutput, summary="Withdraw my request (kept as history)"
    )
    def delete(self, request: SignedInRequest, pk: int) -> Response:
        mine = get_object_or_404(InterviewRequest, pk=pk, user=request.user)
        return Response(RequestOutput(request_services.request_withdraw(request=mine)).data)
