from django.urls import include, path

urlpatterns = [
    path("", include("interviews.live.urls")),
]
