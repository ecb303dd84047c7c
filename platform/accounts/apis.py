"""Account endpoints: register, verify, log in and out, passwords, sessions, tokens, the profile."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.middleware.csrf import get_token
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.models import User
from accounts.serializers import (
    CsrfOutput,
    DetailOutput,
    EmailChangeInput,
    EmailSentOutput,
    EmailVerifyInput,
    EraseInput,
    LoginInput,
    MeOutput,
    PasswordChangeInput,
    PasswordResetConfirmInput,
    PasswordResetInput,
    ProfileUpdateInput,
    ProvidersOutput,
    RegisterInput,
    RegisterOutput,
    SessionOutput,
    SessionsEndedOutput,
    SocialAccountOutput,
    TicketOutput,
    TokenCreatedOutput,
    TokenCreateInput,
    TokenOutput,
    TokenSummaryOutput,
    WhoamiOutput,
)
from sevenstep.apitools import body, paginated
from sevenstep.errors import ApplicationError
from sevenstep.pagination import Pagination

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


class TokenListApi(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination

    @extend_schema(responses=TokenSummaryOutput(many=True), summary="List my API tokens")
    def get(self, request: Request) -> Response:
        tokens = selectors.api_tokens_live(user=request.user)
        return paginated(self, request, tokens, TokenSummaryOutput)

    @extend_schema(
        request=TokenCreateInput,
        responses={201: TokenCreatedOutput},
        summary="Create a named API token (its secret is shown only now)",
    )
    def post(self, request: Request) -> Response:
        data = body(request, TokenCreateInput)
        token, secret = services.api_token_create(
            user=request.user,
            name=data["name"],
            days=data.get("expires_in_days"),
        )
        created = {**TokenSummaryOutput(token).data, "token": secret}
        return Response(created, status=status.HTTP_201_CREATED)


class TokenRevokeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None}, summary="Revoke one of my API tokens")
    def delete(self, request: Request, token_id: int) -> Response:
        services.api_token_revoke(user=request.user, token_id=token_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WsTicketApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None, responses=TicketOutput, summary="Get a short-lived websocket ticket"
    )
    def post(self, request: Request) -> Response:
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
        user = request.user if request.user.is_authenticated else None
        return Response({"user": _me(user) if user is not None else None})


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeOutput, summary="The current user and profile")
    def get(self, request: Request) -> Response:
        return Response(_me(request.user))

    @extend_schema(request=ProfileUpdateInput, responses=MeOutput, summary="Update the profile")
    def patch(self, request: Request) -> Response:
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
    def post(self, request: Request) -> Response:
        data = body(request, EraseInput)
        services.user_erase(user=request.user, password=data["password"])
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


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
    def post(self, request: Request) -> Response:
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
    def post(self, request: Request) -> Response:
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
    def post(self, request: Request) -> Response:
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


class SessionListApi(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination

    @extend_schema(responses=SessionOutput(many=True), summary="List my logged-in sessions")
    def get(self, request: Request) -> Response:
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
    def delete(self, request: Request) -> Response:
        ended = services.sessions_end(user=request.user)
        if request.auth is None:
            logout(request._request)
        return Response({"ended": ended})


class SessionEndApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None}, summary="End one of my sessions")
    def delete(self, request: Request, session_id: int) -> Response:
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
    def get(self, request: Request) -> Response:
        accounts = selectors.social_accounts_of(user=request.user)
        return paginated(self, request, accounts, SocialAccountOutput)


class SocialAccountUnlinkApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None}, summary="Unlink a provider from my account")
    def delete(self, request: Request, account_id: int) -> Response:
        services.social_account_unlink(user=request.user, account_id=account_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
