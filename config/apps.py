from django.apps import AppConfig


class HubConfig(AppConfig):
    """The project itself as an app: its deployment checks (config/checks.py)."""

    name = "config"
    label = "hub_config"
    verbose_name = "HĐND hub"

    def ready(self):
        from . import checks  # noqa: F401  (registers them)
