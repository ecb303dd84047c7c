"""My sessions and linked social accounts: list them, end or unlink one."""

from __future__ import annotations

from django.contrib.auth import logout
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.serializers import (
    ProvidersOutput,
    SessionOutput,
    SessionsEndedOutput,
    SocialAccountOutput,
)
from sevenstep.apitools import SignedInRequest, paginated
from sevenstep.pagination import Pagination


class SessionListApi(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination

    @extend_schema(responses=SessionOutput(many=True), summary="List my logged-in sessions")
    def get(self, request: SignedInRequest) -> Response:
        sessions = services.sessions_list(user=request.user)
        current = request._request.session.session_key
        for session in sessions:
            session.current = session.session_key == current
        return paginated(self, request, sessions, SessionOutput)

    @extend_schema(
        operation_id="auth_sessions_end_all",
        request=None,
        responses={200: SessionsEndedOutput},
        summary="Log out everywhere: end every session of mine, this one included",
    )
    def delete(self, request: SignedInRequest) -> Response:
        ended = services.sessions_end(user=request.user)
        if request.auth is None:
            logout(request._request)
        return Response({"ended": ended})


class SessionEndApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None}, summary="End one of my sessions")
    def delete(self, request: SignedInRequest, session_id: int) -> Response:
        services.session_end(user=request.user, session_id=session_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProviderListApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(
        responses=ProvidersOutput,
        summary="The sign-in providers configured on this server (GitHub, Google, OpenID Connect)",
    )
    def get(self, request: Request) -> Response:
        from accounts.adapters import configured_providers

        return Response(ProvidersOutput({"providers": configured_providers()}).data)


class SocialAccountListApi(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination

    @extend_schema(
        responses=SocialAccountOutput(many=True), summary="The providers linked to my account"
    )
    def get(self, request: SignedInRequest) -> Response:
        accounts = selectors.social_accounts_of(user=request.user)
        return paginated(self, request, accounts, SocialAccountOutput)


class SocialAccountUnlinkApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None}, summary="Unlink a provider from my account")
    def delete(self, request: SignedInRequest, account_id: int) -> Response:
        services.social_account_unlink(user=request.user, account_id=account_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
