from allauth.urls import build_provider_urlpatterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from sevenstep import views
from sevenstep.apis import FrameworkApi

api_patterns: list[URLPattern | URLResolver] = [
    path("", include("accounts.urls")),
    path("", include("interviews.urls")),
    path("", include("scoring.urls")),
    path("framework/", FrameworkApi.as_view(), name="framework"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    re_path(r"^(?P<path>.*)$", views.api_not_found),
]

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    # allauth's browser flow for GitHub, Google and OpenID Connect sign-in (redirects to the
    # provider and back) and its social-account pages. Its password pages are not mounted: the
    # names it links to lead to the app's own pages, so every password login passes our limits.
    *[
        path(f"accounts/{name}/", RedirectView.as_view(url=to), name=f"account_{name}")
        for name, to in (
            ("login", "/login"),
            ("signup", "/register"),
            ("logout", "/login"),
            ("inactive", "/login"),
            ("email", "/account"),
            ("reset_password", "/forgot-password"),
            ("email_verification_sent", "/account"),
        )
    ],
    path("accounts/3rdparty/", include("allauth.socialaccount.urls")),
    path("accounts/", include(build_provider_urlpatterns())),
    path("api/", include(api_patterns)),
    re_path(r"^(?!api/|admin/|accounts/|static/|ws/)(?P<path>.*)$", views.spa, name="spa"),
]

handler400 = "sevenstep.errors.handler400"
handler403 = "sevenstep.errors.handler403"
handler404 = "sevenstep.errors.handler404"
handler500 = "sevenstep.errors.handler500"
