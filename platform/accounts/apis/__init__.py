"""Account endpoints: register, verify, log in and out, passwords, sessions, tokens, the profile.

The parts: `signin` (log in and out, registration, who I am, my profile), `tokens` (API
tokens), `credentials` (email address and password) and `sessions` (sessions, social accounts).
"""

from __future__ import annotations

from accounts.apis.credentials import (
    EmailChangeApi,
    EmailResendApi,
    EmailVerifyApi,
    PasswordChangeApi,
    PasswordResetApi,
    PasswordResetConfirmApi,
)
from accounts.apis.sessions import (
    ProviderListApi,
    SessionEndApi,
    SessionListApi,
    SocialAccountListApi,
    SocialAccountUnlinkApi,
)
from accounts.apis.signin import (
    CsrfApi,
    LoginApi,
    LogoutApi,
    MeApi,
    MeEraseApi,
    RegisterApi,
    TokenApi,
    WhoamiApi,
    WsTicketApi,
)
from accounts.apis.tokens import TokenListApi, TokenRevokeApi

__all__ = [
    "CsrfApi",
    "EmailChangeApi",
    "EmailResendApi",
    "EmailVerifyApi",
    "LoginApi",
    "LogoutApi",
    "MeApi",
    "MeEraseApi",
    "PasswordChangeApi",
    "PasswordResetApi",
    "PasswordResetConfirmApi",
    "ProviderListApi",
    "RegisterApi",
    "SessionEndApi",
    "SessionListApi",
    "SocialAccountListApi",
    "SocialAccountUnlinkApi",
    "TokenApi",
    "TokenListApi",
    "TokenRevokeApi",
    "WhoamiApi",
    "WsTicketApi",
]
