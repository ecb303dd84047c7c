from django.apps import AppConfig


class SevenstepConfig(AppConfig):
    name = "sevenstep"
