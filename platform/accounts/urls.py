from django.urls import path

from accounts import apis

urlpatterns = [
    path("auth/csrf/", apis.CsrfApi.as_view(), name="auth-csrf"),
    path("auth/register/", apis.RegisterApi.as_view(), name="auth-register"),
    path("auth/login/", apis.LoginApi.as_view(), name="auth-login"),
    path("auth/logout/", apis.LogoutApi.as_view(), name="auth-logout"),
    path("auth/token/", apis.TokenApi.as_view(), name="auth-token"),
    path("auth/tokens/", apis.TokenListApi.as_view(), name="auth-tokens"),
    path("auth/tokens/<int:token_id>/", apis.TokenRevokeApi.as_view(), name="auth-token-revoke"),
    path("auth/email/verify/", apis.EmailVerifyApi.as_view(), name="auth-email-verify"),
    path("auth/email/resend/", apis.EmailResendApi.as_view(), name="auth-email-resend"),
    path("auth/email/change/", apis.EmailChangeApi.as_view(), name="auth-email-change"),
    path("auth/password/reset/", apis.PasswordResetApi.as_view(), name="auth-password-reset"),
    path(
        "auth/password/reset/confirm/",
        apis.PasswordResetConfirmApi.as_view(),
        name="auth-password-reset-confirm",
    ),
    path("auth/password/change/", apis.PasswordChangeApi.as_view(), name="auth-password-change"),
    path("auth/sessions/", apis.SessionListApi.as_view(), name="auth-sessions"),
    path("auth/sessions/<int:session_id>/", apis.SessionEndApi.as_view(), name="auth-session-end"),
    path("auth/providers/", apis.ProviderListApi.as_view(), name="auth-providers"),
    path("auth/social/", apis.SocialAccountListApi.as_view(), name="auth-social"),
    path(
        "auth/social/<int:account_id>/",
        apis.SocialAccountUnlinkApi.as_view(),
        name="auth-social-unlink",
    ),
    path("auth/whoami/", apis.WhoamiApi.as_view(), name="auth-whoami"),
    path("auth/ws-ticket/", apis.WsTicketApi.as_view(), name="auth-ws-ticket"),
    path("me/", apis.MeApi.as_view(), name="me"),
    path("me/delete/", apis.MeEraseApi.as_view(), name="me-delete"),
]
