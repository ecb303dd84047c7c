from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from sevenstep import views
from sevenstep.apis import FrameworkApi

api_patterns = [
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
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
    re_path(r"^(?!api/|admin/|static/|ws/)(?P<path>.*)$", views.spa, name="spa"),
]

handler400 = "sevenstep.errors.handler400"
handler403 = "sevenstep.errors.handler403"
handler404 = "sevenstep.errors.handler404"
handler500 = "sevenstep.errors.handler500"
