from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "interviews.live"
    label = "live"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from interviews.live import receivers  # noqa: F401  (connects the signal receivers)
