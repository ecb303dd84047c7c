"""What every API view uses: the caller's zone, the validated body, one page of a list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sevenstep.pagination import Pagination

if TYPE_CHECKING:
    from accounts.models import User

    class SignedInRequest(Request):
        """The request a view behind the default IsAuthenticated permission receives: its user
        is an account, never AnonymousUser. For annotations; DRF builds a plain Request."""

        @property
        def user(self) -> User: ...

        @user.setter
        def user(self, value: User) -> None: ...

else:
    SignedInRequest = Request


def zone_of(user: Any) -> str:
    """Return the user's IANA zone; users without a profile (createsuperuser) get UTC."""
    profile = getattr(user, "profile", None)
    return profile.time_zone if profile is not None else "UTC"


def context_for(request: Request) -> dict[str, Any]:
    return {"request": request, "time_zone": zone_of(request.user)}


def body(
    request: Request, serializer_class: type[serializers.Serializer], **kwargs: Any
) -> dict[str, Any]:
    """Validate the JSON body with a strict input serializer."""
    data = serializer_class(data=request.data, context=context_for(request), **kwargs)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


def paginated(
    view: APIView,
    request: Request,
    items: QuerySet[Any] | Sequence[Any],
    serializer_class: type[serializers.Serializer],
) -> Response:
    """Answer with the requested page of items, serialized."""
    paginator = Pagination()
    page = paginator.paginate_queryset(items, request, view=view)
    data = serializer_class(page, many=True, context=context_for(request)).data
    return paginator.get_paginated_response(data)
