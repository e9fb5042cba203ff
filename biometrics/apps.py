from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BiometricsConfig(AppConfig):
    name = "biometrics"
    verbose_name = _("Biometrics")

    def ready(self) -> None:
        from biometrics import receivers  # noqa: F401  (connects the receivers)
