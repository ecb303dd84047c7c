"""The private calendar feed: a secret URL per user, revocable by rotating or deleting it."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from interviews.apis.common import CalendarView
from interviews.models import CalendarFeed
from interviews.serializers import FeedCreatedOutput, FeedInput, FeedStatusOutput
from interviews.services import calendar
from sevenstep.apitools import SignedInRequest, body


class FeedApi(APIView):
    @extend_schema(responses=FeedStatusOutput, summary="Whether I have a calendar feed")
    def get(self, request: SignedInRequest) -> Response:
        feed = CalendarFeed.objects.filter(user=request.user).first()
        return Response(
            {"active": feed is not None, "created_at": feed.created_at if feed else None}
        )

    @extend_schema(
        request=FeedInput,
        responses={201: FeedCreatedOutput},
        summary="Create my calendar feed URL, or replace it (the old URL stops working)",
        description="The URL is shown only now; only a hash of its secret is stored.",
    )
    def post(self, request: SignedInRequest) -> Response:
        body(request, FeedInput)
        token = calendar.feed_rotate(user=request.user)
        feed = CalendarFeed.objects.get(user=request.user)
        return Response(
            {"url": calendar.feed_url(token), "created_at": feed.created_at},
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(responses={204: None}, summary="Revoke my calendar feed")
    def delete(self, request: SignedInRequest) -> Response:
        calendar.feed_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class FeedDocumentApi(CalendarView):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(
        operation_id="calendar_feed_document",
        responses={(200, "text/calendar"): OpenApiTypes.BINARY},
        summary="A user's interviews as an iCalendar feed; the secret in the URL is the key",
    )
    def get(self, request: Request, token: str) -> HttpResponse:
        user = calendar.feed_user(token=token)
        if user is None:
            raise Http404
        document = calendar.calendar_render(
            interviews=calendar.feed_interviews(user=user), user=user, name="Sevenstep interviews"
        )
        return self.ics(document, filename="sevenstep.ics")
