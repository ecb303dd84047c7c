"""Email and password: verify and change the address, reset and change the password."""

from __future__ import annotations

from django.contrib.auth import update_session_auth_hash
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts import services
from accounts.serializers import (
    DetailOutput,
    EmailChangeInput,
    EmailSentOutput,
    EmailVerifyInput,
    PasswordChangeInput,
    PasswordResetConfirmInput,
    PasswordResetInput,
)
from sevenstep.apitools import SignedInRequest, body

_RESET_SENT = (
    "If an account has this email address, we have sent it a link to choose a new password."
)


class EmailVerifyApi(APIView):
    # The key is the credential; whoever is logged in (if anyone) does not matter.
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "email_verification"

    @extend_schema(
        request=EmailVerifyInput, responses=EmailSentOutput, summary="Verify an email address"
    )
    def post(self, request: Request) -> Response:
        data = body(request, EmailVerifyInput)
        user = services.email_verify(key=data["key"])
        return Response({"detail": "Your email address is verified.", "email": user.email})


class EmailResendApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={202: EmailSentOutput},
        summary="Send the verification email again (at most once a minute)",
    )
    def post(self, request: SignedInRequest) -> Response:
        email = services.email_verification_resend(user=request.user)
        return Response(
            {"detail": "We have sent the verification link again.", "email": email},
            status=status.HTTP_202_ACCEPTED,
        )


class EmailChangeApi(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "email_verification"

    @extend_schema(
        request=EmailChangeInput,
        responses={202: EmailSentOutput},
        summary="Change the login email (it takes effect once the new address is verified)",
    )
    def post(self, request: SignedInRequest) -> Response:
        data = body(request, EmailChangeInput)
        services.email_change(
            user=request.user,
            password=data["password"],
            new_email=data["email"],
        )
        return Response(
            {
                "detail": "We have sent a link to the new address; your login email changes "
                "when you open it.",
                "email": services.normalise_email(data["email"]),
            },
            status=status.HTTP_202_ACCEPTED,
        )


class PasswordResetApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "password_reset"

    @extend_schema(
        request=PasswordResetInput,
        responses={202: DetailOutput},
        summary="Email a password reset link (answered alike whether or not the address is known)",
    )
    def post(self, request: Request) -> Response:
        data = body(request, PasswordResetInput)
        services.password_reset_request(email=data["email"])
        return Response({"detail": _RESET_SENT}, status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "password_reset"

    @extend_schema(
        request=PasswordResetConfirmInput,
        responses=DetailOutput,
        summary="Set a new password with a reset link (logs out every session)",
    )
    def post(self, request: Request) -> Response:
        data = body(request, PasswordResetConfirmInput)
        services.password_reset_confirm(**data)
        return Response({"detail": "Your password is changed; log in with it."})


class PasswordChangeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=PasswordChangeInput,
        responses=DetailOutput,
        summary="Change my password (needs the current one; ends my other sessions)",
    )
    def post(self, request: SignedInRequest) -> Response:
        data = body(request, PasswordChangeInput)
        django_request = request._request
        # The session asking stays logged in (when it is a session, not a token).
        current = django_request.session.session_key if request.auth is None else None
        services.password_change(
            user=request.user,
            current_password=data["current_password"],
            new_password=data["new_password"],
            keep_session=current,
        )
        if current is not None:
            update_session_auth_hash(django_request, request.user)
            services.session_rekey(old=current, request=django_request)
        return Response({"detail": "Your password is changed; your other sessions are ended."})
