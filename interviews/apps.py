from django.apps import AppConfig


class InterviewsConfig(AppConfig):
    name = "interviews"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from interviews import receivers  # noqa: F401  (connects the signal receivers)
