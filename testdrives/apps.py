from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TestdrivesConfig(AppConfig):
    name = "testdrives"
    verbose_name = _("Testdrives")

    def ready(self) -> None:
        from testdrives import receivers  # noqa: F401  (connects the receivers)
