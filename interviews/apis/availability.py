"""Availability windows: published in the user's zone, stored in UTC."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from interviews.models import AvailabilityWindow
from interviews.serializers import AvailabilityFilter, AvailabilityInput, AvailabilityOutput
from interviews.services import availability
from sevenstep.apitools import SignedInRequest, body, context_for, paginated
from sevenstep.pagination import Pagination
from sevenstep.serializers import query


class AvailabilityListApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        parameters=[AvailabilityFilter],
        responses=AvailabilityOutput(many=True),
        summary="My availability windows, soonest first (upcoming only unless past=true)",
    )
    def get(self, request: SignedInRequest) -> Response:
        filters = query(request, AvailabilityFilter)
        windows = AvailabilityWindow.objects.filter(user=request.user).order_by("starts_at")
        if not filters["past"]:
            windows = windows.filter(ends_at__gt=timezone.now())
        return paginated(self, request, windows, AvailabilityOutput)

    @extend_schema(
        request=AvailabilityInput,
        responses={201: AvailabilityOutput},
        summary="Publish an availability window",
        description="Refused with a clear error when it is in the past, shorter than one "
        "interview, too far ahead, ends before it starts, overlaps another of my windows "
        "(409), names an unknown time zone, or uses a wall-clock time a DST change skips "
        "or repeats.",
    )
    def post(self, request: SignedInRequest) -> Response:
        data = body(request, AvailabilityInput)
        window = availability.availability_add(user=request.user, **data)
        return Response(
            AvailabilityOutput(window, context=context_for(request)).data,
            status=status.HTTP_201_CREATED,
        )


class AvailabilityDetailApi(APIView):
    @extend_schema(responses=AvailabilityOutput, summary="One of my availability windows")
    def get(self, request: SignedInRequest, pk: int) -> Response:
        window = get_object_or_404(AvailabilityWindow, pk=pk, user=request.user)
        return Response(AvailabilityOutput(window, context=context_for(request)).data)

    @extend_schema(responses={204: None}, summary="Remove one of my availability windows")
    def delete(self, request: SignedInRequest, pk: int) -> Response:
        window = get_object_or_404(AvailabilityWindow, pk=pk, user=request.user)
        availability.availability_remove(window=window)
        return Response(status=status.HTTP_204_NO_CONTENT)
