"""Signing in and out: the CSRF cookie, registration, log in and out, a token for a password,
the websocket ticket, who I am and my profile.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.middleware.csrf import get_token
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts import services
from accounts.models import User
from accounts.serializers import (
    CsrfOutput,
    EraseInput,
    LoginInput,
    MeOutput,
    ProfileUpdateInput,
    RegisterInput,
    RegisterOutput,
    TicketOutput,
    TokenOutput,
    WhoamiOutput,
)
from sevenstep.apitools import SignedInRequest, body
from sevenstep.errors import ApplicationError

_BAD_CREDENTIALS = "Email or password is incorrect."
_REGISTERED = (
    "If this email address is new, your account is ready: log in with it, and open the link we "
    "emailed to confirm the address. If it already has an account, we have emailed its owner "
    "instead."
)


def _enforce_csrf(request: Request) -> None:
    """Browser logins set a session cookie, so they must prove they come from our pages."""
    SessionAuthentication().enforce_csrf(request)


def _me(user: User) -> dict[str, object]:
    user.email_verified = services.email_is_verified(user=user)
    user.pending_email = services.email_pending(user=user)
    return MeOutput(user).data


def _address(request: Request) -> str:
    """The client's address as the throttles see it (NUM_PROXIES decides what to trust)."""
    return ScopedRateThrottle().get_ident(request)


def _authenticate(request: Request) -> User:
    data = body(request, LoginInput)
    email = services.normalise_email(data["email"])
    address = _address(request)
    # Checked before the password, so guesses against a locked account learn nothing.
    services.login_failures_check(email=email, address=address)
    user = authenticate(request._request, username=email, password=data["password"])
    if user is None:
        services.login_failure_record(email=email, address=address)
        raise ApplicationError(_BAD_CREDENTIALS, code="invalid_credentials", status_code=400)
    services.login_failures_clear(email=email)
    return user


class CsrfApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(responses=CsrfOutput, summary="Set the CSRF cookie and return its token")
    def get(self, request: Request) -> Response:
        return Response({"csrf_token": get_token(request._request)})


class RegisterApi(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "register"

    @extend_schema(
        request=RegisterInput,
        responses={202: RegisterOutput},
        summary="Create an account (answered alike whether or not the email is taken)",
    )
    def post(self, request: Request) -> Response:
        _enforce_csrf(request)
        data = body(request, RegisterInput)
        # Not logged in here: a session for a new email only would tell the two cases apart.
        services.user_register(**data)
        return Response({"detail": _REGISTERED}, status=status.HTTP_202_ACCEPTED)


class LoginApi(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(request=LoginInput, responses=MeOutput, summary="Log in with a session")
    def post(self, request: Request) -> Response:
        _enforce_csrf(request)
        user = _authenticate(request)
        login(request._request, user)
        services.session_record(request=request._request)
        return Response(_me(user))


class LogoutApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        request=None,
        responses={204: None},
        summary="End the session, or revoke the API token sent; either ends websocket tickets",
    )
    def post(self, request: Request) -> Response:
        if request.user.is_authenticated:
            services.user_logout(user=request.user, token=request.auth)
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(
        request=LoginInput,
        responses=TokenOutput,
        summary="Exchange email and password for an expiring API token",
    )
    def post(self, request: Request) -> Response:
        user = _authenticate(request)
        token, secret = services.api_token_create(user=user, name="Password login", from_login=True)
        return Response({"token": secret, "expires_at": token.expires_at})


class WsTicketApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None, responses=TicketOutput, summary="Get a short-lived websocket ticket"
    )
    def post(self, request: SignedInRequest) -> Response:
        ticket = services.ws_ticket_issue(user=request.user)
        return Response({"ticket": ticket, "expires_in": settings.WS_TICKET_MAX_AGE})


class WhoamiApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses=WhoamiOutput,
        summary="Who is logged in, if anyone",
        description="The same user as GET /api/me/, or null instead of a 403 when nobody is "
        "logged in: the browser app asks this on every page, logged in or not.",
    )
    def get(self, request: Request) -> Response:
        user = request.user
        return Response({"user": _me(user) if isinstance(user, User) else None})


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeOutput, summary="The current user and profile")
    def get(self, request: SignedInRequest) -> Response:
        return Response(_me(request.user))

    @extend_schema(request=ProfileUpdateInput, responses=MeOutput, summary="Update the profile")
    def patch(self, request: SignedInRequest) -> Response:
        data = body(request, ProfileUpdateInput, partial=True)
        services.profile_update(user=request.user, **data)
        return Response(_me(request.user))


class MeEraseApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=EraseInput,
        responses={204: None},
        summary="Delete my account and personal data (past interviews stay, anonymised)",
    )
    def post(self, request: SignedInRequest) -> Response:
        data = body(request, EraseInput)
        services.user_erase(user=request.user, password=data["password"])
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)
