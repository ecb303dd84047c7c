"""URLs that fail on purpose, to test the error handlers."""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sevenstep.errors import Conflict


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


class ConflictApi(APIView):
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        raise Conflict("That slot was just taken.")


urlpatterns = [
    path("boom/", boom),
    path("conflict/", ConflictApi.as_view()),
]

handler500 = "sevenstep.errors.handler500"
