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
    path("auth/ws-ticket/", apis.WsTicketApi.as_view(), name="auth-ws-ticket"),
    path("me/", apis.MeApi.as_view(), name="me"),
    path("me/delete/", apis.MeEraseApi.as_view(), name="me-delete"),
]
